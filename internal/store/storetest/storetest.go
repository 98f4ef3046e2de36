// Package storetest opens migrated stores for tests on both engines: a fresh
// SQLite file in a temporary directory, and a fresh PostgreSQL database copied
// from a migrated template (see package testdb).
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/testdb"
)

// Engines are the engines every store test runs on.
var Engines = []store.Engine{store.SQLite, store.Postgres}

// Open returns a migrated, empty store on engine, closed at the end of the test.
func Open(t testing.TB, engine store.Engine) *store.Store {
	t.Helper()
	s, _ := OpenDSN(t, engine)
	return s
}

// OpenDSN is Open, and also returns the store's DSN, for tests that need a
// second connection of their own (several instances, raw SQL).
func OpenDSN(t testing.TB, engine store.Engine) (*store.Store, string) {
	t.Helper()
	ctx := context.Background()
	var dsn string
	switch engine {
	case store.SQLite:
		dsn = filepath.Join(t.TempDir(), "fellesrom.db")
	case store.Postgres:
		dsn = testdb.Postgres(t, migrate)
	default:
		t.Fatalf("unknown engine %q", engine)
	}
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s, dsn
}

func migrate(dsn string) error {
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Migrate(ctx)
}

// Each runs fn as a subtest on each engine with a fresh store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}
