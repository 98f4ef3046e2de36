package web

import (
	"errors"
	"net/http"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The back office's side of group self-service: the coordinator sends a
// group's contact the private link by mail (a new link replaces the old
// one at once) or stops it, sees the group's monthly reports and requests,
// and the house's list of requests from its groups. The contact's e-mail
// address is typed for each mail and never stored beyond the outbox, which
// keeps it sealed until the mail is sent and purged.

// groupselfOfficeNotices are the confirmations of the back office's pages,
// by ?melding=.
var groupselfOfficeNotices = map[string]string{
	"sendt":   "groupself.notice_link_sent",
	"stoppet": "groupself.notice_link_stopped",
	"ordnet":  "groupself.notice_request_done",
	"apnet":   "groupself.notice_request_open",
}

// groupselfLinkView is the page of a group's link in the back office.
type groupselfLinkView struct {
	*officeView
	Group    domain.Group
	HasLink  bool
	Sent     Phrase
	SentBy   string
	Reports  []groupselfReportRow
	Requests []groupselfRequestRow
}

func (s *site) newGroupselfLinkView(r *http.Request, lang string, me *auth.Current, g domain.Group) *groupselfLinkView {
	v := &groupselfLinkView{officeView: s.newOfficeView(r, lang, "/kontor/grupper/"+g.ID+"/gruppelenke", me, "groups",
		"groupself.link_title", "Name", g.Name.In(lang)), Group: g}
	if n, ok := groupselfOfficeNotices[r.URL.Query().Get("melding")]; ok {
		v.Notice = n
	}
	var langs []officeOption
	for _, l := range i18n.Languages {
		ph := v.LangName(l)
		langs = append(langs, officeOption{Value: l, Text: ucfirst(ph.Text), Lang: officeLangIf(ph.Lang, v.Lang)})
	}
	v.opts("mail_lang", langs)
	v.set("mail_lang", lang)
	return v
}

// groupselfLinkRender fills in the link's state, the reports and the
// requests, and renders the page.
func (s *site) groupselfLinkRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *groupselfLinkView) {
	ctx := r.Context()
	l, err := s.store.GroupLinkOf(ctx, v.Group.ID)
	switch {
	case err == nil:
		v.HasLink, v.Sent = true, v.When(l.CreatedAt)
	case !errors.Is(err, store.ErrNotFound):
		s.serverError(w, r, lang, err)
		return
	}
	reports, err := s.store.GroupReports(ctx, v.Group.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if len(reports) > 12 {
		reports = reports[:12]
	}
	v.Reports = groupselfReportRows(v.officeView, reports)
	reqs, err := s.store.GroupRequests(ctx, store.GroupRequestFilter{GroupID: v.Group.ID})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	ids := []string{l.CreatedBy}
	for _, q := range reqs {
		ids = append(ids, q.DoneBy)
	}
	names, err := s.store.UserNames(ctx, ids)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.SentBy = names[l.CreatedBy]
	v.Requests = groupselfRequestRows(v.officeView, reqs, names)
	s.render(w, r, status, "groupself_link", v)
}

// groupselfLinkPage is GET /kontor/grupper/{id}/gruppelenke.
func (s *site) groupselfLinkPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, g, ok := s.officeGroupLoad(w, r, lang, me)
	if !ok {
		return
	}
	s.groupselfLinkRender(w, r, lang, http.StatusOK, s.newGroupselfLinkView(r, lang, me, g))
}

