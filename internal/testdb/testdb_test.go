package testdb_test

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

var prepares atomic.Int32

// prepare stands for the migrations: it makes a table with one row.
func prepare(dsn string) error {
	prepares.Add(1)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL);
		INSERT INTO note VALUES (1, 'from the template')`)
	return err
}

func open(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPostgres(t *testing.T) {
	start := time.Now()
	dsn := testdb.Postgres(t, prepare)
	t.Logf("first Postgres call (cluster start, template, prepare, copy): %v", time.Since(start))
	if !strings.HasPrefix(dsn, "postgres://") {
		t.Fatalf("DSN %q is not a postgres:// URL", dsn)
	}
	db := open(t, dsn)
	var version string
	if err := db.QueryRow("SHOW server_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	t.Logf("DSN %s, server version %s", dsn, version)

	// Parallel tests each get their own copy of the template.
	var (
		mu    sync.Mutex
		names []string
	)
	t.Run("group", func(t *testing.T) {
		for i := range 6 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				start := time.Now()
				dsn := testdb.Postgres(t, prepare)
				t.Logf("copy: %v", time.Since(start))
				db := open(t, dsn)
				var body string
				if err := db.QueryRow("SELECT body FROM note WHERE id = 1").Scan(&body); err != nil {
					t.Fatal(err)
				}
				if body != "from the template" {
					t.Errorf("body = %q", body)
				}
				if _, err := db.Exec("INSERT INTO note VALUES (2, $1)", fmt.Sprint(i)); err != nil {
					t.Fatal(err)
				}
				var n int
				if err := db.QueryRow("SELECT count(*) FROM note").Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != 2 {
					t.Errorf("the database has %d notes, want 2: it is not the test's own", n)
				}
				var name string
				if err := db.QueryRow("SELECT current_database()").Scan(&name); err != nil {
					t.Fatal(err)
				}
				mu.Lock()
				names = append(names, name)
				mu.Unlock()
			})
		}
	})
	if got := prepares.Load(); got != 1 {
		t.Errorf("prepare ran %d times, want 1", got)
	}

	// The subtests' databases are gone after their cleanup.
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/postgres"
	admin := open(t, u.String())
	for _, name := range names {
		var n int
		if err := admin.QueryRow("SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("database %s still exists after its test ended", name)
		}
	}
}
