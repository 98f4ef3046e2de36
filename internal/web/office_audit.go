package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The audit log, searched by administrators (auth.ReadAudit). The page
// only reads: there is no control to change or remove an entry, and the
// store has no way to (the database refuses it too).

const officeAuditPerPage = 50

// officeAuditEntry is an entry as the page shows it.
type officeAuditEntry struct {
	ID         int64
	When       Phrase
	Datetime   string
	Actor      string
	Action     string
	ObjectType string
	ObjectID   string
	GroupURL   string // the group's page, for an entry about a group
	Org        string
	Source     string
	Fields     []Phrase // the fields a change changed
	Detail     string   // other details, as JSON
}

type officeAuditView struct {
	*officeView
	Entries  []officeAuditEntry
	NextURL  string
	Searched bool
}

var (
	reAuditAction = regexp.MustCompile(`^[a-z0-9_.-]{1,64}$`)
	reAuditType   = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
	reAuditObject = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)
	reAuditActor  = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)
)

var officeAuditFields = []string{"bruker", "handling", "type", "objekt", "organisasjon", "fra", "til"}

// officeAuditPage is GET /kontor/logg: search the audit log, newest first,
// a page at a time (?eldre= is the entry after which the page starts).
func (s *site) officeAuditPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !auth.Allowed(me.Principal(), auth.ReadAudit, "", nil) {
		s.notFound(w, r, lang)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	v := &officeAuditView{officeView: s.newOfficeView(r, lang, "/kontor/logg", me, "audit", "office.audit_title")}
	v.keep(q, officeAuditFields...)
	orgs, err := s.store.Organisations(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	users, err := s.store.Users(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	f := store.AuditFilter{Limit: officeAuditPerPage + 1}
	f.ActorID = strings.TrimSpace(v.Val("bruker"))
	if f.ActorID != "" && !reAuditActor.MatchString(f.ActorID) {
		v.fail("bruker", "office.err_choose")
		f.ActorID = ""
	}
	actors := []officeOption{{Value: "", Text: v.S("office.audit_anyone")}}
	knownActor := f.ActorID == ""
	for _, u := range users {
		actors = append(actors, officeOption{Value: u.ID, Text: u.Name + " (" + u.Email + ")"})
		knownActor = knownActor || u.ID == f.ActorID
	}
	actors = append(actors, officeOption{Value: "system", Text: v.S("office.audit_system")})
	if !knownActor && f.ActorID != "system" {
		actors = append(actors, officeOption{Value: f.ActorID, Text: f.ActorID})
	}
	v.opts("bruker", actors)
	f.Action = strings.TrimSpace(v.Val("handling"))
	if f.Action != "" && !reAuditAction.MatchString(f.Action) {
		v.fail("handling", "office.err_audit_action")
	}
	f.ObjectType = strings.TrimSpace(v.Val("type"))
	if f.ObjectType != "" && !reAuditType.MatchString(f.ObjectType) {
		v.fail("type", "office.err_audit_type")
	}
	f.ObjectID = strings.TrimSpace(v.Val("objekt"))
	if f.ObjectID != "" && !reAuditObject.MatchString(f.ObjectID) {
		v.fail("objekt", "office.err_audit_object")
	}
	f.OrgID = v.Val("organisasjon")
	orgName := map[string]string{}
	os := []officeOption{{Value: "", Text: v.S("office.audit_any_org")}}
	sc := officeScopeOf(me.Principal(), orgs)
	for _, o := range orgs {
		orgName[o.ID] = o.Name
	}
	os = append(os, officeOrgOptions(sc.ordered(auth.ReadAudit))...)
	v.opts("organisasjon", os)
	if f.OrgID != "" && orgName[f.OrgID] == "" {
		v.fail("organisasjon", "office.err_choose")
	}
	oslo, err := domain.LoadLocation(domain.DefaultTimeZone)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if d := strings.TrimSpace(v.Val("fra")); d != "" {
		if t, ok := officeParseDate(d); ok {
			f.From = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, oslo)
		} else {
			v.fail("fra", "office.err_date")
		}
	}
	if d := strings.TrimSpace(v.Val("til")); d != "" {
		if t, ok := officeParseDate(d); ok {
			f.To = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, oslo) // to the end of the day
		} else {
			v.fail("til", "office.err_date")
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) && v.Err("til") == nil {
		v.fail("til", "office.err_date_order")
	}
	if e := q.Get("eldre"); e != "" {
		n, err := strconv.ParseInt(e, 10, 64)
		if err != nil || n < 1 {
			v.fail("", "office.err_page")
		} else {
			f.BeforeID = n
		}
	}
	keep := url.Values{}
	for _, k := range officeAuditFields {
		if x := strings.TrimSpace(v.Val(k)); x != "" && v.Err(k) == nil {
			keep.Set(k, x)
		}
	}
	v.Searched = len(keep) > 0
	v.query = url.Values{}
	for k, x := range keep {
		v.query[k] = x
	}
	if f.BeforeID > 0 {
		v.query.Set("eldre", strconv.FormatInt(f.BeforeID, 10))
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "office_audit", v)
		return
	}
	entries, err := s.store.AuditLog(ctx, f)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if len(entries) > officeAuditPerPage {
		entries = entries[:officeAuditPerPage]
		next := url.Values{}
		for k, x := range keep {
			next[k] = x
		}
		next.Set("eldre", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		v.NextURL = withQuery(v.Href("/kontor/logg"), next)
		v.Next = v.NextURL
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.ActorID)
	}
	names, err := s.store.UserNames(ctx, ids)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	for _, e := range entries {
		x := officeAuditEntry{ID: e.ID, When: v.When(e.At), Datetime: e.At.UTC().Format(time.RFC3339), Actor: e.ActorID,
			Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Org: e.OrgID, Source: e.Source}
		if n, ok := names[e.ActorID]; ok {
			x.Actor = n
		}
		if n, ok := orgName[e.OrgID]; ok {
			x.Org = n
		}
		if e.ObjectType == "group" && store.ValidID(e.ObjectID) {
			x.GroupURL = v.Href("/kontor/grupper/" + e.ObjectID)
		}
		detail := map[string]any{}
		for k, d := range e.Detail {
			detail[k] = d
		}
		if changed, ok := detail["changed"].(map[string]any); ok {
			fields := make([]string, 0, len(changed))
			for f := range changed {
				fields = append(fields, f)
			}
			slices.Sort(fields)
			for _, f := range fields {
				x.Fields = append(x.Fields, v.officeFieldName(f))
			}
			delete(detail, "changed")
		}
		if len(detail) > 0 {
			b, _ := json.Marshal(detail)
			x.Detail = clip(string(b), 300)
		}
		v.Entries = append(v.Entries, x)
	}
	s.render(w, r, http.StatusOK, "office_audit", v)
}
