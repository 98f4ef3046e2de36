package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
)

// The demo's enquiries: people waiting in the pools of four houses, so the
// coordinator's pages have something to show. Every name is a common first
// name, every contact a reserved example (example.no, +47 4xx numbers that
// the demo invents); nobody real is in them. Their private links are not
// reachable: the tokens are derived from a fixed text and never shown.
type demoEnquiry struct {
	house   string
	name    string
	muni    string
	theme   string // slug; "" = open across themes
	formats string
	slots   string
	km      int
	notOwn  bool
	status  store.EnquiryStatus
	daysAgo int
	words   string
}

var demoEnquiries = []demoEnquiry{
	// Oslo: a grief pool that can make a group on Tuesday evenings.
	{"selvhjelpshuset-oslo", "Solveig", "0301", "sorg", "in_person", "tue-evening thu-evening", 10, false, store.EnquiryWaiting, 74, "Mannen min døde i vinter. Jeg vil gjerne snakke med andre som har mistet noen."},
	{"selvhjelpshuset-oslo", "Arild", "0301", "sorg", "in_person video", "tue-evening", 15, false, store.EnquiryWaiting, 61, "Jeg mistet broren min i fjor."},
	{"selvhjelpshuset-oslo", "Mona", "3205", "sorg", "in_person", "tue-evening wed-evening", 25, true, store.EnquiryWaiting, 55, "Jeg vil helst ikke møte noen fra bygda mi."},
	{"selvhjelpshuset-oslo", "Reidar", "0301", "sorg", "in_person", "", 10, false, store.EnquiryWaiting, 40, ""},
	{"selvhjelpshuset-oslo", "Fatima", "0301", "sorg", "in_person", "tue-evening", 10, false, store.EnquiryWaiting, 33, "Mamma døde i sommer."},
	{"selvhjelpshuset-oslo", "Kjetil", "3201", "sorg", "in_person", "mon-evening tue-evening", 20, false, store.EnquiryWaiting, 12, ""},
	// Oslo: anxiety, not yet enough people who fit each other.
	{"selvhjelpshuset-oslo", "Ingrid", "0301", "angst", "in_person", "mon-morning wed-morning", 5, false, store.EnquiryWaiting, 45, "Jeg blir urolig i store forsamlinger."},
	{"selvhjelpshuset-oslo", "Tobias", "0301", "angst", "video", "thu-evening", 0, false, store.EnquiryWaiting, 20, ""},
	{"selvhjelpshuset-oslo", "Lene", "3207", "angst", "in_person", "wed-evening", 15, false, store.EnquiryWaiting, 9, ""},
	// Oslo: new and in intake.
	{"selvhjelpshuset-oslo", "Anders", "0301", "", "in_person phone", "", 10, false, store.EnquiryNew, 2, "Har det tungt etter skilsmissen, vet ikke helt hva jeg trenger."},
	{"selvhjelpshuset-oslo", "Marte", "0301", "parorende-rus", "in_person", "thu-evening", 10, false, store.EnquiryIntake, 6, "Sønnen min ruser seg."},
	// Bergen.
	{"selvhjelpshuset-bergen", "Sigrid", "4601", "samlivsbrudd", "in_person", "wed-evening", 10, false, store.EnquiryWaiting, 50, ""},
	{"selvhjelpshuset-bergen", "Eirik", "4627", "samlivsbrudd", "in_person", "wed-evening", 30, true, store.EnquiryWaiting, 38, ""},
	{"selvhjelpshuset-bergen", "Hanne", "4601", "samlivsbrudd", "in_person video", "wed-evening thu-evening", 10, false, store.EnquiryWaiting, 21, ""},
	{"selvhjelpshuset-bergen", "Nora", "4631", "", "in_person", "", 40, false, store.EnquiryNew, 1, ""},
	// Tromsø: small municipalities, by phone and video across the county.
	{"selvhjelpshuset-tromso", "Ánde", "5534", "", "phone video", "mon-evening", 0, true, store.EnquiryWaiting, 90, "Bor på et lite sted og vil ikke møte naboer."},
	{"selvhjelpshuset-tromso", "Berit", "5536", "", "phone", "mon-evening tue-evening", 0, true, store.EnquiryWaiting, 70, ""},
	{"selvhjelpshuset-tromso", "Jon Isak", "5532", "", "phone video", "mon-evening", 0, false, store.EnquiryWaiting, 64, ""},
	{"selvhjelpshuset-tromso", "Karianne", "5501", "", "in_person video", "mon-evening", 10, false, store.EnquiryWaiting, 30, ""},
	{"selvhjelpshuset-tromso", "Petter", "5501", "ensomhet", "in_person", "sat-afternoon", 10, false, store.EnquiryWaiting, 15, ""},
	// Trondheim.
	{"selvhjelpshuset-trondheim", "Åse", "5001", "kronisk-sykdom", "in_person", "tue-afternoon", 10, false, store.EnquiryWaiting, 28, ""},
	{"selvhjelpshuset-trondheim", "Håkon", "5022", "kronisk-sykdom", "video", "", 0, false, store.EnquiryWaiting, 17, ""},
}

