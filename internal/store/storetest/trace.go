package storetest

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/seal"
	"github.com/fellesrom/fellesrom/internal/store"
)

// DB is a connection of the test's own to the database of a store opened
// with OpenDSN, for raw SQL the store does not offer (a search of every
// table), closed at the end of the test.
func DB(t testing.TB, engine store.Engine, dsn string) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if engine == store.Postgres {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// EveryRow renders every row of every table as text, table by table: each
// column as "name=value", and each sealed value also opened with the test
// keys (Keys) and the context <table>.<column>:<a value of the same row>
// (the row's ID, for every sealed column of the schema). A sealed value
// that opens with none of them is an error: the search would be blind to
// it.
func EveryRow(t testing.TB, engine store.Engine, db *sql.DB) map[string][]string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if engine == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
			AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	var tables []string
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 20 || !slices.Contains(tables, "enquiries") || !slices.Contains(tables, "audit_log") {
		t.Fatalf("tables: %v", tables)
	}
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			texts := make([]string, len(cols))
			for i, v := range vals {
				switch v := v.(type) {
				case nil:
				case []byte:
					texts[i] = string(v)
				case time.Time:
					texts[i] = v.UTC().Format(time.RFC3339Nano)
				default:
					texts[i] = fmt.Sprint(v)
				}
			}
			var b strings.Builder
			for i, col := range cols {
				fmt.Fprintf(&b, "%s=%s ", col, texts[i])
				if !seal.IsSealed(texts[i]) {
					continue
				}
				opened := false
				for _, ctx := range texts {
					if plain, err := Keys.OpenString(texts[i], table+"."+col+":"+ctx); err == nil {
						fmt.Fprintf(&b, "(%s opened: %s) ", col, plain)
						opened = true
						break
					}
				}
				if !opened {
					t.Errorf("%s.%s: a sealed value that the search cannot open", table, col)
				}
			}
			out[table] = append(out[table], b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

// Traces lists where any of needles is found in rows (as EveryRow returns
// them), case-insensitively, one "<table> holds <needle>: <row>" for each
// table and needle found, in table order; skip, if not nil, excuses a
// needle in a table (an audit row that rightly keeps an ID).
func Traces(rows map[string][]string, needles []string, skip func(table, needle string) bool) []string {
	tables := make([]string, 0, len(rows))
	for table := range rows {
		tables = append(tables, table)
	}
	slices.Sort(tables)
	var out []string
	for _, table := range tables {
		for _, needle := range needles {
			if needle == "" || skip != nil && skip(table, needle) {
				continue
			}
			low := strings.ToLower(needle)
			for _, row := range rows[table] {
				if strings.Contains(strings.ToLower(row), low) {
					out = append(out, fmt.Sprintf("%s holds %q: %s", table, needle, row))
					break
				}
			}
		}
	}
	return out
}
