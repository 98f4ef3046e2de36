package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The back office's directory: organisations, venues and rooms, groups,
// themes and group models, and the audit log (files office_*.go, templates
// office_*.html, messages locales/office.*.json).
//
// Authorisation. Every handler loads the object it is about (or, to create
// one, the organisation it is created in) from the store, and asks
// auth.Allowed about the organisation that owns it, before it reads or
// writes anything else. Whoever is signed in and not allowed gets the same
// 404 page as for an object that does not exist, so that nothing tells what
// exists elsewhere in the tree; the signed-out go to the sign-in page. An
// organisation named in a form (a new parent, the organisation a group or
// venue belongs to) is checked the same way: one the user may not edit is a
// 404, and nothing is changed.
//
//	list pages (organisations, venues, groups)  auth.ViewListing in some organisation;
//	                                            each lists what ViewListing allows
//	forms, a group's page, status, verify       auth.EditListing in the owning organisation
//	themes, group models                        auth.ManageTaxonomy
//	audit log                                   auth.ReadAudit

func init() { staffAreas = append(staffAreas, officeRoutes) }

func officeRoutes(s *site, mux *http.ServeMux, lang, p string) {
	h := s.staffHandlers(lang)
	k := p + "/kontor/"
	mux.Handle(k+"organisasjoner", h(s.officeOrgsPage, nil))
	mux.Handle(k+"organisasjoner/ny", h(s.officeOrgNewPage, s.officeOrgNewPost))
	mux.Handle(k+"organisasjoner/{id}", h(s.officeOrgEditPage, s.officeOrgEditPost))
	mux.Handle(k+"steder", h(s.officeVenuesPage, nil))
	mux.Handle(k+"steder/ny", h(s.officeVenueNewPage, s.officeVenueNewPost))
	mux.Handle(k+"steder/{id}", h(s.officeVenueEditPage, s.officeVenueEditPost))
	mux.Handle(k+"steder/{id}/rom/ny", h(s.officeRoomNewPage, s.officeRoomNewPost))
	mux.Handle(k+"steder/{id}/rom/{room}", h(s.officeRoomEditPage, s.officeRoomEditPost))
	mux.Handle(k+"grupper", h(s.officeGroupsPage, nil))
	mux.Handle(k+"grupper/ny", h(s.officeGroupNewPage, s.officeGroupNewPost))
	mux.Handle(k+"grupper/{id}", h(s.officeGroupPage, nil))
	mux.Handle(k+"grupper/{id}/endre", h(s.officeGroupEditPage, s.officeGroupEditPost))
	mux.Handle(k+"grupper/{id}/status", h(nil, s.officeGroupStatusPost))
	mux.Handle(k+"grupper/{id}/bekreft", h(nil, s.officeGroupVerifyPost))
	mux.Handle(k+"tema", h(s.officeThemesPage, nil))
	mux.Handle(k+"tema/ny", h(s.officeThemeNewPage, s.officeThemeNewPost))
	mux.Handle(k+"tema/{id}", h(s.officeThemeEditPage, s.officeThemeEditPost))
	mux.Handle(k+"modeller", h(s.officeModelsPage, nil))
	mux.Handle(k+"modeller/ny", h(s.officeModelNewPage, s.officeModelNewPost))
	mux.Handle(k+"modeller/{id}", h(s.officeModelEditPage, s.officeModelEditPost))
	mux.Handle(k+"logg", h(s.officeAuditPage, nil))
}

// officeScope is what a request may see and do: the principal and the
// organisation tree, loaded from the store.
type officeScope struct {
	p    auth.Principal
	orgs []domain.Organisation // by name
	byID map[string]domain.Organisation
	tree auth.Tree
	kids map[string][]string // children by parent ("" for the roots), by name
}

func (s *site) officeScope(ctx context.Context, me *auth.Current) (*officeScope, error) {
	orgs, err := s.store.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	return officeScopeOf(me.Principal(), orgs), nil
}

// officeScopeOf is the scope of p in the tree of orgs.
func officeScopeOf(p auth.Principal, orgs []domain.Organisation) *officeScope {
	sc := &officeScope{p: p, orgs: orgs, byID: make(map[string]domain.Organisation, len(orgs)),
		tree: auth.NewTree(orgs), kids: map[string][]string{}}
	for _, o := range orgs {
		sc.byID[o.ID] = o
	}
	for _, o := range orgs {
		parent := o.ParentID
		if _, ok := sc.byID[parent]; !ok {
			parent = ""
		}
		sc.kids[parent] = append(sc.kids[parent], o.ID)
	}
	return sc
}

