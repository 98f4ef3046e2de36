package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The key file is made with the database, rotated, resealed and retired
// from the command line; a database with sealed values refuses a new key
// file; serve refuses to listen beyond loopback without a public URL.
func TestKeysCommand(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("FELLESROM_KEY_FILE", "")
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := runCmd(t, ctx, "keys", "list", "--data-dir", dir); err == nil {
		t.Error("keys list without a key file")
	}
	if _, err := runCmd(t, ctx, "migrate", "--data-dir", dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "fellesrom.keys")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	out, err := runCmd(t, ctx, "keys", "list", "--data-dir", dir)
	first := strings.Fields(out)
	if err != nil || len(first) < 1 || !strings.Contains(out, "seals and opens") {
		t.Fatalf("keys list: %q %v", out, err)
	}
	oldKey := first[0]

	// A user with a TOTP secret sealed with the first key.
	st, _, err := app.OpenStore(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	u := store.User{Email: "a@example.no", Name: "A", TOTPSecret: "JBSWY3DPEHPK3PXP"}
	if err := st.CreateUser(store.WithActor(ctx, store.Actor{ID: "cli"}), &u); err != nil {
		t.Fatal(err)
	}
	st.Close()

	if out, err := runCmd(t, ctx, "keys", "retire", "--key", oldKey, "--data-dir", dir); err == nil {
		t.Errorf("retired the only key: %q", out)
	}
	if out, err := runCmd(t, ctx, "keys", "rotate", "--data-dir", dir); err != nil || !strings.Contains(out, "reseal") {
		t.Fatalf("rotate: %q %v", out, err)
	}
	if out, err := runCmd(t, ctx, "keys", "retire", "--key", oldKey, "--data-dir", dir); err == nil ||
		!strings.Contains(err.Error(), "still sealed") {
		t.Errorf("retired a key still in use: %q %v", out, err)
	}
	if out, err := runCmd(t, ctx, "keys", "reseal", "--data-dir", dir); err != nil || !strings.Contains(out, "users.totp_secret: 1 resealed") {
		t.Fatalf("reseal: %q %v", out, err)
	}
	if out, err := runCmd(t, ctx, "keys", "retire", "--key", oldKey, "--data-dir", dir); err != nil {
		t.Fatalf("retire after reseal: %q %v", out, err)
	}
	out, _ = runCmd(t, ctx, "keys", "list", "--data-dir", dir)
	if strings.Contains(out, oldKey) || len(strings.Split(strings.TrimSpace(out), "\n")) != 1 {
		t.Errorf("after retiring: %q", out)
	}
	st, _, err = app.OpenStore(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.User(ctx, u.ID); err != nil || got.TOTPSecret != "JBSWY3DPEHPK3PXP" {
		t.Errorf("secret after the rotation: %q %v", got.TOTPSecret, err)
	}
	st.Close()

	// The key file lost: the database's sealed values make the start fail
	// instead of running with keys that open nothing.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, ctx, "migrate", "--data-dir", dir); err == nil || !strings.Contains(err.Error(), "restore the key file") {
		t.Errorf("a new key file for a database with sealed values: %v", err)
	}
}

func TestServeNeedsPublicURLBeyondLoopback(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("FELLESROM_PUBLIC_URL", "")
	ctx := context.Background()
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "192.0.2.10:80"} {
		_, err := runCmd(t, ctx, "serve", "--addr", addr, "--data-dir", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "FELLESROM_PUBLIC_URL") {
			t.Errorf("serve --addr %s without FELLESROM_PUBLIC_URL: %v", addr, err)
		}
	}
	t.Setenv("FELLESROM_PUBLIC_URL", "ftp://example.no")
	if _, err := runCmd(t, ctx, "serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()); err == nil ||
		!strings.Contains(err.Error(), "FELLESROM_PUBLIC_URL") {
		t.Errorf("serve with a broken FELLESROM_PUBLIC_URL: %v", err)
	}
}
