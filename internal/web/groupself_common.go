package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Group self-service (issue 5, item 4): files groupself_*.go, templates
// groupself_*.html, messages locales/groupself.*.json.
//
//	GET      {p}/gruppelenke/{token}                     the group contact's page (no account)
//	POST     {p}/gruppelenke/{token}/status              meeting, paused or ended, with an optional reason
//	POST     {p}/gruppelenke/{token}/nye-medlemmer       takes new members or not
//	POST     {p}/gruppelenke/{token}/rapport             meetings held and people present, per month
//	POST     {p}/gruppelenke/{token}/onske               ask the house for another room or time
//	GET/POST {p}/kontor/grupper/{id}/gruppelenke         the coordinator: the link, sent (or replaced) by mail
//	POST     {p}/kontor/grupper/{id}/gruppelenke/stopp   the coordinator stops the link
//	GET      {p}/kontor/gruppeonsker                     the house's list of the groups' requests
//	POST     {p}/kontor/gruppeonsker/{id}                a request done, or open again
//
// The link carries a random token of 32 bytes, base64url (auth.NewToken,
// as every private link of the site); the database keeps only its SHA-256
// (auth.HashToken), and a new link replaces the old one at once. Every
// answer under /gruppelenke/ is no-store, sends no Referer and asks not to
// be indexed; a token that opens nothing gets the same 404 page whatever
// the reason; the access log shows such paths without the token (package
// logpath). Requests to the link's pages are limited per network, as the
// enquiry links are.
//
// Who may do what in the back office: the link, the group's reports and
// requests, and the requests page need auth.EditListing in the group's
// organisation — administrators, and coordinators of the organisation or
// one above it. Starters and partners get 404 (a partner only reads
// listings; the link is a key to change one, and the requests are messages
// to the house). A coordinator of another house gets 404, as for a group
// that does not exist.

func init() { staffAreas = append(staffAreas, groupselfRoutes) }

func groupselfRoutes(s *site, mux *http.ServeMux, lang, p string) {
	c := p + "/gruppelenke/{token}"
	mux.Handle(c, groupselfTokenPage(s.methods(lang, s.groupselfPage, nil)))
	mux.Handle(c+"/status", groupselfTokenPage(s.methods(lang, nil, s.groupselfStatusPost)))
	mux.Handle(c+"/nye-medlemmer", groupselfTokenPage(s.methods(lang, nil, s.groupselfMembersPost)))
	mux.Handle(c+"/rapport", groupselfTokenPage(s.methods(lang, nil, s.groupselfReportPost)))
	mux.Handle(c+"/onske", groupselfTokenPage(s.methods(lang, nil, s.groupselfAskPost)))
	mux.Handle(c+"/", groupselfTokenPage(s.methods(lang, s.notFound, nil)))
	mux.Handle(p+"/kontor/grupper/{id}/gruppelenke", s.methods(lang, s.staff(s.groupselfLinkPage, false),
		s.staff(s.groupselfLinkPost, false)))
	mux.Handle(p+"/kontor/grupper/{id}/gruppelenke/stopp", s.methods(lang, nil, s.staff(s.groupselfStopPost, false)))
	mux.Handle(p+"/kontor/gruppeonsker", s.methods(lang, s.staff(s.groupselfRequestsPage, false), nil))
	mux.Handle(p+"/kontor/gruppeonsker/{id}", s.methods(lang, nil, s.staff(s.groupselfRequestDonePost, false)))
}

// groupselfTokenPage wraps a page whose URL carries a group's token:
// no-store, no Referer (accountTokenPage), and no indexing.
func groupselfTokenPage(h http.Handler) http.Handler {
	inner := accountTokenPage(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Robots-Tag", "noindex, nofollow")
		inner.ServeHTTP(w, r)
	})
}

// groupselfLimit limits the requests to the link's pages from one network
// in fixed windows shared by every instance (store.HitRateLimit): plenty
// for the contacts of a house's groups behind one address, too few to
// guess a token (which has 256 bits anyway).
var groupselfLimit = struct {
	Window    time.Duration
	PerSource int
}{15 * time.Minute, 120}

// groupselfContactCtx is the request's context with the group's contact as
// the actor of store changes.
func groupselfContactCtx(r *http.Request) context.Context {
	return store.WithActor(r.Context(), store.Actor{ID: store.GroupContactActor, Source: store.SourceOf(r.RemoteAddr)})
}

// groupselfOpen opens the group of the request's token, or answers with
// the one page for a link that does not work (404, whatever the reason),
// or with 429 past the network's limit.
func (s *site) groupselfOpen(w http.ResponseWriter, r *http.Request, lang string) (domain.Group, string, bool) {
	token := r.PathValue("token")
	now := s.now().UTC()
	start := now.Truncate(groupselfLimit.Window)
	n, err := s.store.HitRateLimit(r.Context(), "groupself:token:"+store.SourceOf(r.RemoteAddr), start)
	if err != nil {
		s.serverError(w, r, lang, err)
		return domain.Group{}, "", false
	}
	if n > groupselfLimit.PerSource {
		if n == groupselfLimit.PerSource+1 {
			ctx := store.WithActor(r.Context(), store.Actor{Source: store.SourceOf(r.RemoteAddr)})
			if err := s.store.Audit(ctx, store.AuditEntry{Action: "groupself.rate_limited"}); err != nil {
				s.log.Error("groupself: audit", "err", err)
			}
		}
		retry := start.Add(groupselfLimit.Window).Sub(now)
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
		v := s.newOfficeView(r, lang, "/gruppelenke/"+token, nil, "", "groupself.limited_title")
		v.fail("", "groupself.rate_limited", "Minutes", int(retry.Minutes())+1)
		s.render(w, r, http.StatusTooManyRequests, "groupself_invalid", v)
		return domain.Group{}, "", false
	}
	if !auth.WellFormed(token) {
		s.groupselfInvalid(w, r, lang, token)
		return domain.Group{}, "", false
	}
	g, err := s.store.GroupByLink(r.Context(), auth.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		s.groupselfInvalid(w, r, lang, token)
		return g, "", false
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return g, "", false
	}
	return g, token, true
}

