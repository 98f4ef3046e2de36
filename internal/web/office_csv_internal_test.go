package web

import (
	"errors"
	"testing"

	"github.com/fellesrom/fellesrom/internal/csvio"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
)

// When an import fails as it is written, the plan is shown again with the
// row that failed rejected and why (in words of the catalogue).
func TestOfficeCSVFailRow(t *testing.T) {
	cat := i18n.DefaultCatalog()
	for _, c := range []struct {
		err  *store.RowError
		want string
	}{
		{&store.RowError{Line: 3, Invalid: true, Err: store.ErrOnlineURL}, "csvio.err_apply_invalid"},
		{&store.RowError{Line: 3, Err: store.ErrNotFound}, "csvio.err_apply_gone"},
		{&store.RowError{Line: 3, Err: errors.New("UNIQUE constraint failed: groups.slug")}, "csvio.err_apply_failed"},
	} {
		v := &officeCSVView{Plan: &csvio.Plan{Rows: []csvio.Row{
			{Line: 2, Action: csvio.Create}, {Line: 3, Action: csvio.Change, Changed: []string{"name"}}}}}
		if !v.failRow(c.err) {
			t.Fatalf("%v: no row marked", c.err)
		}
		r := v.Plan.Rows[1]
		if r.Action != csvio.Reject || len(r.Problems) != 1 || r.Problems[0].Message != c.want || r.Changed != nil {
			t.Errorf("%v: row %+v, want %s", c.err, r, c.want)
		}
		if v.Plan.Rows[0].Action != csvio.Create {
			t.Errorf("another row changed: %+v", v.Plan.Rows[0])
		}
		if c.err.Invalid && r.Problems[0].Value != store.ErrOnlineURL.Error() {
			t.Errorf("the reason %q", r.Problems[0].Value)
		}
		for _, l := range []string{"nb", "nn", "en"} {
			if !cat.Has(l, c.want) {
				t.Errorf("%s lacks %s", l, c.want)
			}
		}
		if v.failRow(&store.RowError{Line: 9}) {
			t.Error("a line the plan lacks was marked")
		}
	}
}
