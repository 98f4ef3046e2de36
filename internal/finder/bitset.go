package finder

import "math/bits"

// bitset is a set of document numbers.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int)     { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) clone() bitset { return append(bitset(nil), b...) }

func (b bitset) or(o bitset) {
	for i := range b {
		b[i] |= o[i]
	}
}

func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

// fill makes the set hold 0 … n-1.
func (b bitset) fill(n int) {
	for i := range b {
		b[i] = ^uint64(0)
	}
	if r := n & 63; r != 0 {
		b[len(b)-1] = (1 << uint(r)) - 1
	}
}

func (b bitset) count() (n int) {
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// each calls fn for every member in ascending order until fn returns false.
func (b bitset) each(fn func(int) bool) {
	for i, w := range b {
		for w != 0 {
			if !fn(i<<6 + bits.TrailingZeros64(w)) {
				return
			}
			w &= w - 1
		}
	}
}

// addTo puts doc into the set m[key] of a universe of n documents.
func addTo[K comparable](m map[K]bitset, key K, doc, n int) {
	b, ok := m[key]
	if !ok {
		b = newBitset(n)
		m[key] = b
	}
	b.set(doc)
}

// union is the union of the sets m[k] for keys, over n documents.
func union[K comparable](m map[K]bitset, keys []K, n int) bitset {
	u := newBitset(n)
	for _, k := range keys {
		if b, ok := m[k]; ok {
			u.or(b)
		}
	}
	return u
}
