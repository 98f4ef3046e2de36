package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/sms"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// mailOutbox fills the outbox with a mail in every state: a failed one, a
// sent one, one pending again after an error, one being sent and a fresh
// pending one; and two text messages, one failed and one pending. It
// returns the failed mail's ID.
func mailOutbox(t *testing.T, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	enqueueClaim := func(to, kind string) store.OutboxMail {
		t.Helper()
		_, err := st.EnqueueMail(ctx, store.OutboxMail{To: to, Subject: "Emne", Body: "Tekst", Kind: kind})
		must(err)
		ms, err := st.ClaimMail(ctx, time.Now(), 10, time.Hour)
		must(err)
		if len(ms) != 1 {
			t.Fatalf("claimed %d mails, want 1", len(ms))
		}
		return ms[0]
	}
	failed := enqueueClaim("feil@example.no", "invite")
	must(st.MarkFailed(ctx, failed, "550 5.1.1 mailbox unavailable", time.Now()))
	must(st.MarkSent(ctx, enqueueClaim("sendt@example.no", "password_reset"), time.Now()))
	must(st.MarkRetry(ctx, enqueueClaim("igjen@example.no", "invite"), "421 4.3.2 try later", time.Now().Add(time.Hour)))
	enqueueClaim("sendes@example.no", "invite") // held: sending
	_, err := st.EnqueueMail(ctx, store.OutboxMail{To: "venter@example.no", Subject: "Emne", Body: "Tekst", Kind: "invite",
		NextAttemptAt: time.Now().Add(time.Hour)})
	must(err)
	_, err = st.EnqueueMail(ctx, store.OutboxMail{Channel: store.ChannelSMS, To: "+4741234567", Body: "SMS-tekst", Kind: "reminder"})
	must(err)
	texts, err := st.ClaimOutbox(ctx, store.ChannelSMS, time.Now(), 10, time.Hour)
	must(err)
	if len(texts) != 1 {
		t.Fatalf("claimed %d text messages, want 1", len(texts))
	}
	must(st.MarkFailed(ctx, texts[0], "sms response: 400 Bad Request", time.Now().Add(-time.Minute)))
	_, err = st.EnqueueMail(ctx, store.OutboxMail{Channel: store.ChannelSMS, To: "+4749999999", Body: "SMS-tekst", Kind: "reminder",
		NextAttemptAt: time.Now().Add(time.Hour)})
	must(err)
	return failed.ID
}

var reMailID = regexp.MustCompile(`\bmailstatus\.[a-z][a-z0-9_.]*[a-z0-9]\b`)

