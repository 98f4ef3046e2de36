package meetingguide_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/meetingguide"
)

// FuzzParse: any input of at most the limit gives meetings or an error,
// never a crash or a hang; what is read is written again and read the same,
// and maps to groups without a crash.
func FuzzParse(f *testing.F) {
	f.Add(readFile(f, "testdata/feed-example.json"))
	for _, s := range []string{`[]`, `[{"name":"a","slug":"a","day":[0,6],"time":"12:00 AM","types":"O,C"}]`,
		`[{"name":"a","slug":"a","day":"7"}]`, `[{"name":1,"slug":true,"latitude":"NaN","longitude":1e400}]`,
		`[{"name":"a","slug":"a","regions":"x","types":[1,null,{}],"updated":"2026-13-45 99:99:99"}]`,
		`[[[[[[[[[[]]]]]]]]]]`, `{"a":1}`, `[null]`, "[\"\xff\"]", `[{"name":"a","slug":"a","day":[0,1,2,3,4,5,6,0]}]`} {
		f.Add([]byte(s))
	}
	const limit = 64 << 10
	f.Fuzz(func(t *testing.T, in []byte) {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				panic(fmt.Sprintf("slow input %q", in))
			}
		}()
		ms, _, err := meetingguide.Parse(bytes.NewReader(in), limit)
		if err != nil {
			if !errors.Is(err, meetingguide.ErrNotFeed) && !errors.Is(err, meetingguide.ErrTooLarge) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(in) > limit+1 {
			t.Fatalf("read %d bytes with a limit of %d", len(in), limit)
		}
		seen := map[string]bool{}
		for _, m := range ms {
			if m.Slug == "" || m.Name == "" || seen[m.Slug] {
				t.Fatalf("meeting without slug or name, or twice: %q %q", m.Slug, m.Name)
			}
			seen[m.Slug] = true
			for _, d := range m.Days {
				if d < time.Sunday || d > time.Saturday {
					t.Fatalf("day %d", d)
				}
			}
		}
		var buf bytes.Buffer
		if err := meetingguide.Encode(&buf, "https://x.example", ms); err != nil {
			t.Fatal(err)
		}
		again, _, err := meetingguide.Parse(&buf, 1<<30)
		if err != nil || len(again) != len(ms) {
			t.Fatalf("written feed reads back as %d meetings, %v", len(again), err)
		}
		for i := range ms {
			if again[i].Slug != ms[i].Slug || !slices.Equal(again[i].Days, ms[i].Days) || again[i].Time != ms[i].Time {
				t.Fatalf("meeting %d changed: %+v / %+v", i, ms[i], again[i])
			}
		}
		meetingguide.ToGroups(ms, meetingguide.ImportOptions{Source: "f", Now: time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)})
	})
}
