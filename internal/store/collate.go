package store

import (
	"bytes"
	"slices"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Names are sorted in Go by Norwegian rules (æ, ø, å last), so that both
// engines give the same order whatever their collation. x/text has no
// Norwegian tailoring; Danish has the same alphabet order (… z, æ, ø, å).
var (
	collatorMu sync.Mutex
	collator   = collate.New(language.Danish, collate.IgnoreCase)
)

// sortByName sorts xs stably by the Norwegian collation of name(x).
func sortByName[T any](xs []T, name func(T) string) {
	collatorMu.Lock()
	defer collatorMu.Unlock()
	var buf collate.Buffer
	keys := make(map[string][]byte, len(xs))
	for _, x := range xs {
		n := name(x)
		if _, ok := keys[n]; !ok {
			keys[n] = slices.Clone(collator.KeyFromString(&buf, n))
			buf.Reset()
		}
	}
	slices.SortStableFunc(xs, func(a, b T) int {
		ka, kb := keys[name(a)], keys[name(b)]
		return bytes.Compare(ka, kb)
	})
}
