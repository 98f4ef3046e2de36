package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// FollowUpOptions configure the follow-up job.
type FollowUpOptions struct {
	Interval time.Duration    // how often it runs; default an hour
	Now      func() time.Time // default time.Now
	// LinkBase is the site's address for the link in the mail
	// ("https://selvhjelp.example.no"); "" gives a path alone.
	LinkBase string
	Catalog  *i18n.Catalog // default i18n.DefaultCatalog()
}

// FollowUpJob is the job "follow-up": once an hour, under its lease, it
// sends the starter and the coordinators of a starting group a follow-up
// reminder once the group has held the meetings its assignment asks for
// (see Meetings), once per assignment.
func FollowUpJob(st *store.Store, logger *slog.Logger, opts FollowUpOptions) Job {
	if opts.Interval <= 0 {
		opts.Interval = time.Hour
	}
	return Job{Name: "follow-up", Interval: opts.Interval, Run: func(ctx context.Context) error {
		n, err := SendFollowUps(ctx, st, logger, opts)
		if n > 0 {
			logger.Info("follow-up reminders", "groups", n)
		}
		return err
	}}
}

// Meetings counts the meetings a group has held from its start-up meeting
// (at start) up to now: the occurrences of its schedule in that span, or,
// for a group with no schedule yet, one a week from the start-up meeting
// (which counts). It counts at most limit.
func Meetings(g domain.Group, start, now time.Time, limit int) int {
	if now.Before(start) {
		return 0
	}
	if g.Schedule.Start.IsZero() {
		return min(limit, 1+int(now.Sub(start)/(7*24*time.Hour)))
	}
	n := 0
	for _, t := range g.Schedule.Next(start, limit) {
		if !t.After(now) {
			n++
		}
	}
	return n
}

// SendFollowUps sends the reminders that are due and returns for how many
// groups. Each assignment's reminder is marked sent in the transaction
// that enqueues its mails, so a reminder goes out once. It logs counts
// only.
func SendFollowUps(ctx context.Context, st *store.Store, logger *slog.Logger, opts FollowUpOptions) (int, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	cat := opts.Catalog
	if cat == nil {
		cat = i18n.DefaultCatalog()
	}
	due, err := st.PendingFollowUps(ctx)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	users, err := st.Users(ctx)
	if err != nil {
		return 0, err
	}
	orgs, err := st.Organisations(ctx)
	if err != nil {
		return 0, err
	}
	parent := map[string]string{}
	for _, o := range orgs {
		parent[o.ID] = o.ParentID
	}
	sent := 0
	for _, a := range due {
		t := now()
		g, err := st.Group(ctx, a.GroupID)
		if err != nil {
			return sent, err
		}
		held := Meetings(g, a.StartDate, t, a.FollowUpAfter)
		if held < a.FollowUpAfter {
			continue
		}
		var to []store.User
		for _, u := range users {
			if u.ID == a.UserID && !u.Disabled {
				to = append(to, u)
			}
		}
		// The coordinators of the group's organisation, or of the nearest
		// organisation above it that has any.
		for org, hops := a.OrgID, 0; org != "" && hops <= len(orgs); org, hops = parent[org], hops+1 {
			found := false
			for _, u := range users {
				if !u.Disabled && u.ID != a.UserID && slices.Contains(u.Memberships, store.Membership{OrgID: org, Role: store.RoleCoordinator}) {
					to, found = append(to, u), true
				}
			}
			if found {
				break
			}
		}
		loc, _ := time.LoadLocation(domain.DefaultTimeZone)
		if loc == nil {
			loc = time.UTC
		}
		var mails []store.OutboxMail
		for _, u := range to {
			subject, body, err := mail.Compose(cat, "nb", "formation_follow_up", map[string]any{"Recipient": u.Name,
				"Group": g.Name.In("nb"), "Meetings": held, "Started": a.StartDate.In(loc).Format("02.01.2006"),
				"Link": strings.TrimRight(opts.LinkBase, "/") + "/kontor/grupper-i-emning/" + g.ID})
			if err != nil {
				return sent, err
			}
			mails = append(mails, store.OutboxMail{To: u.Email, Subject: subject, Body: body, Lang: "nb", Kind: "formation_follow_up"})
		}
		sys := store.WithActor(ctx, store.Actor{ID: "system"})
		if err := st.SendFollowUp(sys, a.ID, mails, t); err != nil {
			return sent, fmt.Errorf("follow-up of an assignment: %w", err)
		}
		sent++
	}
	return sent, nil
}
