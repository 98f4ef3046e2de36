package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestPasskeyBrowser registers a passkey with a virtual authenticator of
// Chromium (the DevTools protocol's WebAuthn domain) as the second factor
// an administrator must enrol, signs in with password and passkey, and
// checks that a wrong and a removed credential are refused. axe-core
// checks the new pages. WebAuthn needs a domain as RP ID, so the tab goes
// to localhost, not 127.0.0.1.
func TestPasskeyBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newStaffFixture(t, st, roomyLimits)
	port := f.srv.Listener.Addr().String()[strings.LastIndex(f.srv.Listener.Addr().String(), ":"):]
	base := "http://localhost" + port
	ctx := browsertest.Tab(t)
	bg := context.Background()

	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true}}); err != nil {
		t.Fatal(err)
	}

	path := func() string { return pagePath(t, ctx) }
	axe := func(name string) {
		t.Helper()
		browsertest.RequireNoAxeViolations(t, ctx, name)
	}
	typeIn := func(id, text string) {
		t.Helper()
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('`+id+`').value = ''`),
			chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
	}
	// waitFor polls until cond (JavaScript) is true, for a script's work.
	waitFor := func(what, cond string) {
		t.Helper()
		for range 100 {
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("%s: timed out at %s", what, path())
	}
	signIn := func() {
		t.Helper()
		load(t, ctx, chromedp.Navigate(base+"/logg-inn"))
		typeIn("email", "ada@example.no")
		typeIn("password", staffPassword)
		load(t, ctx, chromedp.Click(chromedp.CSS(".staff-form button"), chromedp.NodeVisible))
	}
	audits := func(action string) int {
		log, err := st.AuditLog(bg, store.AuditFilter{Action: action, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(log)
	}

	// An administrator must enrol a second factor: the TOTP page offers a
	// passkey instead.
	signIn()
	if p := path(); p != "/kontor/totp" {
		t.Fatalf("after the password: %s", p)
	}
	load(t, ctx, chromedp.Click(chromedp.CSS(".passkey-offer a"), chromedp.NodeVisible))
	if p := path(); p != "/kontor/passkey" {
		t.Fatalf("the offer went to %s", p)
	}
	waitFor("the script", `!document.getElementById('passkey-register').hidden`)
	axe("passkey enrolment (nb)")
	typeIn("passkey-name", "Laptop")
	do(t, ctx, chromedp.Click(chromedp.CSS("#passkey-register button"), chromedp.NodeVisible))
	waitFor("registration", `location.search === '?melding=lagt-til'`)
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.passkey').length`)); n != 1 {
		t.Fatalf("%d passkeys listed", n)
	}
	axe("one passkey (nb)")
	list, err := st.UserPasskeys(bg, f.admin.ID)
	if err != nil || len(list) != 1 || list[0].Name != "Laptop" {
		t.Fatalf("stored passkeys %+v %v", list, err)
	}
	if audits("passkey.register") != 1 {
		t.Error("no passkey.register in the audit log")
	}
	// The passkey was the enrolment: the back office is open.
	load(t, ctx, chromedp.Navigate(base+"/kontor"))
	if p := path(); p != "/kontor" {
		t.Fatalf("the back office went to %s", p)
	}
	// The only second factor cannot be removed.
	load(t, ctx, chromedp.Navigate(base+"/en/kontor/passkey"))
	axe("passkeys (en)")
	load(t, ctx, chromedp.Click(chromedp.CSS(".passkey form button"), chromedp.NodeVisible))
	if p := path(); p != "/en/kontor/passkey?melding=siste" {
		t.Errorf("removing the last factor: %s", p)
	}

	// Sign out; in again with password and passkey.
	load(t, ctx, chromedp.Click(chromedp.CSS("form.signout button"), chromedp.NodeVisible))
	signIn()
	if p := path(); p != "/logg-inn/kode" {
		t.Fatalf("after the password: %s", p)
	}
	waitFor("the script", `!document.querySelector('[data-passkey-signin]').hidden`)
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#code').length`)); n != 0 {
		t.Error("a code field for a user without TOTP")
	}
	axe("code step with a passkey (nb)")
	do(t, ctx, chromedp.Click(chromedp.ID("passkey-signin"), chromedp.NodeVisible))
	waitFor("passkey sign-in", `location.pathname === '/kontor'`)
	if audits("passkey.ok") != 1 {
		t.Error("no passkey.ok in the audit log")
	}
	list, _ = st.UserPasskeys(bg, f.admin.ID)
	if list[0].LastUsedAt.IsZero() {
		t.Error("the passkey's use was not recorded")
	}

	// A wrong credential: the stored public key no longer matches the
	// authenticator's key.
	good := list[0]
	var cred map[string]any
	if err := json.Unmarshal(good.Data, &cred); err != nil {
		t.Fatal(err)
	}
	if pk, ok := cred["publicKey"].(string); ok && len(pk) > 20 {
		b := []byte(pk)
		// Change a character of the key's base64 in the middle of a coordinate.
		if b[len(b)-10] == 'A' {
			b[len(b)-10] = 'B'
		} else {
			b[len(b)-10] = 'A'
		}
		cred["publicKey"] = string(b)
	}
	other, _ := json.Marshal(cred)
	if err := st.UsePasskey(bg, f.admin.ID, good.CredentialID, other, time.Now()); err != nil {
		t.Fatal(err)
	}
	load(t, ctx, chromedp.Click(chromedp.CSS("form.signout button"), chromedp.NodeVisible))
	signIn()
	waitFor("the script", `!document.querySelector('[data-passkey-signin]').hidden`)
	do(t, ctx, chromedp.Click(chromedp.ID("passkey-signin"), chromedp.NodeVisible))
	waitFor("a refusal", `!document.getElementById('passkey-signin').disabled && document.querySelector('.passkey-status').textContent.indexOf('ikke godtatt') > 0`)
	if p := path(); p != "/logg-inn/kode" {
		t.Errorf("a wrong passkey went to %s", p)
	}
	axe("code step, passkey refused (nb)")

	// A removed credential: the user's only passkey is now another one.
	if _, err := st.DeletePasskey(bg, f.admin.ID, good.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.CreatePasskey(bg, &store.Passkey{UserID: f.admin.ID, CredentialID: "AAAA", Name: "Annen", Data: other}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('.passkey-status').textContent = ''`))
	do(t, ctx, chromedp.Click(chromedp.ID("passkey-signin"), chromedp.NodeVisible))
	waitFor("a refusal", `!document.getElementById('passkey-signin').disabled && document.querySelector('.passkey-status').textContent.length > 0`)
	if p := path(); p != "/logg-inn/kode" {
		t.Errorf("a removed passkey went to %s", p)
	}
	// Both refusals count as failed sign-ins.
	fails, _ := st.AuditLog(bg, store.AuditFilter{Action: "passkey.fail", Limit: 10})
	if len(fails) != 2 {
		t.Errorf("%d passkey.fail in the audit log, want 2", len(fails))
	}
	for _, e := range fails {
		if e.Detail["step"] != "login" || e.Detail["reason"] == nil {
			t.Errorf("passkey.fail %v", e.Detail)
		}
	}
	if audits("passkey.ok") != 1 {
		t.Error("a refused passkey was recorded as ok")
	}
}
