package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// The referral page in the role matrix (TestOfficeRoleMatrix):
// administrators, coordinators and partners may refer a person; a starter
// gets 404, the signed-out the sign-in page. A referral changes the store
// (the enquiry and its message to the person); a refused form changes
// nothing.
func init() { matrixAreas = append(matrixAreas, enquiryProbes) }

func enquiryProbes(t *testing.T, f *officeFixture, _ *matrixExtras, who string) []officeProbe {
	may := map[string]bool{"admin": true, "coordDistrict": true, "coordHouse": true, "partner": true}[who]
	n := 0
	return []officeProbe{
		{name: "referral form", method: "GET", path: "/kontor/henvisning", allow: may},
		{name: "referral", method: "POST", path: "/kontor/henvisning", allow: may, form: func() url.Values {
			n++
			return enqForm("referral_kind", "gp", "contact_kind", "phone", "contact", fmt.Sprintf("+47 9100 %04d", n))
		}},
		{name: "referral refused", method: "POST", path: "/kontor/henvisning", allow: may, want: http.StatusBadRequest, same: true,
			form: func() url.Values { return enqForm("referral_kind", "") }},
	}
}
