package mail

import (
	"fmt"
	"strings"

	"github.com/fellesrom/fellesrom/internal/i18n"
)

// Compose renders the mail of a kind in lang from the message catalogue c
// (nil: i18n.DefaultCatalog): the subject is the message
// "mail.<kind>.subject", the body "mail.<kind>.body", followed by the common
// footer "mail.footer"; data fills their template fields ({{.Link}}). A
// language that lacks the texts gets Bokmål, as on the site.
//
// To add a kind of mail, add its two messages to the catalogue (nb and en at
// least). Compose fails for a kind the catalogue does not have, and when
// data lacks a field a text uses.
func Compose(c *i18n.Catalog, lang, kind string, data map[string]any) (subject, body string, err error) {
	if c == nil {
		c = i18n.DefaultCatalog()
	}
	sid, bid := "mail."+kind+".subject", "mail."+kind+".body"
	if kind == "" || !c.Has(i18n.Default, sid) || !c.Has(i18n.Default, bid) {
		return "", "", fmt.Errorf("mail: the catalogue has no texts for mail of kind %q (%s, %s)", kind, sid, bid)
	}
	subject, _ = c.Lookup(lang, sid, data)
	body, _ = c.Lookup(lang, bid, data)
	footer, _ := c.Lookup(lang, "mail.footer", data)
	for _, s := range []string{subject, body, footer} {
		// text/template's mark of a missing field.
		if strings.Contains(s, "<no value>") {
			return "", "", fmt.Errorf("mail: the texts of mail of kind %q use a field that the data lacks", kind)
		}
	}
	subject = strings.Join(strings.Fields(subject), " ")
	body = strings.TrimRight(body, "\n") + "\n\n-- \n" + footer + "\n"
	return subject, body, nil
}
