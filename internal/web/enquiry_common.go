package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
)

// The person's side of the matching flow (issue 4, items 1–3): files
// enquiry_*.go, templates enquiry_*.html, messages locales/enquiry.*.json.
//
//	GET/POST {p}/henvendelse                          the enquiry form (public, no account)
//	GET      {p}/henvendelse/sendt                    "check your mail": what happens next
//	GET      {p}/henvendelse/slettet                  "it is gone", after a withdrawal
//	GET      {p}/min-henvendelse/{token}              the person's own page (no account)
//	POST     {p}/min-henvendelse/{token}/bekreft      confirm (never on GET: mail scanners open links)
//	GET/POST {p}/min-henvendelse/{token}/endre        correct what is stored
//	GET      {p}/min-henvendelse/{token}/data.json    download everything, as JSON
//	POST     {p}/min-henvendelse/{token}/pause        pause; …/fortsett resume
//	POST     {p}/min-henvendelse/{token}/fortsatt-interessert  answer "still interested?"
//	GET/POST {p}/min-henvendelse/{token}/slett        withdraw and delete now, with a confirmation step
//	GET/POST {p}/kontor/henvisning                    a partner's referral, with the person present
//
// The private link carries a random token of 32 bytes (the format of the
// staff links of package auth); the database keeps only its SHA-256
// (auth.HashToken). Every answer of a page under /min-henvendelse/ is
// no-store, sends no Referer and asks not to be indexed; a token that does
// not open an enquiry gets the same 404 page whatever the reason. The
// access log shows such paths without the token (package logpath).
//
// Spam guard without third parties, on the public form: a honeypot field
// hidden from people (the hidden attribute: no CSS needed, and screen
// readers skip it too), a timestamp signed with a server key that refuses
// posts sooner than enquiryMinFill after the form was served or later than
// enquiryMaxFill, and a limit per network in fixed windows in the database,
// as sign-in has (store.HitRateLimit). Links to one contact are limited
// too: past the limit the form answers as if it had sent one, and stores
// and sends nothing, so that nobody can flood someone's inbox or phone, nor
// learn whether that contact enquired.

func init() { staffAreas = append(staffAreas, enquiryRoutes) }

func enquiryRoutes(s *site, mux *http.ServeMux, lang, p string) {
	mux.Handle(p+"/henvendelse", s.methods(lang, s.enquiryFormPage, s.enquiryFormPost))
	mux.Handle(p+"/henvendelse/sendt", s.methods(lang, s.enquirySentPage, nil))
	mux.Handle(p+"/henvendelse/slettet", s.methods(lang, s.enquiryGonePage, nil))
	m := p + "/min-henvendelse/{token}"
	mux.Handle(m, enquiryTokenPage(s.methods(lang, s.enquiryMinePage, nil)))
	mux.Handle(m+"/bekreft", enquiryTokenPage(s.methods(lang, nil, s.enquiryConfirmPost)))
	mux.Handle(m+"/endre", enquiryTokenPage(s.methods(lang, s.enquiryEditPage, s.enquiryEditPost)))
	mux.Handle(m+"/data.json", enquiryTokenPage(s.methods(lang, s.enquiryDataJSON, nil)))
	mux.Handle(m+"/pause", enquiryTokenPage(s.methods(lang, nil, s.enquiryStatusPost(store.EnquiryPaused, "pause"))))
	mux.Handle(m+"/fortsett", enquiryTokenPage(s.methods(lang, nil, s.enquiryStatusPost(store.EnquiryWaiting, "fortsett"))))
	mux.Handle(m+"/fortsatt-interessert", enquiryTokenPage(s.methods(lang, nil, s.enquiryStillPost)))
	mux.Handle(m+"/slett", enquiryTokenPage(s.methods(lang, s.enquiryDeletePage, s.enquiryDeletePost)))
	mux.Handle(m+"/", enquiryTokenPage(s.methods(lang, s.enquiryUnknownPage, nil)))
	mux.Handle(p+"/kontor/henvisning", s.methods(lang, s.staff(s.enquiryReferralPage, false), s.staff(s.enquiryReferralPost, false)))
}

// enquiryTokenPage wraps a page whose URL carries an enquiry's token: what
// accountTokenPage does (no-store, no Referer), and no indexing.
func enquiryTokenPage(h http.Handler) http.Handler {
	inner := accountTokenPage(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Robots-Tag", "noindex, nofollow")
		inner.ServeHTTP(w, r)
	})
}

// EnquiryConsentVersion names the consent text of the form (the messages
// enquiry.consent_*), stored with each enquiry. Change it whenever the
// text's meaning changes.
const EnquiryConsentVersion = "2026-11"

// enquiryRetention is the retention clock in force, which the consent text
// states and new enquiries are stored with: FELLESROM_RETENTION, read as
// serve reads it for the retention job (serve refuses a value that does
// not parse), else store.DefaultRetention. Read once, at start.
var enquiryRetention = func() store.Retention {
	r, err := store.ParseRetention(os.Getenv(store.EnvRetention))
	if err != nil {
		return store.DefaultRetention
	}
	return r
}()