// loadEnquiries adds the demo's enquiries, dated back from now.
func loadEnquiries(ctx context.Context, st *store.Store, c *catalog, now time.Time) (int, error) {
	for i, d := range demoEnquiries {
		o, ok := c.orgs[d.house]
		if !ok {
			return i, fmt.Errorf("demo: enquiry for unknown house %s", d.house)
		}
		e := store.Enquiry{OrgID: o.ID, Channel: "web", Name: d.name, ContactKind: "email",
			Contact:  fmt.Sprintf("%s.%d@example.no", strings.ToLower(strings.ReplaceAll(asciiName(d.name), " ", ".")), i+1),
			OwnWords: d.words, Municipality: d.muni, TravelKm: d.km, NotOwnMunicipality: d.notOwn,
			Formats: strings.Fields(d.formats), Slots: strings.Fields(d.slots), Adult: true, ConsentVersion: "demo", Lang: "nb"}
		if i%4 == 1 {
			e.ContactKind, e.Contact = "phone", fmt.Sprintf("+474%07d", 1000000+i*7919)
		}
		if d.theme != "" {
			e.Themes = []string{c.themes[d.theme]}
		}
		at := now.Add(-time.Duration(d.daysAgo) * 24 * time.Hour)
		sum := sha256.Sum256(fmt.Appendf(nil, "fellesrom demo enquiry %d", i))
		if err := st.CreateEnquiry(ctx, &e, hex.EncodeToString(sum[:]), at, store.DefaultRetention); err != nil {
			return i, fmt.Errorf("demo: enquiry %d: %w", i, err)
		}
		if err := st.ConfirmEnquiry(ctx, e.ID, at.Add(time.Hour)); err != nil {
			return i, err
		}
		steps := map[store.EnquiryStatus][]store.EnquiryStatus{
			store.EnquiryIntake:  {store.EnquiryIntake},
			store.EnquiryWaiting: {store.EnquiryIntake, store.EnquiryWaiting},
		}[d.status]
		for j, to := range steps {
			if err := st.SetEnquiryStatus(ctx, e.ID, store.StatusChange{To: to}, at.Add(time.Duration(j+2)*24*time.Hour),
				store.DefaultRetention); err != nil {
				return i, fmt.Errorf("demo: enquiry %d → %s: %w", i, to, err)
			}
		}
	}
	return len(demoEnquiries), nil
}

// asciiName is a name as it may stand in a demo e-mail address.
func asciiName(s string) string {
	return strings.NewReplacer("Å", "Aa", "å", "aa", "Ø", "O", "ø", "o", "Æ", "Ae", "æ", "ae", "Á", "A", "á", "a").Replace(s)
}
