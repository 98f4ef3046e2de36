package domain

import (
	"strings"
	"testing"
)

// Slugs made from others' texts are what the site's addresses accept:
// lower-case ASCII letters, digits and hyphens (a slug with ø would give
// a group page that never opens), at most SlugMax bytes.
func TestShortSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Møte på Tøyen":             "mote-pa-toyen",
		"AA – Åpent møte, Bærum":    "aa-apent-mote-baerum",
		"Čoahkkin Kárášjogas":       "coahkkin-karasjogas",
		"  ---  ":                   "",
		strings.Repeat("sorg ", 40): strings.TrimSuffix(strings.Repeat("sorg-", 16), "-"),
	} {
		got := ShortSlug(in)
		if got != want {
			t.Errorf("ShortSlug(%q) = %q, want %q", in, got, want)
		}
		for _, r := range got {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') || len(got) > SlugMax {
				t.Errorf("ShortSlug(%q) = %q: not a slug the site accepts", in, got)
				break
			}
		}
	}
}
