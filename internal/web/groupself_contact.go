package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The group contact's page, reached by the private link the house sent
// them, with no account: the group's status, whether it takes new members,
// the numbers of the last months, and a request to the house. Every change
// is made with the actor store.GroupContactActor and shows in the group's
// history in the back office.

// groupselfStatuses are the statuses a contact may set: meeting (running),
// paused, ended. An ended group's status is the house's to change.
var groupselfStatuses = []domain.Status{domain.StatusRunning, domain.StatusPaused, domain.StatusEnded}

// groupselfNotices are the confirmations on the contact's page, by ?melding=.
var groupselfNotices = map[string]string{
	"status":    "groupself.notice_status",
	"medlemmer": "groupself.notice_members",
	"rapport":   "groupself.notice_report",
	"onske":     "groupself.notice_request",
}

// Limits of the contact's texts, in characters.
const groupselfMaxReason = 300

// groupselfView is the contact's page.
type groupselfView struct {
	*officeView
	Group    domain.Group
	token    string
	House    domain.Organisation
	Schedule Phrase
	Open     []groupselfReportRow // the months a report may be written for, newest first
	Past     []groupselfReportRow // older reports
	Requests []groupselfRequestRow
}

// Link is a path of the contact's link: "" for the page itself, or
// "/status", "/rapport", …
func (v *groupselfView) Link(suffix string) string { return v.Href("/gruppelenke/" + v.token + suffix) }

// Ended reports whether the group has ended: its status and requests are
// the house's then.
func (v *groupselfView) Ended() bool { return v.Group.Status == domain.StatusEnded }

// TakesNew is whether the group takes new members, in words.
func (v *groupselfView) TakesNew() Phrase {
	if v.Group.TakesNewMembers {
		return v.L("groupself.members_yes")
	}
	return v.L("groupself.members_no")
}

// MaxMeetings and MaxPresent are the limits of a month's numbers.
func (v *groupselfView) MaxMeetings() int { return store.MaxReportMeetings }
func (v *groupselfView) MaxPresent() int  { return store.MaxReportPresent }

// newGroupselfView loads what the page shows, with the forms filled from
// the group (the handler of a form that failed then keeps what was typed).
func (s *site) newGroupselfView(r *http.Request, lang, token string, g domain.Group) (*groupselfView, error) {
	ctx := r.Context()
	v := &groupselfView{officeView: s.newOfficeView(r, lang, "/gruppelenke/"+token, nil, "", "groupself.title",
		"Name", g.Name.In(lang)), Group: g, token: token}
	v.Notice = groupselfNotices[r.URL.Query().Get("melding")]
	house, err := s.store.Organisation(ctx, g.OrgID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	v.House = house
	v.Schedule = ScheduleWords(v.cat, v.Lang, g.Schedule)
	if slices.Contains(groupselfStatuses, g.Status) {
		v.set("status", string(g.Status))
	}
	v.opts("status", officeEnum(v.officeView, "groupself.status.", groupselfStatuses))
	v.set("takes_new", "0")
	if g.TakesNewMembers {
		v.set("takes_new", "1")
	}
	v.opts("takes_new", []officeOption{{Value: "1", Text: v.S("groupself.members_yes")}, {Value: "0", Text: v.S("groupself.members_no")}})
	v.opts("request_kind", officeEnum(v.officeView, "groupself.kind.", store.RequestKinds))
	reports, err := s.store.GroupReports(ctx, g.ID)
	if err != nil {
		return nil, err
	}
	open := store.ReportMonths(s.now())
	have := map[string]store.GroupReport{}
	for _, rep := range reports {
		have[rep.Month] = rep
	}
	for _, m := range open {
		v.Open = append(v.Open, groupselfReportRow{Month: m, Label: groupselfMonth(v.officeView, m)})
		if rep, ok := have[m]; ok {
			v.set("meetings-"+m, strconv.Itoa(rep.Meetings))
			v.set("present-"+m, strconv.Itoa(rep.Present))
		}
	}
	var past []store.GroupReport
	for _, rep := range reports {
		if !slices.Contains(open, rep.Month) {
			past = append(past, rep)
		}
	}
	v.Past = groupselfReportRows(v.officeView, past)
	reqs, err := s.store.GroupRequests(ctx, store.GroupRequestFilter{GroupID: g.ID})
	if err != nil {
		return nil, err
	}
	v.Requests = groupselfRequestRows(v.officeView, reqs, nil)
	return v, nil
}

// groupselfPage is GET /gruppelenke/{token}.
func (s *site) groupselfPage(w http.ResponseWriter, r *http.Request, lang string) {
	g, token, ok := s.groupselfOpen(w, r, lang)
	if !ok {
		return
	}
	v, err := s.newGroupselfView(r, lang, token, g)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, http.StatusOK, "groupself_contact", v)
}

// groupselfForm opens the group of the link and its page for a posted
// form, with the posted fields kept.
func (s *site) groupselfForm(w http.ResponseWriter, r *http.Request, lang string, fields ...string) (*groupselfView, bool) {
	g, token, ok := s.groupselfOpen(w, r, lang)
	if !ok || !s.officeParse(w, r, lang) {
		return nil, false
	}
	v, err := s.newGroupselfView(r, lang, token, g)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, false
	}
	v.keep(r.PostForm, fields...)
	return v, true
}

// groupselfDone redirects to the contact's page with a notice, at the
// section that was changed.
func (s *site) groupselfDone(w http.ResponseWriter, r *http.Request, v *groupselfView, notice string) {
	s.seeOther(w, r, v.Link("")+"?melding="+notice)
}

