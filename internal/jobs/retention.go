package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// DefaultRetentionInterval is how often the retention clock runs.
const DefaultRetentionInterval = time.Hour

// PersonLinkPath is the path of a person's private page for their enquiry;
// the token follows it ("/min-henvendelse/<token>", under the language's
// prefix: "/en/min-henvendelse/<token>").
const PersonLinkPath = "/min-henvendelse/"

// MailKindStillInterested is the kind of the "are you still interested?"
// message: the catalogue holds mail.still_interested.subject and .body for
// e-mail, and sms.still_interested for a text message.
const MailKindStillInterested = "still_interested"

// RetentionOptions tune the retention job.
type RetentionOptions struct {
	// Interval is how often the clock runs; default DefaultRetentionInterval.
	Interval time.Duration
	// Retention is the clock; the zero value means store.DefaultRetention.
	Retention store.Retention
	// LinkBase is the site's address for the person's link in the question
	// ("https://selvhjelp.example.no"): FELLESROM_PUBLIC_URL, or
	// http://<the loopback address served> on a developer's machine.
	// Required: an https URL with a host and no path (http on loopback only).
	LinkBase string
	// Catalog holds the texts; nil means i18n.DefaultCatalog().
	Catalog *i18n.Catalog
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (o RetentionOptions) withDefaults() (RetentionOptions, error) {
	if o.Interval <= 0 {
		o.Interval = DefaultRetentionInterval
	}
	if o.Retention == (store.Retention{}) {
		o.Retention = store.DefaultRetention
	}
	if err := o.Retention.Validate(); err != nil {
		return o, err
	}
	base, err := checkLinkBase(o.LinkBase)
	if err != nil {
		return o, err
	}
	o.LinkBase = base
	if o.Catalog == nil {
		o.Catalog = i18n.DefaultCatalog()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}

// checkLinkBase returns the scheme and host of base ("https://host"), or
// an error: a link that carries a person's token must point at the site.
func checkLinkBase(base string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(base))
	bad := err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		(u.Path != "" && u.Path != "/")
	if !bad {
		switch u.Scheme {
		case "https":
		case "http":
			host := u.Hostname()
			ip := net.ParseIP(host)
			bad = !(host == "localhost" || strings.HasSuffix(host, ".localhost") || ip != nil && ip.IsLoopback())
		default:
			bad = true
		}
	}
	if bad {
		return "", errors.New("retention: the links in its questions need the site's address, an https URL with " +
			"a host and no path (http only on loopback), such as https://selvhjelp.example.no")
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// RetentionJob returns the job that runs the retention clock
// (store.RunRetention) every interval, under its lease, so on one
// instance at a time. It fails for bad options, so that the server does not
// start with a clock it cannot run.
func RetentionJob(st *store.Store, logger *slog.Logger, opts RetentionOptions) (Job, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Job{}, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	return Job{Name: "retention", Interval: opts.Interval, Run: func(ctx context.Context) error {
		_, err := runRetention(ctx, st, logger, opts)
		return err
	}}, nil
}

// RunRetention runs the retention clock once, as the job does, and logs
// what it did: counts only, never a name, an address or an ID.
func RunRetention(ctx context.Context, st *store.Store, logger *slog.Logger, opts RetentionOptions) (store.RetentionResult, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return store.RetentionResult{}, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	return runRetention(ctx, st, logger, opts)
}

func runRetention(ctx context.Context, st *store.Store, logger *slog.Logger, opts RetentionOptions) (store.RetentionResult, error) {
	ctx = store.WithActor(ctx, store.Actor{ID: "system"})
	res, err := st.RunRetention(ctx, opts.Now(), opts.Retention, StillInterestedAsker(opts.LinkBase, opts.Catalog, opts.Retention))
	if res != (store.RetentionResult{}) {
		logger.Info("retention: run", "deleted", res.Deleted(), "unconfirmed", res.Unconfirmed, "withdrawn", res.Withdrawn,
			"placed", res.Placed, "closed", res.Closed, "unanswered", res.Unanswered, "asked", res.Asked,
			"invitations_expired", res.Expired, "failed", res.Failed)
	}
	// A group's requests to its house, once dealt with, go on their own clock.
	if n, perr := st.PurgeGroupRequests(ctx, opts.Now()); perr != nil {
		logger.Error("retention: group requests", "err", perr)
	} else if n > 0 {
		logger.Info("retention: group requests deleted", "deleted", n)
	}
	return res, err
}

// StillInterestedAsker returns the store.Asker of the retention job: for
// each person due a question it makes a new private link (32 random bytes,
// base64url, kept in the store as its SHA-256, as every link of the site)
// at base, and the message from the catalogue in the person's language —
// an e-mail (mail.still_interested) or, for a phone number, a text message
// (sms.still_interested) — saying how many days they have to answer.
func StillInterestedAsker(base string, c *i18n.Catalog, ret store.Retention) store.Asker {
	if c == nil {
		c = i18n.DefaultCatalog()
	}
	days := int((ret.AnswerWithin + 24*time.Hour - 1) / (24 * time.Hour))
	return func(e store.Enquiry) (store.OutboxMail, string, error) {
		lang := e.Lang
		if !i18n.Supported(lang) {
			lang = i18n.Default
		}
		token, hash := auth.NewToken()
		prefix := ""
		if lang != i18n.Default {
			prefix = "/" + lang
		}
		data := map[string]any{"Name": e.Name, "Link": base + prefix + PersonLinkPath + token, "Days": days}
		m := store.OutboxMail{To: e.Contact, Lang: lang, Kind: MailKindStillInterested}
		switch e.ContactKind {
		case "email":
			subject, body, err := mail.Compose(c, lang, MailKindStillInterested, data)
			if err != nil {
				return m, "", err
			}
			m.Channel, m.Subject, m.Body = store.ChannelEmail, subject, body
		case "phone":
			id := "sms." + MailKindStillInterested
			if !c.Has(i18n.Default, id) {
				return m, "", fmt.Errorf("retention: the catalogue has no %s", id)
			}
			text, _ := c.Lookup(lang, id, data)
			if strings.Contains(text, "<no value>") {
				return m, "", fmt.Errorf("retention: %s uses a field the data lacks", id)
			}
			m.Channel, m.Body = store.ChannelSMS, text
		default:
			return m, "", fmt.Errorf("retention: unknown kind of contact %q", e.ContactKind)
		}
		return m, hash, nil
	}
}
