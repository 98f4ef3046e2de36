package api_test

import (
	"flag"
	"strings"
	"testing"
)

// TestZZContractCoverage runs last (files and tests run in name order) and
// checks that the tests above reached every operation of the contract, and
// every response each documents, so that no part of the contract goes
// untested. It needs the whole package: with -run, -skip or -shuffle it
// skips.
func TestZZContractCoverage(t *testing.T) {
	for name, off := range map[string]string{"test.run": "", "test.skip": "", "test.shuffle": "off"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != off {
			t.Skipf("-%s is set: the coverage of the contract needs every test of the package", strings.TrimPrefix(name, "test."))
		}
	}
	c := theContract(t)
	ops, responses := c.operations()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, op := range ops {
		called := false
		for k := range c.seen {
			if strings.HasPrefix(k, op+" ") {
				called = true
				break
			}
		}
		if !called {
			t.Errorf("operation %s is never called by the tests", op)
		}
	}
	for _, r := range responses {
		if !c.seen[r] {
			t.Errorf("response %s is never seen by the tests", r)
		}
	}
	for _, ref := range []string{methodNotAllowedRef, notFoundRef} {
		if !c.seen[ref] {
			t.Errorf("%s is never seen by the tests", ref)
		}
	}
	t.Logf("%d operations, %d documented responses, all seen", len(ops), len(responses))
}