// groupselfLinkPost is POST /kontor/grupper/{id}/gruppelenke: a new link,
// sent to the address typed, in the language chosen; the old link (if
// any) stops working, and a mail of it that still waits is not sent.
func (s *site) groupselfLinkPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, g, ok := s.officeGroupLoad(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	v := s.newGroupselfLinkView(r, lang, me, g)
	v.keep(r.PostForm, "email", "mail_lang")
	email := v.required("email", 254, "groupself.err_email")
	if email != "" && v.Err("email") == nil {
		if norm, ok := store.NormalizeContact("email", email); ok {
			email = norm
		} else {
			v.fail("email", "groupself.err_email")
		}
	}
	ml := officeChoice(v.officeView, "mail_lang", i18n.Languages, "groupself.err_mail_lang")
	if len(v.Errors) > 0 {
		s.groupselfLinkRender(w, r, lang, http.StatusBadRequest, v)
		return
	}
	link, err := s.accountLinker(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	token, hash := auth.NewToken()
	subject, body, err := mail.Compose(s.cat, ml, "groupself_link", map[string]any{"Group": g.Name.In(ml),
		"House": sc.byID[g.OrgID].Name, "Link": link(ml, "/gruppelenke/"+token)})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	m := store.OutboxMail{To: email, Subject: subject, Body: body, Lang: ml, Kind: "groupself_link"}
	if err := s.store.SetGroupLink(officeCtx(r, me), g.ID, hash, m, s.now()); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/grupper/"+g.ID+"/gruppelenke", "sendt")
}

// groupselfStopPost is POST /kontor/grupper/{id}/gruppelenke/stopp.
func (s *site) groupselfStopPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, g, ok := s.officeGroupLoad(w, r, lang, me)
	if !ok {
		return
	}
	notice := "stoppet"
	err := s.store.StopGroupLink(officeCtx(r, me), g.ID, s.now())
	switch {
	case errors.Is(err, store.ErrNotFound): // no link (stopped a moment ago)
		notice = ""
	case err != nil:
		s.serverError(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/grupper/"+g.ID+"/gruppelenke", notice)
}

// groupselfRequestsView is the house's list of its groups' requests.
type groupselfRequestsView struct {
	*officeView
	Open, Done []groupselfRequestRow
}

// groupselfRequestsPage is GET /kontor/gruppeonsker: the requests of the
// groups of every organisation where the user may edit listings, the open
// ones first.
func (s *site) groupselfRequestsPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	ctx := r.Context()
	sc, err := s.officeScope(ctx, me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !sc.canAny(auth.EditListing) {
		s.notFound(w, r, lang)
		return
	}
	v := &groupselfRequestsView{officeView: s.newOfficeView(r, lang, "/kontor/gruppeonsker", me, "grouprequests",
		"groupself.requests_title")}
	if n, ok := groupselfOfficeNotices[r.URL.Query().Get("melding")]; ok {
		v.Notice = n
	}
	reqs, err := s.store.GroupRequests(ctx, store.GroupRequestFilter{OrgIDs: sc.orgIDs(auth.EditListing)})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	var gids, uids []string
	for _, q := range reqs {
		gids = append(gids, q.GroupID)
		uids = append(uids, q.DoneBy)
	}
	groups, err := s.store.GroupsByID(ctx, uniqStrings(gids))
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	byID := map[string]domain.Group{}
	for _, g := range groups {
		byID[g.ID] = g
	}
	names, err := s.store.UserNames(ctx, uids)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	for _, row := range groupselfRequestRows(v.officeView, reqs, names) {
		row.Group = byID[row.GroupID]
		if row.DoneAt.IsZero() {
			v.Open = append(v.Open, row)
		} else {
			v.Done = append(v.Done, row)
		}
	}
	s.render(w, r, http.StatusOK, "groupself_requests", v)
}

func uniqStrings(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// groupselfRequestDonePost is POST /kontor/gruppeonsker/{id}: done=1 marks
// the request done, done=0 opens it again.
func (s *site) groupselfRequestDonePost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	ctx := r.Context()
	id := officePathID(r, "id")
	if id == "" {
		s.notFound(w, r, lang)
		return
	}
	q, err := s.store.GroupRequestByID(ctx, id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	sc, err := s.officeScope(ctx, me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !sc.can(auth.EditListing, q.OrgID) {
		s.notFound(w, r, lang)
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	done := r.PostForm.Get("done") == "1"
	notice := "apnet"
	if done {
		notice = "ordnet"
	}
	if done == q.DoneAt.IsZero() {
		err := s.store.SetGroupRequestDone(officeCtx(r, me), q.ID, done, s.now())
		if err != nil && !errors.Is(err, store.ErrNotFound) { // not found: changed a moment ago
			s.serverError(w, r, lang, err)
			return
		}
	}
	s.officeDone(w, r, lang, "/kontor/gruppeonsker", notice)
}