func mailCount(t *testing.T, body, id string) int {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `">(\d+)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s on the page", id)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func auditCount(t *testing.T, st *store.Store, action string) []store.AuditEntry {
	t.Helper()
	log, err := st.AuditLog(context.Background(), store.AuditFilter{Action: action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// The mail page shows what the store counts, lists the failed mail with its
// address (and logs that it did), and puts a failed mail back.
func TestMailStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		t.Setenv(mail.EnvHost, "")
		t.Setenv(sms.EnvURL, "")
		f := newOfficeFixture(t, st)
		ctx := context.Background()
		failedID := mailOutbox(t, st)
		sum, err := st.OutboxStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Counts[store.MailPending] != 3 || sum.Retrying != 1 || sum.Counts[store.MailFailed] != 2 ||
			sum.ByChannel[store.ChannelSMS][store.MailPending] != 1 {
			t.Fatalf("fixture outbox: %+v", sum)
		}
		retry := "/kontor/epost/" + failedID + "/prov-igjen"

		// That only administrators have the page and the retry is the role
		// matrix's (TestOfficeRoleMatrix).
		c := f.signIn(t, "admin")
		r := c.get("/kontor/epost")
		if r.status != 200 {
			t.Fatalf("admin GET: %d", r.status)
		}
		checkOfficeHTML(t, "/kontor/epost", r, "nb")
		if m := reMailID.FindString(r.body); m != "" {
			t.Errorf("the catalogue lacks %q", m)
		}
		for id, want := range map[string]int{"count-pending": sum.Counts[store.MailPending], "count-retrying": sum.Retrying,
			"count-sending": sum.Counts[store.MailSending], "count-sent": sum.Counts[store.MailSent], "count-failed": sum.Counts[store.MailFailed],
			"count-sms-pending": 1} {
			if got := mailCount(t, r.body, id); got != want {
				t.Errorf("%s: %d, store says %d", id, got, want)
			}
		}
		for _, want := range []string{"feil@example.no", "550 5.1.1 mailbox unavailable", `action="` + retry + `"`, `id="warn-config"`, "0 minutter gammel",
			`id="warn-sms-config"`, "FELLESROM_SMS_URL", "4741234567", // html/template writes + as &#43;
			"sms response: 400 Bad Request", "SMS: <code>reminder</code>",
			"E-post: <code>invite</code>"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		for _, not := range []string{"venter@example.no", "sendt@example.no", "Tekst", `id="warn-stalled"`, "4749999999"} {
			if strings.Contains(r.body, not) {
				t.Errorf("the page shows %q", not)
			}
		}
		reads := auditCount(t, st, "outbox.read")
		if len(reads) != 1 || reads[0].ActorID != f.users["admin"].ID {
			t.Fatalf("outbox.read rows: %+v", reads)
		} else if n, _ := reads[0].Detail["count"].(float64); n != 2 {
			t.Errorf("outbox.read detail: %v", reads[0].Detail)
		}
		if en := c.get("/en/kontor/epost"); en.status != 200 || !strings.Contains(en.body, "Try again") {
			t.Errorf("English page: %d", en.status)
		} else {
			checkOfficeHTML(t, "/en/kontor/epost", en, "en")
		}
		t.Setenv(mail.EnvHost, "smtp.example.no")
		if r := c.get("/kontor/epost"); strings.Contains(r.body, `id="warn-config"`) || !strings.Contains(r.body, `id="warn-sms-config"`) {
			t.Error("a warning about mail's configuration when mail is configured, or none about SMS")
		}
		t.Setenv(sms.EnvURL, "https://sms.example.no/v1")
		if r := c.get("/kontor/epost"); strings.Contains(r.body, `id="warn-sms-config"`) {
			t.Error("a warning about configuration when SMS is configured")
		}

		// Retry: the mail is pending again, the page says so.
		wantRedirect(t, "retry", c.post(retry, nil), "/kontor/epost?melding=prov-igjen")
		if m, _ := st.OutboxMailByID(ctx, failedID); m.Status != store.MailPending || m.Attempts != 0 {
			t.Errorf("after retry: %s, %d attempts", m.Status, m.Attempts)
		}
		r = c.get("/kontor/epost?melding=prov-igjen")
		if !strings.Contains(r.body, "sendes på nytt") || strings.Contains(r.body, "feil@example.no") {
			t.Error("the page after retry lacks the notice or still lists the mail")
		}
		if got := mailCount(t, r.body, "count-pending"); got != 4 {
			t.Errorf("pending after retry: %d, want 4", got)
		}
		rs := auditCount(t, st, "outbox.retry")
		if len(rs) != 1 || rs[0].ObjectID != failedID || rs[0].ActorID != f.users["admin"].ID {
			t.Errorf("outbox.retry rows: %+v", rs)
		}
		if n := len(auditCount(t, st, "outbox.read")); n != 5 { // Bokmål, English, two configured views, after retry (the SMS)
			t.Errorf("%d outbox.read rows, want 5", n)
		}
		auditHas(t, st, "outbox.read", "outbox.retry") // and no address in any detail
		// Again: no longer failed; unknown and malformed IDs are 404.
		wantRedirect(t, "retry again", c.post(retry, nil), "/kontor/epost?melding=borte")
		if r := c.post("/kontor/epost/"+store.NewID()+"/prov-igjen", nil); r.status != http.StatusNotFound {
			t.Errorf("unknown mail: %d", r.status)
		}
		if r := c.post("/kontor/epost/x/prov-igjen", nil); r.status != http.StatusNotFound {
			t.Errorf("malformed ID: %d", r.status)
		}
		if r := c.get(retry); r.status != http.StatusMethodNotAllowed {
			t.Errorf("GET of the retry: %d, want 405", r.status)
		}
	})
}

// Through the whole application a cross-site retry is refused.
func TestMailStatusCrossSite(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	id := mailOutbox(t, st)
	srv := httptest.NewServer(app.Handler(st, finder.New(st), slog.New(slog.DiscardHandler)))
	defer srv.Close()
	c := newClient(t, srv)
	for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		if r := c.post("/kontor/epost/"+id+"/prov-igjen", url.Values{}, h...); r.status != http.StatusForbidden {
			t.Errorf("with %s: %d, want 403", h[0], r.status)
		}
	}
	if m, _ := st.OutboxMailByID(context.Background(), id); m.Status != store.MailFailed {
		t.Errorf("after cross-site POSTs the mail is %s", m.Status)
	}
}

// axe-core finds nothing on the page, with a failed mail, after a retry,
// and in English.
func TestMailStatusBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newOfficeFixture(t, st)
	mailOutbox(t, st)
	ctx := browsertest.Tab(t)
	open := func(path string) int64 {
		t.Helper()
		return load(t, ctx, chromedp.Navigate(f.srv.URL+path))
	}
	typeIn := func(id, text string) {
		t.Helper()
		do(t, ctx, chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
	}
	submit := func(sel string) int64 {
		t.Helper()
		return load(t, ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	open("/logg-inn")
	typeIn("email", officeEmails["admin"])
	typeIn("password", staffPassword)
	submit(".staff-form button")
	secret := strings.ReplaceAll(val(t, ctx, chromedp.Text(chromedp.CSS("#totp-secret"), chromedp.NodeVisible)), " ", "")
	typeIn("code", code(t, secret, f.clock.Now()))
	submit(".staff-form button")
	if s := open("/kontor/epost"); s != 200 {
		t.Fatalf("/kontor/epost: %d", s)
	}
	browsertest.RequireNoAxeViolations(t, ctx, "mail (nb)")
	if s := submit("form[action$='/prov-igjen'] button"); s != 200 {
		t.Fatalf("retry: %d", s)
	}
	if u := location(t, ctx); u.Path != "/kontor/epost" || u.RawQuery != "melding=prov-igjen" {
		t.Errorf("after retry: %s", u)
	}
	browsertest.RequireNoAxeViolations(t, ctx, "mail after retry (nb)")
	open("/en/kontor/epost")
	browsertest.RequireNoAxeViolations(t, ctx, "mail (en)")
}
