package hsds_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/hsds"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// An open online meeting's link is its virtual location's url and its
// number the phone of the service and the location; a closed group's link
// and number appear nowhere. Every document validates.
func TestOnlineGroups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		models, err := st.Models(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var open, closed domain.Model
		for _, m := range models {
			switch {
			case m.DefaultJoin == domain.JoinJustCome && m.Intake != domain.IntakeClosed && open.ID == "":
				open = m
			case m.Intake == domain.IntakeClosed && closed.ID == "":
				closed = m
			}
		}
		orgs, _ := st.Organisations(ctx)
		org := orgs[0].ID
		mk := func(slug string, m domain.Model, f domain.Format, j domain.JoinMethod, url, phone, notes string) domain.Group {
			g := domain.Group{Slug: slug, Name: domain.Text{"nb": slug}, ModelID: m.ID, OrgID: org, Format: f, Languages: []string{"nb"},
				AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone, Status: domain.StatusRunning, TakesNewMembers: true, Join: j,
				MunicipalityID: "0301", OnlineURL: url, OnlinePhone: phone, OnlineNotes: notes}
			if err := st.SaveGroup(ctx, &g, "test", ""); err != nil {
				t.Fatal(err)
			}
			return g
		}
		video := mk("apent-videomote", open, domain.FormatVideo, domain.JoinJustCome, "https://video.example.org/j/31", "+4721000031", "PIN 31")
		secret := mk("lukket-videogruppe", closed, domain.FormatVideo, domain.JoinViaHouse, "https://video.example.org/j/lukket-lenke",
			"+4721999931", "lukket-pin")
		e.forbidden = append(e.forbidden, "lukket-lenke", "+4721999931", "lukket-pin")

		body := e.ok("/hsds/services/" + video.ID)
		validate(t, "service", body)
		var svc hsds.Service
		if err := json.Unmarshal(body, &svc); err != nil {
			t.Fatal(err)
		}
		if len(svc.Phones) != 1 || svc.Phones[0].Number != "+4721000031" || svc.Phones[0].Description != "PIN 31" ||
			svc.Phones[0].ServiceID != video.ID {
			t.Errorf("service phones %+v", svc.Phones)
		}
		if len(svc.ServiceAtLocations) != 1 || svc.ServiceAtLocations[0].Location == nil {
			t.Fatalf("service_at_locations %+v", svc.ServiceAtLocations)
		}
		loc := svc.ServiceAtLocations[0].Location
		if loc.LocationType != "virtual" || loc.URL != "https://video.example.org/j/31" || len(loc.Phones) != 1 ||
			loc.Phones[0].LocationID != loc.ID {
			t.Errorf("virtual location %+v", loc)
		}
		validate(t, "service_at_location", e.ok("/hsds/service_at_locations/"+svc.ServiceAtLocations[0].ID))

		body = e.ok("/hsds/services/" + secret.ID) // e.get checks the forbidden words
		validate(t, "service", body)
		svc = hsds.Service{}
		if err := json.Unmarshal(body, &svc); err != nil {
			t.Fatal(err)
		}
		if len(svc.Phones) != 0 || svc.ServiceAtLocations[0].Location.URL != "" {
			t.Errorf("closed group: phones %+v, url %q", svc.Phones, svc.ServiceAtLocations[0].Location.URL)
		}

		// The exports: the link and the number in the tables, the secret
		// nowhere.
		e.ok("/hsds/export.json")
		r := e.get("/hsds/export.zip")
		zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
		if err != nil {
			t.Fatal(err)
		}
		var all []byte
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			all = append(all, b...)
		}
		for _, want := range []string{"https://video.example.org/j/31", "+4721000031,,voice,PIN 31"} {
			if !bytes.Contains(all, []byte(want)) {
				t.Errorf("export.zip lacks %q", want)
			}
		}
		for _, s := range []string{"lukket-lenke", "+4721999931", "lukket-pin"} {
			if bytes.Contains(all, []byte(s)) {
				t.Errorf("export.zip shows the closed group's %q", s)
			}
		}
	})
}