// groupselfInvalid is the page of a link that does not work: 404, with no
// hint whether it ever did.
func (s *site) groupselfInvalid(w http.ResponseWriter, r *http.Request, lang, token string) {
	v := s.newOfficeView(r, lang, "/gruppelenke/"+token, nil, "", "groupself.invalid_title")
	s.render(w, r, http.StatusNotFound, "groupself_invalid", v)
}

// groupselfMonth names a month ("2026-02") in words: "Februar 2026".
func groupselfMonth(v *officeView, month string) Phrase {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return Phrase{Text: month}
	}
	name, _ := v.cat.Lookup(v.Lang, fmt.Sprintf("month.%d", int(t.Month())), nil)
	ph := v.L("groupself.month", "Month", name, "Year", t.Year())
	ph.Text = ucfirst(ph.Text)
	return ph
}

// groupselfReportRow is a month's report as the pages show it.
type groupselfReportRow struct {
	Month    string
	Label    Phrase
	Meetings int
	Present  int
}

func groupselfReportRows(v *officeView, rs []store.GroupReport) []groupselfReportRow {
	out := make([]groupselfReportRow, 0, len(rs))
	for _, r := range rs {
		out = append(out, groupselfReportRow{Month: r.Month, Label: groupselfMonth(v, r.Month), Meetings: r.Meetings,
			Present: r.Present})
	}
	return out
}

// groupselfRequestRow is a group's request as the pages show it.
type groupselfRequestRow struct {
	store.GroupRequest
	Group   domain.Group // on the house's list
	Kind    Phrase
	Asked   Phrase
	Done    Phrase
	DoneBy  string
	Message []string // the lines of the message
}

func groupselfRequestRows(v *officeView, rs []store.GroupRequest, names map[string]string) []groupselfRequestRow {
	out := make([]groupselfRequestRow, 0, len(rs))
	for _, r := range rs {
		row := groupselfRequestRow{GroupRequest: r, Kind: v.L("groupself.kind." + r.Kind), Asked: v.When(r.CreatedAt),
			Message: strings.Split(strings.ReplaceAll(r.Message, "\r\n", "\n"), "\n")}
		if !r.DoneAt.IsZero() {
			row.Done = v.When(r.DoneAt)
			row.DoneBy = names[r.DoneBy]
		}
		out = append(out, row)
	}
	return out
}

// The words of group self-service in a group's history on the back
// office's group page (office_group.go): the actions of the audit log, and
// the name of the group's contact as the actor.

// GroupselfHistory returns the words of an action of group self-service in
// a group's history: the message id that names the action, and a line of
// detail (a month's numbers, the kind of a request). ok is false for an
// action of another part.
func (v *officeView) GroupselfHistory(e store.AuditEntry) (action string, note Phrase, ok bool) {
	if !strings.HasPrefix(e.Action, "groupself.") || e.Action == "groupself.rate_limited" {
		return "", Phrase{}, false
	}
	action = "groupself.action." + strings.TrimPrefix(e.Action, "groupself.")
	num := func(k string) int {
		f, _ := e.Detail[k].(float64)
		return int(f)
	}
	switch e.Action {
	case "groupself.report":
		month, _ := e.Detail["month"].(string)
		note = v.L("groupself.history_report", "Month", groupselfMonth(v, month).Text, "Meetings", num("meetings"),
			"Present", num("present"))
	case "groupself.report_remove":
		month, _ := e.Detail["month"].(string)
		note = v.L("groupself.history_report_remove", "Month", groupselfMonth(v, month).Text)
	case "groupself.request":
		kind, _ := e.Detail["kind"].(string)
		note = v.L("groupself.history_request", "Kind", v.S("groupself.kind."+kind))
	}
	return action, note, true
}

// GroupselfActor names an actor of a group's history that is not a staff
// user ("group-contact"), or returns "".
func (v *officeView) GroupselfActor(id string) string {
	if id == store.GroupContactActor {
		return v.S("groupself.actor_contact")
	}
	return ""
}

// GroupselfRequestsLink reports whether the signed-in user has the
// requests page, /kontor/gruppeonsker, for a link in the back office's
// menu: an administrator or a coordinator.
func (v staffView) GroupselfRequestsLink() bool { return staffEditsListings(v.Me) }

// staffEditsListings reports whether the user may edit listings somewhere
// (an administrator, or a coordinator), without the store: a role in an
// organisation gives its rights there whatever is under it.
func staffEditsListings(me *auth.Current) bool {
	if me == nil || me.Stage() != auth.StageDone {
		return false
	}
	p := me.Principal()
	if p.Admin {
		return auth.Allowed(p, auth.EditListing, "", nil)
	}
	for _, m := range p.Memberships {
		if auth.Allowed(p, auth.EditListing, m.OrgID, auth.Tree{}) {
			return true
		}
	}
	return false
}
