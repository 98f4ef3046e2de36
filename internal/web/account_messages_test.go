package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Every message id of the account pages — in their code, their templates
// and their maps of notices — is in the catalogue in Bokmål, Nynorsk and
// English; the mails' texts too.
func TestAccountMessages(t *testing.T) {
	cat := i18n.DefaultCatalog()
	re := regexp.MustCompile(`"((?:account|auth|staff|error|lang)\.[a-z][a-z0-9_]*)"`)
	ids := map[string]string{}
	files, _ := filepath.Glob("account_*.go")
	tmpls, _ := fs.Glob(templateFS, "templates/account_*.html")
	for _, f := range append(files, tmpls...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		var b []byte
		var err error
		if filepath.Ext(f) == ".go" {
			b, err = os.ReadFile(f)
		} else {
			b, err = fs.ReadFile(templateFS, f)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], "_") { // a prefix of ids built from values
				ids[m[1]] = f
			}
		}
	}
	for _, id := range accountUsersNotices {
		ids[id] = "accountUsersNotices"
	}
	ids[signinNotices["nytt-passord"]] = "signinNotices"
	for _, r := range store.Roles {
		ids["staff.role_"+string(r)] = "roles"
	}
	for _, kind := range []string{"invite", "password_reset", "password_changed"} {
		ids["mail."+kind+".subject"], ids["mail."+kind+".body"] = "mail", "mail"
	}
	if len(ids) < 80 {
		t.Errorf("found only %d ids", len(ids))
	}
	for id, where := range ids {
		for _, l := range []string{"nb", "nn", "en"} {
			// Nynorsk may fall back to Bokmål for the site's shared
			// messages; the account pages' own are complete.
			if !cat.Has(l, id) && (l != "nn" || strings.HasPrefix(id, "account.") || strings.HasPrefix(id, "mail.")) {
				t.Errorf("%s uses %q, which %s lacks", where, id, l)
			}
		}
	}
}
