package web_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Every message id of the event pages — in their code and templates, and
// the ids built from kinds — is in the catalogue in Bokmål, Nynorsk and
// English, and so are the texts of every mail and text message to a person
// signed up, which compose in each language with every field filled (and
// a text message stays short). Northern Sami falls back to Bokmål.
func TestEventsMessages(t *testing.T) {
	cat := i18n.DefaultCatalog()
	re := regexp.MustCompile(`"(events\.[a-z][a-z0-9_.]*)"`)
	ids := map[string]string{}
	files, _ := filepath.Glob("events_*.go")
	files = append(files, "../jobs/events.go")
	tmpls, _ := fs.Glob(os.DirFS("templates"), "events_*.html")
	for _, f := range tmpls {
		files = append(files, filepath.Join("templates", f))
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], "_") && !strings.HasSuffix(m[1], ".") {
				ids[m[1]] = f
			}
		}
	}
	for _, k := range store.EventKinds {
		ids["events.kind_"+string(k)] = "kinds"
	}
	// Messages for the links that other pages give to events (the staff
	// menu, the main menu, the front page, an organisation's page).
	for _, id := range []string{"events.nav", "events.front_link", "events.org_link", "events.org_ics"} {
		ids[id] = "links from other pages"
	}
	for _, k := range []string{"email", "phone"} {
		ids["events.contact_kind_"+k] = "contact kinds"
	}
	for _, p := range []string{"broken", "fast", "old"} {
		ids["events.spam_"+p] = "the spam guard"
	}
	kinds := []string{store.EventMailConfirmed, store.EventMailWaiting, store.EventMailAgain, store.EventMailMovedUp,
		store.EventMailChanged, store.EventMailCancelled, store.EventMailReminder}
	for _, k := range kinds {
		ids["mail."+k+".subject"], ids["mail."+k+".body"], ids["sms."+k] = "mail", "mail", "sms"
	}
	if len(ids) < 200 {
		t.Errorf("found only %d ids", len(ids))
	}
	for id, where := range ids {
		for _, l := range []string{"nb", "nn", "en"} {
			if !cat.Has(l, id) {
				t.Errorf("%s uses %q, which %s lacks", where, id, l)
			}
		}
	}

	// Each message composes, as the site and the job compose it.
	oslo, _ := time.LoadLocation("Europe/Oslo")
	start := time.Date(2026, 3, 10, 18, 0, 0, 0, oslo)
	e := store.Event{ID: "e", Slug: "infomote", Title: domain.Text{"nb": "Informasjonsmøte om selvhjelp for pårørende"},
		StartsAt: start, EndsAt: start.Add(2 * time.Hour), Online: true, OnlineURL: "https://video.example.no/m",
		CreatedAt: start.Add(-time.Hour), UpdatedAt: start.Add(-time.Hour)}
	msg := jobs.EventMessenger("https://selvhjelp.example.no", cat)
	for _, lang := range []string{"nb", "nn", "en", "se"} {
		for _, k := range kinds {
			for _, kind := range []string{"email", "phone"} {
				su := store.Signup{ID: "s", Name: "Kristiansen-Bjørnstad", ContactKind: kind, Contact: "x@example.no",
					Lang: lang, Status: store.SignupConfirmed}
				if kind == "phone" {
					su.Contact = "+4791234567"
				}
				if k == store.EventMailWaiting {
					su.Status, su.Position = store.SignupWaiting, 3
				}
				m, hash, err := msg(store.EventNotice{Kind: k, Event: e, Signup: su, OrgName: "Selvhjelpshuset i Nordre Follo",
					Venue: domain.Venue{ID: "v", Name: "Frivilligsentralen", Street: "Storgata 1", PostalCode: "1412", City: "Sofiemyr"}})
				if err != nil {
					t.Errorf("%s %s %s: %v", lang, k, kind, err)
					continue
				}
				if strings.Contains(m.Body, "<no value>") || (k != store.EventMailCancelled) != (hash != "") ||
					(k != store.EventMailCancelled) != strings.Contains(m.Body, "/avmelding/") {
					t.Errorf("%s %s %s: %q (link hash %q)", lang, k, kind, m.Body, hash)
				}
				if kind == "phone" && len([]rune(m.Body)) > 480 {
					t.Errorf("%s %s: a text message of %d characters", lang, k, len([]rune(m.Body)))
				}
			}
		}
	}
}