// can reports whether the principal may do perm in the organisation orgID.
func (sc *officeScope) can(perm auth.Permission, orgID string) bool {
	return auth.Allowed(sc.p, perm, orgID, sc.tree)
}

// target reports whether the organisation orgID ("" for the top of the
// tree) exists and the user may edit in it: the check of every
// organisation a request names as the place of a new or moved object.
func (sc *officeScope) target(orgID string) bool {
	if orgID == "" {
		return sc.can(auth.EditListing, "")
	}
	if _, ok := sc.byID[orgID]; !ok {
		return false
	}
	return sc.can(auth.EditListing, orgID)
}

// canAny reports whether the principal may do perm in some organisation.
func (sc *officeScope) canAny(perm auth.Permission) bool {
	if sc.p.Admin {
		return auth.Allowed(sc.p, perm, "", sc.tree)
	}
	for _, o := range sc.orgs {
		if sc.can(perm, o.ID) {
			return true
		}
	}
	return false
}

// officeOrgRef is an organisation in tree order, with its depth.
type officeOrgRef struct {
	Org   domain.Organisation
	Depth int
}

// newTarget is the organisation a new object will belong to: the one asked
// for (?organisasjon=), or else the first the user may edit; "" when the user
// may not create there.
func (sc *officeScope) newTarget(asked string) string {
	if asked == "" {
		if refs := sc.ordered(auth.EditListing); len(refs) > 0 {
			asked = refs[0].Org.ID
		}
	}
	if asked == "" || !sc.target(asked) {
		return ""
	}
	return asked
}

// ordered lists the organisations where perm holds, depth first in the
// tree, each under its parent, siblings by name.
func (sc *officeScope) ordered(perm auth.Permission) []officeOrgRef {
	var out []officeOrgRef
	seen := map[string]bool{}
	var walk func(id string, depth int)
	walk = func(id string, depth int) {
		if seen[id] {
			return
		}
		seen[id] = true
		out = append(out, officeOrgRef{sc.byID[id], depth})
		for _, k := range sc.kids[id] {
			walk(k, depth+1)
		}
	}
	var roots func(parent string)
	roots = func(parent string) {
		for _, id := range sc.kids[parent] {
			if sc.can(perm, id) {
				walk(id, 0)
			} else {
				roots(id)
			}
		}
	}
	roots("")
	return out
}

// orgIDs are the IDs of the organisations where perm holds; nil when the
// principal may do it everywhere (an administrator).
func (sc *officeScope) orgIDs(perm auth.Permission) []string {
	if sc.p.Admin && auth.Allowed(sc.p, perm, "", sc.tree) {
		return nil
	}
	out := []string{}
	for _, o := range sc.orgs {
		if sc.can(perm, o.ID) {
			out = append(out, o.ID)
		}
	}
	return out
}

// officeCtx is the request's context with the signed-in user as the actor
// of every change, so that the audit log says who changed what.
func officeCtx(r *http.Request, me *auth.Current) context.Context {
	return store.WithActor(r.Context(), store.Actor{ID: me.User.ID, Source: store.SourceOf(r.RemoteAddr)})
}

// officePathID is the UUID in the path's wildcard name, or "" if it is not one.
func officePathID(r *http.Request, name string) string {
	id := r.PathValue(name)
	if !store.ValidID(id) {
		return ""
	}
	return id
}

// officeNotices are the confirmations after a change, by ?melding=.
var officeNotices = map[string]string{
	"opprettet": "office.notice_created",
	"lagret":    "office.notice_saved",
	"status":    "office.notice_status",
	"bekreftet": "office.notice_verified",
}

// officeView is what every page of the directory has: the staff view, and
// the values of its form, which are the object's on a GET and what the
// user typed after a POST, so that nothing typed is lost.
type officeView struct {
	staffView
	form    url.Values
	options map[string][]officeOptGroup
}

func (s *site) newOfficeView(r *http.Request, lang, path string, me *auth.Current, section, titleID string, kv ...any) *officeView {
	v := &officeView{staffView: s.newStaffView(lang, path, me), form: url.Values{}, options: map[string][]officeOptGroup{}}
	v.Section = section
	v.Title = v.S(titleID, kv...)
	v.Notice = officeNotices[r.URL.Query().Get("melding")]
	return v
}

