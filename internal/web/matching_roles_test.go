package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fellesrom/fellesrom/internal/store"
)

// The matching flow's routes in the role matrix (TestOfficeRoleMatrix):
// every route, for objects of each organisation of the fixture. Reading
// personal data is for administrators and the coordinators of the
// organisation or above (officeRights' edit, which is the same set);
// starters (assigned to no group here) and partners get 404 everywhere.
func init() { matrixAreas = append(matrixAreas, matchingProbes) }

// matchingMatrixData are the enquiries and formations of one fixture: in
// each organisation a waiting enquiry, and the organisation's group formed
// with another.
type matchingMatrixData struct {
	waiting map[string]string // organisation key → enquiry ID
}

var (
	matchingMatrixMu   sync.Mutex
	matchingMatrixSeen = map[*officeFixture]*matchingMatrixData{}
)

func matchingMatrixOf(t *testing.T, f *officeFixture) *matchingMatrixData {
	t.Helper()
	matchingMatrixMu.Lock()
	defer matchingMatrixMu.Unlock()
	if d := matchingMatrixSeen[f]; d != nil {
		return d
	}
	d := &matchingMatrixData{waiting: map[string]string{}}
	for _, k := range officeOrgKeys {
		d.waiting[k] = matchingSeedOne(t, f, k, "Vente"+k, "5501", false, 10)
		invited := matchingSeedOne(t, f, k, "Invitert"+k, "5501", false, 12)
		matchingForm(t, f, k, []string{invited})
	}
	matchingMatrixSeen[f] = d
	return d
}

func matchingProbes(t *testing.T, f *officeFixture, _ *matrixExtras, who string) []officeProbe {
	d := matchingMatrixOf(t, f)
	reads := officeRights[who].edit
	some := len(reads) > 0
	var ps []officeProbe
	add := func(p officeProbe) { ps = append(ps, p) }
	form := func(kv ...string) func() url.Values {
		return func() url.Values {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v
		}
	}
	add(officeProbe{name: "inbox", method: "GET", path: "/kontor/henvendelser", allow: some,
		check: func(t *testing.T, body string) {
			for _, k := range officeOrgKeys {
				if shown := strings.Contains(body, "Vente"+k+"<"); shown != slices.Contains(reads, k) {
					t.Errorf("%s: the inbox shows %s's enquiry: %v", who, k, shown)
				}
			}
		}})
	// The filter reads (an audited list): the store changes.
	add(officeProbe{name: "inbox filtered", method: "POST", path: "/kontor/henvendelser", allow: some, want: http.StatusOK,
		form: form("name", "ingen-heter-slik")})
	add(officeProbe{name: "new enquiry", method: "GET", path: "/kontor/henvendelser/ny", allow: some})
	add(officeProbe{name: "look up a contact", method: "POST", path: "/kontor/henvendelser/oppslag", allow: some, same: true,
		want: http.StatusOK, form: form("lookup_kind", "phone", "lookup_contact", "91234567")})
	add(officeProbe{name: "pools", method: "GET", path: "/kontor/grupper-i-emning", allow: some})
	for _, k := range officeOrgKeys {
		may := slices.Contains(reads, k)
		e, g := d.waiting[k], f.groups[k].ID
		// A starter assigned to the group (by the starters' pages, earlier
		// in the matrix) sees its page without names, and may hand it over
		// (refused here: the group is not starting; nothing changes).
		assigned := false
		if who == "starter" {
			as, err := f.st.StarterAssignments(context.Background(), g)
			if err != nil {
				t.Fatal(err)
			}
			assigned = slices.ContainsFunc(as, func(a store.StarterAssignment) bool { return a.UserID == f.users["starter"].ID })
		}
		add(officeProbe{name: "enquiry of " + k, method: "GET", path: "/kontor/henvendelser/" + e, allow: may,
			check: func(t *testing.T, body string) {
				if !strings.Contains(body, "vente"+k+"@example.no") {
					t.Errorf("%s: the enquiry of %s without its contact", who, k)
				}
			}})
		// Refused forms; each still reads the enquiry (an audit row).
		add(officeProbe{name: "intake note of " + k, method: "POST", path: "/kontor/henvendelser/" + e, allow: may,
			want: http.StatusBadRequest, form: form("intake_note", strings.Repeat("x", 4001))})
		add(officeProbe{name: "status of " + k, method: "POST", path: "/kontor/henvendelser/" + e + "/status", allow: may,
			want: http.StatusBadRequest, form: form("to", "placed")})
		add(officeProbe{name: "pass on " + k, method: "POST", path: "/kontor/henvendelser/" + e + "/videreformidle", allow: may,
			want: http.StatusBadRequest, form: form("pass_org", "")})
		add(officeProbe{name: "new enquiry in " + k, method: "POST", path: "/kontor/henvendelser/ny", allow: may, same: true,
			want: http.StatusBadRequest, form: form("organisation", f.orgs[k].ID)})
		add(officeProbe{name: "form a group of " + k, method: "POST", path: "/kontor/grupper-i-emning/ny", allow: may,
			want: http.StatusOK, form: form("e", e)})
		add(officeProbe{name: "formation of " + k, method: "GET", path: "/kontor/grupper-i-emning/" + g, allow: may || assigned,
			check: func(t *testing.T, body string) {
				if shown := strings.Contains(body, fmt.Sprintf("Invitert%s:", k)); shown != may {
					t.Errorf("%s: the formation of %s shows the names: %v", who, k, shown)
				}
			}})
		add(officeProbe{name: "start " + k, method: "POST", path: "/kontor/grupper-i-emning/" + g + "/start", allow: may,
			want: http.StatusBadRequest, form: form()})
		add(officeProbe{name: "hand over " + k, method: "POST", path: "/kontor/grupper-i-emning/" + g + "/overlevert",
			allow: may || assigned, same: assigned, want: http.StatusConflict, form: form()})
	}
	return ps
}
