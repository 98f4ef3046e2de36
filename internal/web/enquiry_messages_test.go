package web_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/web"
)

// Every message id of the enquiry pages — in their code and templates, and
// the ids built from statuses, channels, formats and kinds — is in the
// catalogue in Bokmål, Nynorsk and English, and so are the texts of the
// mails and text messages; Northern Sami falls back to Bokmål.
func TestEnquiryMessages(t *testing.T) {
	cat := i18n.DefaultCatalog()
	re := regexp.MustCompile(`"((?:enquiry|mail|sms)\.[a-z][a-z0-9_.]*)"`)
	ids := map[string]string{}
	files, _ := filepath.Glob("enquiry_*.go")
	tmpls, _ := fs.Glob(os.DirFS("templates"), "enquiry_*.html")
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
	for _, f := range tmpls {
		b, err := os.ReadFile(filepath.Join("templates", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], "_") {
				ids[m[1]] = f
			}
		}
	}
	for _, st := range store.EnquiryStatuses {
		ids["enquiry.status_"+string(st)], ids["enquiry.status_"+string(st)+"_p"] = "statuses", "statuses"
	}
	for _, c := range store.EnquiryChannels {
		if c != "referral" {
			ids["enquiry.channel_"+c] = "channels"
		}
	}
	for _, k := range store.ReferralKinds {
		ids["enquiry.referral_kind_"+k], ids["enquiry.channel_referral_"+k] = "kinds", "kinds"
	}
	for _, f := range store.EnquiryFormats {
		ids["enquiry.format_"+f] = "formats"
	}
	for _, p := range store.SlotParts {
		ids["enquiry.slot_"+p] = "slots"
	}
	for _, a := range []string{"person", "house", "system"} {
		ids["enquiry.by_"+a] = "actors"
	}
	for _, r := range []string{"confirmed", "still_interested", "declined", "no_group"} {
		ids["enquiry.reason_"+r] = "reasons"
	}
	for _, k := range []string{"enquiry_link", "enquiry_referral"} {
		ids["mail."+k+".subject"], ids["mail."+k+".body"], ids["sms."+k] = "mail", "mail", "sms"
	}
	if len(ids) < 150 {
		t.Errorf("found only %d ids", len(ids))
	}
	for id, where := range ids {
		for _, l := range []string{"nb", "nn", "en"} {
			if !cat.Has(l, id) {
				t.Errorf("%s uses %q, which %s lacks", where, id, l)
			}
		}
	}
	if web.EnquiryConsentVersion == "" {
		t.Error("no consent version")
	}
}
