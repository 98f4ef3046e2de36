package domain

import (
	"math"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold normalises text for search: Unicode NFC, lower case by Unicode rules
// (so "PÅRØRENDE" and "pårørende" are equal), and every run of characters that
// are not letters or digits turned into one space.
func Fold(s string) string {
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// Tokens splits folded text into words.
func Tokens(s string) []string {
	return strings.Fields(Fold(s))
}

// DistanceKm is the great-circle distance between two points in kilometres.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dlat := (lat2 - lat1) * rad
	dlon := (lon2 - lon1) * rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// SlugMax is the longest slug ShortSlug makes.
const SlugMax = 80

// ShortSlug is Slugify cut to at most SlugMax bytes (at a whole word where
// it can), for slugs made from others' texts (imports, harvested feeds).
func ShortSlug(s string) string {
	out := Slugify(s)
	if len(out) <= SlugMax {
		return out
	}
	out = out[:SlugMax]
	if i := strings.LastIndexByte(out, '-'); i > SlugMax/2 {
		out = out[:i]
	}
	return strings.Trim(out, "-")
}

// Slugify makes a URL-safe slug from a name: lower case ASCII letters, digits
// and hyphens, with æ, ø, å written as ae, o, a.
func Slugify(s string) string {
	repl := strings.NewReplacer("æ", "ae", "ø", "o", "å", "a", "Æ", "ae", "Ø", "o", "Å", "a",
		"á", "a", "č", "c", "đ", "d", "ŋ", "n", "š", "s", "ŧ", "t", "ž", "z", "é", "e", "ü", "u", "ö", "o", "ä", "a")
	s = repl.Replace(strings.ToLower(s))
	var b strings.Builder
	dash := true
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}
