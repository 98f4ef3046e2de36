// Package storetest opens migrated stores for tests on both engines: a fresh
// SQLite file in a temporary directory, and a fresh PostgreSQL database copied
// from a migrated template (see package testdb).
package storetest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/fellesrom/fellesrom/internal/seal"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/testdb"
)

// Keys is the keyring of every store a test opens (one per test binary):
// a test that opens a second store on the same database gives it these.
var Keys = seal.Generate()

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
	s.SetKeys(Keys)
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

// Dump returns what a backup of the database would hold: on PostgreSQL a
// pg_dump of it, on SQLite the bytes of the database file and its
// write-ahead log.
func Dump(t testing.TB, engine store.Engine, dsn string) []byte {
	t.Helper()
	if engine == store.Postgres {
		return testdb.Dump(t, dsn)
	}
	var out []byte
	for _, p := range []string{dsn, dsn + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}
