package web

// A group's page in the back office: its facts, the forms that change its
// status and verify it, and its history.

import (
	"context"
	"net/http"
	"slices"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// officeGroupLoad loads the group of the path and checks that the user may
// edit its organisation's listings; otherwise it answers 404.
func (s *site) officeGroupLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*officeScope, domain.Group, bool) {
	byID := func(ctx context.Context, id string) (domain.Group, error) {
		g, err := s.store.Group(ctx, id)
		if err == nil && g.ID != id { // found by slug: the path takes IDs only
			return g, store.ErrNotFound
		}
		return g, err
	}
	return officeLoadOwned(s, w, r, lang, me, byID, func(g domain.Group) string { return g.OrgID })
}

// officeStatusEntry is a line of a group's status history.
type officeStatusEntry struct {
	When   Phrase
	Status domain.Status
	Reason string
	By     string
}

// officeChangeEntry is a change of a group from the audit log.
type officeChangeEntry struct {
	When   Phrase
	By     string
	Action string // message id
	Fields []Phrase
	Note   Phrase // a further line (what a group's contact reported)
}

type officeGroupView struct {
	*officeView
	Group     domain.Group
	OrgName   string
	ModelName domain.Text
	Schedule  Phrase
	Verified  Phrase
	Statuses  []officeStatusEntry
	Changes   []officeChangeEntry
}

// officeGroupPage is GET /kontor/grupper/{id}: the group, its status and
// verification, with the forms that change them, and its history.
func (s *site) officeGroupPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, g, ok := s.officeGroupLoad(w, r, lang, me)
	if !ok {
		return
	}
	v := s.newOfficeGroupView(r, lang, me, g)
	v.set("status", string(g.Status))
	s.officeGroupRender(w, r, lang, http.StatusOK, v, sc)
}

func (s *site) newOfficeGroupView(r *http.Request, lang string, me *auth.Current, g domain.Group) *officeGroupView {
	v := &officeGroupView{officeView: s.newOfficeView(r, lang, "/kontor/grupper/"+g.ID, me, "groups", "office.group_title",
		"Name", g.Name.In(lang)), Group: g}
	return v
}

// officeGroupRender fills in the group's page and its history, and renders it.
func (s *site) officeGroupRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *officeGroupView, sc *officeScope) {
	ctx := r.Context()
	g := v.Group
	v.OrgName = sc.byID[g.OrgID].Name
	models, err := s.store.Models(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	for _, m := range models {
		if m.ID == g.ModelID {
			v.ModelName = m.Name
		}
	}
	v.Schedule = ScheduleWords(v.cat, v.Lang, g.Schedule)
	if !g.VerifiedAt.IsZero() {
		v.Verified = v.When(g.VerifiedAt)
	}
	v.opts("status", officeEnum(v.officeView, "status.", domain.Statuses))
	hist, err := s.store.GroupHistory(ctx, g.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	changes, err := s.store.AuditLog(ctx, store.AuditFilter{ObjectType: "group", ObjectID: g.ID, Limit: 200})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	var ids []string
	for _, h := range hist {
		ids = append(ids, h.ChangedBy)
	}
	for _, e := range changes {
		ids = append(ids, e.ActorID)
	}
	names, err := s.store.UserNames(ctx, ids)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	who := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		if n := v.GroupselfActor(id); n != "" {
			return n
		}
		return id
	}
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		v.Statuses = append(v.Statuses, officeStatusEntry{When: v.When(h.ChangedAt), Status: h.Status, Reason: h.Reason, By: who(h.ChangedBy)})
	}
	for _, e := range changes {
		c := officeChangeEntry{When: v.When(e.At), By: who(e.ActorID), Action: officeActionID(e.Action)}
		if action, note, ok := v.GroupselfHistory(e); ok {
			c.Action, c.Note = action, note
		}
		changed, _ := e.Detail["changed"].(map[string]any)
		fields := make([]string, 0, len(changed))
		for f := range changed {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		for _, f := range fields {
			c.Fields = append(c.Fields, v.officeFieldName(f))
		}
		v.Changes = append(v.Changes, c)
	}
	s.render(w, r, status, "office_group", v)
}

// officeActionID is the message id that names an action of the audit log.
func officeActionID(action string) string {
	switch action {
	case "group.create", "organisation.create", "venue.create", "room.create", "theme.create", "model.create":
		return "office.action_create"
	case "group.update", "organisation.update", "venue.update", "room.update", "theme.update", "model.update":
		return "office.action_update"
	}
	return ""
}

// officeFieldNames are the fields of a listing whose names the catalogue
// has, as office.field.<Name>.
var officeFieldNames = []string{"Slug", "Name", "Description", "ModelID", "OrgID", "Format", "Languages", "AgeGroup",
	"Gender", "ForRelatives", "Status", "TakesNewMembers", "Capacity", "Join", "Schedule", "VenueID", "RoomID",
	"MunicipalityID", "ThemeIDs", "VerifiedAt", "OnlineURL", "OnlinePhone", "OnlineNotes"}

// officeFieldName names a changed field in words, or as it is.
func (v *officeView) officeFieldName(f string) Phrase {
	if slices.Contains(officeFieldNames, f) {
		return v.L("office.field." + f)
	}
	return Phrase{Text: f}
}
