package domain

import (
	"bytes"
	"slices"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Names are sorted in Go by Norwegian rules (… z, æ, ø, å), so that both
// database engines and every page give the same order. x/text has no
// Norwegian tailoring; Danish has the same alphabet order.
var (
	collatorMu sync.Mutex
	collator   = collate.New(language.Danish, collate.IgnoreCase)
)

// CollationKey is a key that orders names in Norwegian order when compared
// with bytes.Compare.
func CollationKey(name string) []byte {
	collatorMu.Lock()
	defer collatorMu.Unlock()
	var buf collate.Buffer
	return slices.Clone(collator.KeyFromString(&buf, name))
}

// SortByName sorts xs stably by name(x) in Norwegian order.
func SortByName[T any](xs []T, name func(T) string) {
	keys := make(map[string][]byte, len(xs))
	for _, x := range xs {
		if n := name(x); keys[n] == nil {
			keys[n] = CollationKey(n)
		}
	}
	slices.SortStableFunc(xs, func(a, b T) int { return bytes.Compare(keys[name(a)], keys[name(b)]) })
}
