package web

import (
	"errors"
	"net/http"
	"os"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/sms"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The state of the outbox, for administrators: how many mails and text
// messages (SMS) wait, are being sent, were sent and failed, how old the
// oldest waiting one is, whether mail and SMS are configured, and the failed
// ones, each of which can be put back to be tried again.
//
// The recipients of failed mails and text messages are personal data (staff,
// invitees, people who enquired): showing them writes an audit row
// "outbox.read" with their number, never the addresses or phone numbers.
// Putting one back writes "outbox.retry".
//
//	GET  /kontor/epost                   the state (administrators; others 404)
//	POST /kontor/epost/{id}/prov-igjen   a failed mail back to pending, then back to the page

func init() { staffAreas = append(staffAreas, mailStatusRoutes) }

func mailStatusRoutes(s *site, mux *http.ServeMux, lang, p string) {
	mux.Handle(p+"/kontor/epost", s.methods(lang, s.staff(s.mailStatusPage, false), nil))
	mux.Handle(p+"/kontor/epost/{id}/prov-igjen", s.methods(lang, nil, s.staff(s.mailRetryPost, false)))
}

// mailConfigured and smsConfigured report whether mail and text messages
// can be sent: the sender jobs read the same settings (mail.ConfigFromEnv,
// sms.ConfigFromEnv). Variables so that tests can set them.
var (
	mailConfigured = func() bool { return os.Getenv(mail.EnvHost) != "" }
	smsConfigured  = func() bool { return os.Getenv(sms.EnvURL) != "" }
)

// mailStalledAfter is how old the oldest pending mail may be before the page
// warns that mail is stuck.
const mailStalledAfter = time.Hour

// mailStatusAllowed: administrators only (with their second factor).
func mailStatusAllowed(me *auth.Current) bool {
	p := me.Principal()
	return p.Admin && auth.Allowed(p, auth.ReadAudit, "", nil)
}

// mailFailedRow is a failed mail as the page shows it.
type mailFailedRow struct {
	ID                string
	Kind              string
	Channel           string // message id of the channel's name
	Created, Failed   Phrase
	CreatedISO        string
	FailedISO         string
	Attempts          int
	LastError         string
	To                string
	RetryURL, RetryID string
}

type mailStatusView struct {
	*officeView
	Pending, Sending, Sent, FailedCount int
	Retrying, SMSPending                int
	HasPending                          bool
	OldestAge                           Phrase
	OldestISO                           string
	NotConfigured, SMSNotConfigured     bool
	Stalled                             bool
	Failed                              []mailFailedRow
	More                                bool // the list is cut at store.FailedListLimit
}

// mailNotices are the confirmations after a retry, by ?melding=.
var mailNotices = map[string]string{
	"prov-igjen": "mailstatus.notice_retried",
	"borte":      "mailstatus.notice_gone",
}

// mailStatusPage is GET /kontor/epost.
func (s *site) mailStatusPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !mailStatusAllowed(me) {
		s.notFound(w, r, lang)
		return
	}
	ctx := r.Context()
	sum, err := s.store.OutboxStatus(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &mailStatusView{officeView: s.newOfficeView(r, lang, "/kontor/epost", me, "mail", "mailstatus.title")}
	if n, ok := mailNotices[r.URL.Query().Get("melding")]; ok {
		v.Notice = n
	}
	v.Pending, v.Sending, v.Sent, v.FailedCount = sum.Counts[store.MailPending], sum.Counts[store.MailSending],
		sum.Counts[store.MailSent], sum.Counts[store.MailFailed]
	v.Retrying = sum.Retrying
	v.SMSPending = sum.ByChannel[store.ChannelSMS][store.MailPending]
	v.NotConfigured = !mailConfigured()
	v.SMSNotConfigured = !smsConfigured()
	if !sum.OldestPending.IsZero() {
		v.HasPending = true
		// The store stamps mails with the real clock, so the age is measured by it too.
		age := max(time.Since(sum.OldestPending), 0)
		v.OldestAge = v.mailAge(age)
		v.OldestISO = sum.OldestPending.UTC().Format(time.RFC3339)
		v.Stalled = age > mailStalledAfter
	}
	v.More = len(sum.Failed) >= store.FailedListLimit && v.FailedCount > len(sum.Failed)
	for _, m := range sum.Failed {
		row := mailFailedRow{ID: m.ID, Kind: m.Kind, Channel: "mailstatus.channel_" + m.Channel, Created: v.When(m.CreatedAt), CreatedISO: m.CreatedAt.UTC().Format(time.RFC3339),
			Attempts: m.Attempts, LastError: clip(m.LastError, 300), To: m.To,
			RetryURL: v.Href("/kontor/epost/" + m.ID + "/prov-igjen"), RetryID: "retry-" + m.ID}
		if !m.FailedAt.IsZero() {
			row.Failed = v.When(m.FailedAt)
			row.FailedISO = m.FailedAt.UTC().Format(time.RFC3339)
		}
		v.Failed = append(v.Failed, row)
	}
	if len(v.Failed) > 0 && r.Method == http.MethodGet {
		// The addresses are about to be shown: log that, with their number only.
		err := s.store.Audit(ctx, store.AuditEntry{ActorID: me.User.ID, Action: "outbox.read", ObjectType: "outbox",
			Source: store.SourceOf(r.RemoteAddr), Detail: map[string]any{"count": len(v.Failed)}})
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "mail_status", v)
}

// mailAge is a duration in whole minutes, hours or days.
func (v *mailStatusView) mailAge(d time.Duration) Phrase {
	var id string
	var n int
	switch {
	case d < time.Hour:
		id, n = "mailstatus.age_minutes", int(d/time.Minute)
	case d < 48*time.Hour:
		id, n = "mailstatus.age_hours", int(d/time.Hour)
	default:
		id, n = "mailstatus.age_days", int(d/(24*time.Hour))
	}
	text, lang := v.cat.Plural(v.Lang, id, n, nil)
	return Phrase{text, lang}
}

// mailRetryPost is POST /kontor/epost/{id}/prov-igjen: a failed mail goes
// back to pending, due now, and the page says so.
func (s *site) mailRetryPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !mailStatusAllowed(me) {
		s.notFound(w, r, lang)
		return
	}
	id := officePathID(r, "id")
	if id == "" {
		s.notFound(w, r, lang)
		return
	}
	ctx := officeCtx(r, me)
	m, err := s.store.OutboxMailByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r, lang)
		return
	} else if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	back := prefix(lang) + "/kontor/epost"
	if err := s.store.RetryFailed(ctx, id); errors.Is(err, store.ErrNotFound) {
		// Not failed (any more): someone else put it back, or it was purged.
		s.seeOther(w, r, back+"?melding=borte")
		return
	} else if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	err = s.store.Audit(ctx, store.AuditEntry{ActorID: me.User.ID, Action: "outbox.retry", ObjectType: "outbox", ObjectID: id,
		Source: store.SourceOf(r.RemoteAddr), Detail: map[string]any{"kind": m.Kind, "attempts": m.Attempts}})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.seeOther(w, r, back+"?melding=prov-igjen")
}
