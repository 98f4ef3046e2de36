package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// A coordinator says how to join an open video or telephone meeting: the
// link must be https, the number a number, and an open meeting needs one;
// errors stand next to the fields and keep what was typed; the group's
// page shows what is stored. Both engines.
func TestOfficeGroupOnline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newOfficeFixture(t, st)
		c := f.signIn(t, "coordHouse")
		form := url.Values{"organisation": {f.orgs["house1"].ID}, "name_nb": {"Samtalegruppe på video"}, "model": {f.model.ID},
			"format": {"video"}, "languages": {"nb"}, "age_group": {"adults"}, "gender": {"everyone"}, "join": {"just_come"},
			"takes_new": {"1"}, "status": {"running"}, "start_date": {"2026-03-03"}, "start_time": {"18:00"}, "duration": {"90"},
			"repeat": {"weekly"}, "tz": {"Europe/Oslo"}, "municipality": {"5501"},
			"online_url": {"http://video.example.org/j/1"}, "online_phone": {"22 33"}, "online_notes": {"Passord: sol"}}
		r := c.post("/kontor/grupper/ny", form)
		wantFormErrors(t, "an http link and a short number", r, "online_url", "online_phone")
		wantValue(t, "an http link", r.body, "online_url", "http://video.example.org/j/1")
		wantValue(t, "a short number", r.body, "online_phone", "22 33")
		wantValue(t, "the note", r.body, "online_notes", "Passord: sol")
		for _, s := range []string{"Skriv en hel adresse som begynner med https://.", "Skriv et telefonnummer med 8 til 15 sifre"} {
			if !strings.Contains(html.UnescapeString(r.body), s) {
				t.Errorf("the form lacks %q", s)
			}
		}

		// An open video meeting needs a link; a telephone one a number or a note.
		form.Set("online_url", "")
		form.Set("online_phone", "")
		wantFormErrors(t, "an open video meeting without a link", c.post("/kontor/grupper/ny", form), "online_url")
		form.Set("format", "telephone")
		form.Set("online_notes", "")
		wantFormErrors(t, "an open telephone meeting without a number", c.post("/kontor/grupper/ny", form), "online_phone")

		form.Set("format", "video")
		form.Set("online_url", "https://video.example.org/j/1?pwd=sol")
		form.Set("online_phone", "+47 22 33 44 55")
		form.Set("online_notes", "Passord: sol")
		r = c.post("/kontor/grupper/ny", form)
		m := reLocation.FindStringSubmatch(r.location())
		if r.status != http.StatusSeeOther || m == nil {
			t.Fatalf("create: %d %q\n%s", r.status, r.location(), errorSummary(r.body))
		}
		g, err := st.Group(ctx, m[1])
		if err != nil {
			t.Fatal(err)
		}
		if g.OnlineURL != "https://video.example.org/j/1?pwd=sol" || g.OnlinePhone != "+4722334455" || g.OnlineNotes != "Passord: sol" ||
			g.Format != domain.FormatVideo {
			t.Errorf("stored %q %q %q %s", g.OnlineURL, g.OnlinePhone, g.OnlineNotes, g.Format)
		}
		r = c.get(r.location())
		checkOfficeHTML(t, "group page", r, "nb")
		if page := html.UnescapeString(r.body); !strings.Contains(page, `<a href="https://video.example.org/j/1?pwd=sol"`) ||
			!strings.Contains(page, "+4722334455") || !strings.Contains(page, "Passord: sol") {
			t.Error("the group page does not show how to join")
		}
		// The edit form shows what is stored.
		r = c.get("/kontor/grupper/" + g.ID + "/endre")
		checkOfficeHTML(t, "edit form", r, "nb")
		wantValue(t, "edit form", r.body, "online_url", "https://video.example.org/j/1?pwd=sol")
		wantValue(t, "edit form", r.body, "online_phone", "+4722334455")
	})
}