// Val is the value of a form field.
func (v *officeView) Val(name string) string { return v.form.Get(name) }

// Has reports whether a form field has the value (a ticked box, a chosen option).
func (v *officeView) Has(name, value string) bool { return slices.Contains(v.form[name], value) }

// set puts a value in the form.
func (v *officeView) set(name, value string) { v.form.Set(name, value) }

// officeOption is an option of a select, or a box or radio button of a group.
type officeOption struct {
	Value string
	Text  string
	Lang  string // the language of Text, if not the page's
	Depth int    // indent, for organisations in a tree
}

// Indent is the visual indent of a tree option (non-breaking spaces, which
// screen readers do not read).
func (o officeOption) Indent() string { return strings.Repeat("\u00a0\u00a0\u00a0", o.Depth) }

// officeOptGroup is options under a heading ("" for none).
type officeOptGroup struct {
	Label   string
	Options []officeOption
}

// opts sets the options of a field, without headings.
func (v *officeView) opts(name string, os []officeOption) {
	v.options[name] = []officeOptGroup{{Options: os}}
}

// officeEnum are the options of an enumeration whose words are messages
// prefix+value.
func officeEnum[T ~string](v *officeView, prefix string, values []T) []officeOption {
	out := make([]officeOption, 0, len(values))
	for _, x := range values {
		ph := v.L(prefix + string(x))
		out = append(out, officeOption{Value: string(x), Text: ucfirst(ph.Text), Lang: officeLangIf(ph.Lang, v.Lang)})
	}
	return out
}

func officeLangIf(l, page string) string {
	if l == page {
		return ""
	}
	return l
}

// textOption is an option whose words are data in several languages.
func (v *officeView) textOption(value string, t domain.Text) officeOption {
	return officeOption{Value: value, Text: t.In(v.Lang), Lang: officeLangIf(t.LangOf(v.Lang), v.Lang)}
}

// F describes a form field for the shared parts of office_parts.html: its
// name (also its id), the message id of its label, and options as pairs:
// "hint" (a message id), "type", "lang" (of the value; the label then
// names the language), "maxlength", "autocomplete", "inputmode",
// "optional", "rows", "nospell".
func (v *officeView) F(name, label string, kv ...string) officeField {
	f := officeField{V: v, Name: name, label: label, opts: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.opts[kv[i]] = kv[i+1]
	}
	return f
}

// officeField is a form field being rendered.
type officeField struct {
	V     *officeView
	Name  string
	label string
	opts  map[string]string
}

// Opt is an option of the field, or "".
func (f officeField) Opt(k string) string { return f.opts[k] }

// Label is the field's label, naming the language of a field in one language.
func (f officeField) Label() string {
	l := f.V.S(f.label)
	if lang := f.opts["lang"]; lang != "" {
		return f.V.S("office.in_lang", "Field", l, "Lang", f.V.S("lang."+lang))
	}
	return l
}

// Value is the field's value in the form.
func (f officeField) Value() string { return f.V.Val(f.Name) }

// Is reports whether value is chosen in the field.
func (f officeField) Is(value string) bool { return f.V.Has(f.Name, value) }

// Err is the field's error, or nil.
func (f officeField) Err() *Phrase { return f.V.Err(f.Name) }

// Groups are the field's options under their headings.
func (f officeField) Groups() []officeOptGroup { return f.V.options[f.Name] }

// Options are the field's options, all headings together.
func (f officeField) Options() []officeOption {
	var out []officeOption
	for _, g := range f.V.options[f.Name] {
		out = append(out, g.Options...)
	}
	return out
}

// Described is the value of aria-describedby: the hint and the error.
func (f officeField) Described() string {
	var ids []string
	if f.opts["hint"] != "" {
		ids = append(ids, f.Name+"-hint")
	}
	if f.Err() != nil {
		ids = append(ids, f.Name+"-error")
	}
	return strings.Join(ids, " ")
}

// ID is the id of the i-th box or radio button of a group: the first has
// the field's name, so that the error summary can link to it.
func (f officeField) ID(i int) string {
	if i == 0 {
		return f.Name
	}
	return f.Name + "-" + strconv.Itoa(i)
}