// The spam guard's timing: a person needs more than enquiryMinFill to fill
// in the form, and a form older than enquiryMaxFill is sent again.
const (
	enquiryMinFill = 3 * time.Second
	enquiryMaxFill = 2 * time.Hour
)

// enquiryLimits are the rate limits of the public enquiry pages, in fixed
// windows shared by every instance (store.HitRateLimit).
type enquiryLimits struct {
	Window     time.Duration
	PerSource  int // posts of the form from one network per Window
	PerToken   int // requests to /min-henvendelse/ pages from one network per Window
	Contact    time.Duration
	PerContact int // links sent to one contact per Contact
}

// enquiryLimit: a house's clients behind one address can still enquire; a
// script cannot fill the pool or flood someone's inbox.
var enquiryLimit = enquiryLimits{Window: 15 * time.Minute, PerSource: 20, PerToken: 100, Contact: time.Hour, PerContact: 3}

// enquiryKeys are the installation's keys of the spam guard's signatures
// and the contact limit's hashes, by store (store.ServerKey, made once,
// shared by every instance).
var enquiryKeys sync.Map

func (s *site) enquiryKey(ctx context.Context) ([]byte, error) {
	if k, ok := enquiryKeys.Load(s.store); ok {
		return k.([]byte), nil
	}
	k, err := s.store.ServerKey(ctx, "enquiry-form", 32)
	if err != nil {
		return nil, err
	}
	enquiryKeys.Store(s.store, k)
	return k, nil
}

func enquiryMAC(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// enquiryStamp is the signed time a form was served: "<unix seconds>.<mac>".
func (s *site) enquiryStamp(ctx context.Context) (string, error) {
	key, err := s.enquiryKey(ctx)
	if err != nil {
		return "", err
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	return ts + "." + enquiryMAC(key, "stamp:"+ts), nil
}

// enquiryStampProblem checks a posted stamp: "" when it is good, else the
// message id that says what is wrong.
func (s *site) enquiryStampProblem(ctx context.Context, stamp string) (string, error) {
	key, err := s.enquiryKey(ctx)
	if err != nil {
		return "", err
	}
	ts, mac, ok := strings.Cut(stamp, ".")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || len(ts) > 12 || !hmac.Equal([]byte(mac), []byte(enquiryMAC(key, "stamp:"+ts))) {
		return "enquiry.spam_broken", nil
	}
	age := s.now().Sub(time.Unix(sec, 0))
	switch {
	case age < enquiryMinFill:
		return "enquiry.spam_fast", nil
	case age > enquiryMaxFill:
		return "enquiry.spam_old", nil
	}
	return "", nil
}

// enquiryHit counts a request for key in a window of its own; past max it
// returns how long until the window ends. The first refusal of a window is
// in the audit log (enquiry.rate_limited), not every one.
func (s *site) enquiryHit(r *http.Request, key, what string, max int, window time.Duration) (time.Duration, bool, error) {
	now := s.now().UTC()
	start := now.Truncate(window)
	n, err := s.store.HitRateLimit(r.Context(), key, start)
	if err != nil || n <= max {
		return 0, false, err
	}
	if n == max+1 {
		ctx := store.WithActor(r.Context(), store.Actor{Source: store.SourceOf(r.RemoteAddr)})
		if err := s.store.Audit(ctx, store.AuditEntry{Action: "enquiry.rate_limited", Detail: map[string]any{"limit": what}}); err != nil {
			s.log.Error("enquiry: audit", "err", err)
		}
	}
	return start.Add(window).Sub(now), true, nil
}

// enquiryContactKey is the rate-limit key of a contact: a keyed hash, so
// the table holds no address or number.
func (s *site) enquiryContactKey(ctx context.Context, kind, contact string) (string, error) {
	key, err := s.enquiryKey(ctx)
	if err != nil {
		return "", err
	}
	return "enquiry:contact:" + enquiryMAC(key, "contact:"+kind+":"+contact), nil
}

// enquiryTooMany sets Retry-After and returns 429, and the minutes to say.
func enquiryTooMany(w http.ResponseWriter, retry time.Duration) (int, int) {
	w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
	return http.StatusTooManyRequests, int(retry.Minutes()) + 1
}

// enquiryPersonCtx is the request's context with the person (of a private
// link or the public form) as the actor of store changes.
func enquiryPersonCtx(r *http.Request) context.Context {
	return store.WithActor(r.Context(), store.Actor{ID: "person", Source: store.SourceOf(r.RemoteAddr)})
}

// enquiryRetentionView is the retention clock in the words of the consent
// text: whole days, and months for the question.
type enquiryRetentionView struct {
	Unconfirmed, Placed, Closed, AnswerWithin, AskMonths int
}

func enquiryRetentionWords(ret store.Retention) enquiryRetentionView {
	days := func(d time.Duration) int { return max(1, int(math.Round(d.Hours()/24))) }
	return enquiryRetentionView{Unconfirmed: days(ret.Unconfirmed), Placed: days(ret.Placed), Closed: days(ret.Closed),
		AnswerWithin: days(ret.AnswerWithin), AskMonths: max(1, int(math.Round(ret.AskEvery.Hours()/24/30.44)))}
}
