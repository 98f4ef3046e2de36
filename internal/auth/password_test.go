package auth_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// cheap are parameters for tests that hash often.
var cheap = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

var rePHC = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestPasswordHash(t *testing.T) {
	h, err := auth.HashPassword("riktig hest batteri stift", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if m := rePHC.FindStringSubmatch(h); m == nil || m[1] != "64" || m[2] != "1" || m[3] != "1" {
		t.Fatalf("not a PHC string with the parameters: %s", h)
	}
	h2, _ := auth.HashPassword("riktig hest batteri stift", cheap)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt?")
	}
	if ok, rehash, err := auth.VerifyPassword("riktig hest batteri stift", h, cheap); !ok || rehash || err != nil {
		t.Errorf("right password: %v %v %v", ok, rehash, err)
	}
	if ok, _, err := auth.VerifyPassword("riktig hest batteri stiftx", h, cheap); ok || err != nil {
		t.Errorf("wrong password: %v %v", ok, err)
	}
	// NFC: "å" typed as one code point or as a + ring is the same password.
	hå, _ := auth.HashPassword("blåbærsyltetøy på brødskiva", cheap)
	if ok, _, _ := auth.VerifyPassword("bla\u030abærsyltetøy på brødskiva", hå, cheap); !ok {
		t.Error("the decomposed form of the same password does not match")
	}
	// Parameters changed since the hash was made: right password, rehash.
	if ok, rehash, _ := auth.VerifyPassword("riktig hest batteri stift", h, auth.DefaultParams); !ok || !rehash {
		t.Errorf("with new parameters: ok %v rehash %v", ok, rehash)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + strings.Repeat("A", 43), // 4 GiB
		"$argon2id$v=19$m=64,t=1,p=1$!!$" + strings.Repeat("A", 43), "plain"} {
		if ok, _, err := auth.VerifyPassword("x", bad, cheap); ok || err == nil {
			t.Errorf("accepted hash %q", bad)
		}
	}
}

// The production parameters, measured: the figure the README states.
func TestDefaultParamsCost(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	h, err := auth.HashPassword("warm up the allocator", auth.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	var times []time.Duration
	for range 3 {
		start := time.Now()
		ok, rehash, err := auth.VerifyPassword("warm up the allocator", h, auth.DefaultParams)
		times = append(times, time.Since(start))
		if !ok || rehash || err != nil {
			t.Fatal(ok, rehash, err)
		}
	}
	t.Logf("argon2id %+v: %v", auth.DefaultParams, times)
	if m := rePHC.FindStringSubmatch(h); m == nil || m[1] != "65536" || m[2] != "3" || m[3] != "2" {
		t.Errorf("default parameters %s", h)
	}
}

func TestPasswordPolicy(t *testing.T) {
	personal := []string{"kari.nordmann@example.no", "Kari Nordmann"}
	for _, c := range []struct {
		pw   string
		want string // message id, "" for accepted
	}{
		{"kort", "auth.password_short"},
		{"elleve tegn", "auth.password_short"}, // 11
		{"tolv tegn ok", ""},                   // 12
		{"ææææææææææææ", "auth.password_common"},
		{"abcabcabcabc", "auth.password_common"},
		{"abcdabcdabcd", ""},                               // a unit of four is left to the list
		{strings.Repeat("x", 128), "auth.password_common"}, // a repetition of "x"
		{"søt kanel og kardemomme" + strings.Repeat("!", 106), "auth.password_long"},
		{"grønne epler på taket", ""},
		{"e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301 x", "auth.password_short"}, // 13 code points, 7 after NFC
		{"qwertyuiop12", "auth.password_common"},
		{"password123456", "auth.password_common"},
		{"Monkey2024!!!", "auth.password_common"},
		{"qwertyqwerty", "auth.password_common"},
		{"1q2w3e4r5t6y", "auth.password_common"},
		{"leavemealone", "auth.password_common"}, {"Sonyericsson", "auth.password_common"},
		{"fellesrom2026!", "auth.password_personal"},
		{"Selvhjelp-1234", "auth.password_personal"},
		{"passordpassord", "auth.password_personal"}, // "passord" is a word of the site
		{"kari.nordmann@example.no", "auth.password_personal"},
		{"Kari Nordmann 1990", "auth.password_personal"},
		{"KariNordmann!!", "auth.password_personal"},
		{"Kari Nordmann liker blåbær", ""},
		{"invalid \xff utf-8 here", "auth.password_invalid"},
		{"🙂🙂 emoji er lov her 🙂", ""},
	} {
		err := auth.CheckPassword(c.pw, personal...)
		got := ""
		if pe, ok := err.(*auth.PolicyError); ok {
			got = pe.ID
		} else if err != nil {
			t.Errorf("%q: %v", c.pw, err)
		}
		if got != c.want {
			t.Errorf("%q: %q, want %q", c.pw, got, c.want)
		}
	}
	err := auth.CheckPassword("kort").(*auth.PolicyError)
	if err.Data["Min"] != auth.MinPasswordLen {
		t.Errorf("data %v", err.Data)
	}
}