// officeLink is a link of the directory's menu.
type officeLink struct {
	Path, Label, Section string
}

// OfficeLinks are the parts of the directory the signed-in user may use,
// for the menu (template office_nav). It needs no store: a role in an
// organisation gives its rights there whatever is under it.
func (v staffView) OfficeLinks() []officeLink {
	if v.Me == nil {
		return nil
	}
	p := v.Me.Principal()
	view := false
	if p.Admin {
		view = auth.Allowed(p, auth.ViewListing, "", nil)
	}
	for _, m := range p.Memberships {
		view = view || auth.Allowed(p, auth.ViewListing, m.OrgID, auth.Tree{})
	}
	var out []officeLink
	if view {
		out = append(out, officeLink{"/kontor/organisasjoner", "office.nav_orgs", "orgs"},
			officeLink{"/kontor/steder", "office.nav_venues", "venues"},
			officeLink{"/kontor/grupper", "office.nav_groups", "groups"},
			officeLink{"/kontor/csv", "csvio.nav", "csv"})
	}
	if staffEditsListings(v.Me) {
		out = append(out, officeLink{"/kontor/kilder", "feeds.nav", "feeds"},
			officeLink{"/kontor/arsrapport", "annual.nav", "annual"})
	}
	if auth.Allowed(p, auth.ManageTaxonomy, "", nil) {
		out = append(out, officeLink{"/kontor/tema", "office.nav_themes", "themes"},
			officeLink{"/kontor/modeller", "office.nav_models", "models"})
	}
	if auth.Allowed(p, auth.ReadAudit, "", nil) {
		out = append(out, officeLink{"/kontor/logg", "office.nav_audit", "audit"},
			officeLink{"/kontor/epost", "mailstatus.nav", "mail"})
	}
	return out
}

// --- reading forms ---

// officeParse parses a POST's form, or answers 400.
func (s *site) officeParse(w http.ResponseWriter, r *http.Request, lang string) bool {
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return false
	}
	return true
}

// keep copies the posted values of the fields into the view's form, so
// that the page shows what was typed. Text is cut at a generous length and
// made valid UTF-8; nothing else is changed.
func (v *officeView) keep(posted url.Values, fields ...string) {
	for _, f := range fields {
		vals := posted[f]
		if len(vals) > 1000 {
			vals = vals[:1000]
		}
		out := make([]string, 0, len(vals))
		for _, x := range vals {
			if len(x) > 20000 {
				x = x[:20000]
			}
			out = append(out, strings.ToValidUTF8(x, "\uFFFD"))
		}
		v.form[f] = out
	}
}

// text reads a trimmed text field of at most max characters; a longer one
// is an error on the field.
func (v *officeView) text(name string, limit int) string {
	s := strings.TrimSpace(strings.ReplaceAll(v.Val(name), "\r\n", "\n"))
	if utf8.RuneCountInString(s) > limit {
		v.fail(name, "office.err_too_long", "Max", limit)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }) {
		v.fail(name, "office.err_control")
	}
	return s
}

// line is text for a one-line field: no line breaks.
func (v *officeView) line(name string, limit int) string {
	s := v.text(name, limit)
	if strings.ContainsAny(s, "\n\t") && v.Err(name) == nil {
		v.fail(name, "office.err_control")
	}
	return s
}

// required is a one-line text that must be there.
func (v *officeView) required(name string, limit int, missing string) string {
	s := v.line(name, limit)
	if s == "" && v.Err(name) == nil {
		v.fail(name, missing)
	}
	return s
}

// integer reads a whole number from min to max; empty is def.
func (v *officeView) integer(name string, lo, hi, def int) int {
	s := strings.TrimSpace(v.Val(name))
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.ReplaceAll(s, "\u2212", "-"), "+"))
	if err != nil || n < lo || n > hi {
		v.fail(name, "office.err_integer", "Min", lo, "Max", hi)
		return def
	}
	return n
}

// choice reads a value that must be one of values.
func officeChoice[T ~string](v *officeView, name string, values []T, msg string) T {
	x := T(v.Val(name))
	if !slices.Contains(values, x) {
		v.fail(name, msg)
		return ""
	}
	return x
}

// checked reads a box.
func (v *officeView) checked(name string) bool { return v.Val(name) == "1" }