// groupselfStatusPost is POST /gruppelenke/{token}/status: meeting, paused
// or ended, with a reason if the contact gives one; the lifecycle history
// keeps it.
func (s *site) groupselfStatusPost(w http.ResponseWriter, r *http.Request, lang string) {
	v, ok := s.groupselfForm(w, r, lang, "status", "reason")
	if !ok {
		return
	}
	g := v.Group
	var status domain.Status
	if v.Ended() {
		v.fail("status", "groupself.err_ended")
	} else {
		status = officeChoice(v.officeView, "status", groupselfStatuses, "groupself.err_status")
		if status == g.Status {
			v.fail("status", "groupself.err_status_same")
		}
	}
	reason := v.text("reason", groupselfMaxReason)
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "groupself_contact", v)
		return
	}
	g.Status = status
	if err := s.store.SaveGroup(groupselfContactCtx(r), &g, store.GroupContactActor, reason); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.groupselfDone(w, r, v, "status")
}

// groupselfMembersPost is POST /gruppelenke/{token}/nye-medlemmer.
func (s *site) groupselfMembersPost(w http.ResponseWriter, r *http.Request, lang string) {
	v, ok := s.groupselfForm(w, r, lang, "takes_new")
	if !ok {
		return
	}
	g := v.Group
	if v.Ended() {
		v.fail("takes_new", "groupself.err_ended")
	}
	takes := officeChoice(v.officeView, "takes_new", []string{"1", "0"}, "groupself.err_members")
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "groupself_contact", v)
		return
	}
	if (takes == "1") != g.TakesNewMembers {
		g.TakesNewMembers = takes == "1"
		if err := s.store.SaveGroup(groupselfContactCtx(r), &g, store.GroupContactActor, ""); err != nil {
			s.serverError(w, r, lang, err)
			return
		}
	}
	s.groupselfDone(w, r, v, "medlemmer")
}

// groupselfReportPost is POST /gruppelenke/{token}/rapport: the numbers of
// the open months; a month left empty has no report.
func (s *site) groupselfReportPost(w http.ResponseWriter, r *http.Request, lang string) {
	months := store.ReportMonths(s.now())
	var fields []string
	for _, m := range months {
		fields = append(fields, "meetings-"+m, "present-"+m)
	}
	v, ok := s.groupselfForm(w, r, lang, fields...)
	if !ok {
		return
	}
	var in []store.GroupReportInput
	for _, m := range months {
		mf, pf := "meetings-"+m, "present-"+m
		meetings := v.integer(mf, 0, store.MaxReportMeetings, -1)
		present := v.integer(pf, 0, store.MaxReportPresent, -1)
		if v.Err(mf) != nil || v.Err(pf) != nil {
			continue
		}
		switch {
		case meetings < 0 && present < 0:
			in = append(in, store.GroupReportInput{Month: m, Remove: true})
		case meetings < 0:
			v.fail(mf, "groupself.err_both", "Month", groupselfMonth(v.officeView, m).Text)
		case present < 0:
			v.fail(pf, "groupself.err_both", "Month", groupselfMonth(v.officeView, m).Text)
		case meetings == 0 && present > 0:
			v.fail(pf, "groupself.err_present_no_meetings")
		default:
			in = append(in, store.GroupReportInput{Month: m, Meetings: meetings, Present: present})
		}
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "groupself_contact", v)
		return
	}
	if _, err := s.store.SaveGroupReports(groupselfContactCtx(r), v.Group.ID, in, s.now()); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.groupselfDone(w, r, v, "rapport")
}

// groupselfAskPost is POST /gruppelenke/{token}/onske: a request to the
// house for another room or time. The house's coordinators get a mail
// that points to the back office (without the message, which stays in the
// database, sealed), and the request waits in its list.
func (s *site) groupselfAskPost(w http.ResponseWriter, r *http.Request, lang string) {
	v, ok := s.groupselfForm(w, r, lang, "request_kind", "request_message")
	if !ok {
		return
	}
	if v.Ended() {
		v.fail("request_kind", "groupself.err_ended")
	}
	kind := officeChoice(v.officeView, "request_kind", store.RequestKinds, "groupself.err_kind")
	message := v.text("request_message", store.MaxRequestMessage)
	if message == "" && v.Err("request_message") == nil {
		v.fail("request_message", "groupself.err_message")
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "groupself_contact", v)
		return
	}
	ctx := r.Context()
	to, err := s.store.RequestRecipients(ctx, v.Group.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	var mails []store.OutboxMail
	if len(to) > 0 {
		link, err := s.accountLinker(r)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		// Staff have no language of their own yet: Bokmål, the house's.
		ml := i18n.Default
		subject, body, err := mail.Compose(s.cat, ml, "groupself_request", map[string]any{
			"Group": v.Group.Name.In(ml), "Kind": v.S("groupself.kind." + kind),
			"Link": link(ml, "/kontor/gruppeonsker")})
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		for _, addr := range to {
			mails = append(mails, store.OutboxMail{To: addr, Subject: subject, Body: body, Lang: ml, Kind: "groupself_request"})
		}
	}
	req := store.GroupRequest{GroupID: v.Group.ID, Kind: kind, Message: message}
	if err := s.store.CreateGroupRequest(groupselfContactCtx(r), &req, mails, s.now()); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.groupselfDone(w, r, v, "onske")
}
