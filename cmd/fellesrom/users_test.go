package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
)

func TestUsersCommand(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	dir := t.TempDir()
	ctx := context.Background()
	t.Setenv(EnvPassword, "grønne epler på taket")
	out, err := runCmd(t, ctx, "users", "create", "--admin", "--email", "Ada@Example.no", "--name", "Ada Admin", "--data-dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Created administrator Ada Admin <ada@example.no>") || !strings.Contains(out, "/logg-inn") ||
		!strings.Contains(out, "two-step verification (TOTP)") {
		t.Errorf("create: %q", out)
	}
	if _, err := runCmd(t, ctx, "users", "create", "--admin", "--email", "ada@example.no", "--name", "Again", "--data-dir", dir); err == nil ||
		!strings.Contains(err.Error(), "exists already") {
		t.Errorf("duplicate: %v", err)
	}
	t.Setenv(EnvPassword, "fellesrom2026")
	if _, err := runCmd(t, ctx, "users", "create", "--admin", "--email", "b@example.no", "--name", "B", "--data-dir", dir); err == nil ||
		!strings.Contains(err.Error(), "password refused: The password cannot be your name") {
		t.Errorf("weak password: %v", err)
	}
	// From standard input, when the environment has no password.
	os.Unsetenv(EnvPassword)
	stdin = strings.NewReader("en lang og god setning\n")
	defer func() { stdin = os.Stdin }()
	if out, err := runCmd(t, ctx, "users", "create", "--admin", "--email", "c@example.no", "--name", "Cecilie", "--data-dir", dir); err != nil ||
		!strings.Contains(out, "Created administrator Cecilie") {
		t.Errorf("password from stdin: %q %v", out, err)
	}
	for _, bad := range [][]string{{"users"}, {"users", "frob"}, {"users", "create", "--email", "x@example.no", "--name", "X"},
		{"users", "create", "--email", "x@example.no", "--name", "X", "--org", "nope"}} {
		if _, err := runCmd(t, ctx, append(bad, "--data-dir", dir)...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	out, err = runCmd(t, ctx, "users", "list", "--data-dir", dir)
	if err != nil || !strings.Contains(out, "ada@example.no") || !strings.Contains(out, "admin") || !strings.Contains(out, "c@example.no") ||
		strings.Contains(out, "b@example.no") || !strings.Contains(out, "never") {
		t.Errorf("list: %q %v", out, err)
	}

	// The administrator can sign in with that password; the hash has the
	// production parameters; the creation is in the audit log, by "cli".
	st, _, err := app.OpenStore(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.UserByEmail(ctx, "ada@example.no")
	if err != nil || !u.Admin || !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("%+v %v", u, err)
	}
	res, err := auth.New(st, auth.Options{}).SignIn(ctx, "ada@example.no", "grønne epler på taket", auth.Meta{}, "")
	if err != nil || res.Stage != auth.StageEnrol {
		t.Errorf("sign-in of the new administrator: %+v %v", res.Stage, err)
	}
	log, _ := st.AuditLog(ctx, store.AuditFilter{Action: "user.create"})
	if len(log) != 2 || log[0].ActorID != "cli" {
		t.Errorf("audit %+v", log)
	}
	if out, err := runCmd(t, ctx, "users", "reset-totp", "--email", "ada@example.no", "--data-dir", dir); err != nil || !strings.Contains(out, "is off") {
		t.Errorf("reset-totp: %q %v", out, err)
	}
}