// officeBool is a box's value in a form.
func officeBool(b bool) string {
	if b {
		return "1"
	}
	return ""
}

// officeWithText returns a copy of t with the value for lang set, or removed
// when empty; the other languages are kept.
func officeWithText(t domain.Text, lang, value string) domain.Text {
	out := domain.Text{}
	for k, x := range t {
		out[k] = x
	}
	if value == "" {
		delete(out, lang)
	} else {
		out[lang] = value
	}
	return out
}

// officeSlugOK checks a slug typed in a form: lower-case ASCII letters and
// digits in words joined by single hyphens, and not a UUID (which would
// read as an ID).
func officeSlugOK(s string) bool {
	if !validSlug(s) || store.ValidID(s) || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
		return false
	}
	return true
}

// slugField reads the slug field, or makes one from name when it is empty.
func (v *officeView) slugField(name string) string {
	s := strings.TrimSpace(v.Val("slug"))
	if s == "" {
		s = domain.Slugify(name)
		if len(s) > 120 {
			s = strings.TrimRight(s[:120], "-")
		}
		if s != "" {
			v.set("slug", s)
		}
	}
	if s == "" && name == "" {
		return "" // the name's error says it
	}
	if !officeSlugOK(s) {
		v.fail("slug", "office.err_slug")
	}
	return s
}

// officeFail answers a form with errors: 400 and the page again.
func (s *site) officeFail(w http.ResponseWriter, r *http.Request, name string, v any) {
	s.render(w, r, http.StatusBadRequest, name, v)
}

// officeDone redirects after a change (Post/Redirect/Get).
func (s *site) officeDone(w http.ResponseWriter, r *http.Request, lang, path, notice string) {
	q := url.Values{}
	if notice != "" {
		q.Set("melding", notice)
	}
	s.seeOther(w, r, withQuery(prefix(lang)+path, q))
}

// officeErr answers a store error: 404 for a row that is gone, else 500.
func (s *site) officeErr(w http.ResponseWriter, r *http.Request, lang string, err error) {
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r, lang)
		return
	}
	s.serverError(w, r, lang, err)
}

// officeLoadOwned loads the object whose ID is the path's {id} with get,
// and checks that the user may edit the listings of its organisation
// (orgOf); otherwise it answers (404, or 500 for a failing read) and
// returns false.
func officeLoadOwned[T any](s *site, w http.ResponseWriter, r *http.Request, lang string, me *auth.Current,
	get func(ctx context.Context, id string) (T, error), orgOf func(T) string) (*officeScope, T, bool) {
	var zero T
	id := officePathID(r, "id")
	if id == "" {
		s.notFound(w, r, lang)
		return nil, zero, false
	}
	x, err := get(r.Context(), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, zero, false
	}
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, zero, false
	}
	if !sc.can(auth.EditListing, orgOf(x)) {
		s.notFound(w, r, lang)
		return nil, zero, false
	}
	return sc, x, true
}

// municipalityOptions are the municipalities by county, for a select or
// for boxes.
func (s *site) officeMunicipalities(ctx context.Context) ([]domain.County, map[string][]domain.Municipality, map[string]bool, error) {
	cs, err := s.store.Counties(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	ms, err := s.store.Municipalities(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	by := map[string][]domain.Municipality{}
	known := map[string]bool{}
	for _, m := range ms {
		by[m.CountyID] = append(by[m.CountyID], m)
		known[m.ID] = true
	}
	return cs, by, known, nil
}

// municipalitySelect sets the options of a select of municipalities, by county.
func (v *officeView) municipalitySelect(name string, cs []domain.County, by map[string][]domain.Municipality) {
	groups := []officeOptGroup{{Options: []officeOption{{Value: "", Text: v.S("office.choose")}}}}
	for _, c := range cs {
		g := officeOptGroup{Label: c.Name}
		for _, m := range by[c.ID] {
			g.Options = append(g.Options, officeOption{Value: m.ID, Text: m.DisplayName()})
		}
		groups = append(groups, g)
	}
	v.options[name] = groups
}

// officeOrgOptions are organisations in tree order, for a select.
func officeOrgOptions(refs []officeOrgRef) []officeOption {
	out := make([]officeOption, 0, len(refs))
	for _, o := range refs {
		out = append(out, officeOption{Value: o.Org.ID, Text: o.Org.Name, Depth: o.Depth})
	}
	return out
}
