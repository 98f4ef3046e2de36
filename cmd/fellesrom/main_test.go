package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runCmd(t *testing.T, ctx context.Context, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(ctx, args, &out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return out.String(), err
}

func TestVersionAndUsage(t *testing.T) {
	out, err := runCmd(t, context.Background(), "version")
	if err != nil || !strings.HasPrefix(out, "fellesrom ") {
		t.Errorf("version: %q %v", out, err)
	}
	if _, err := runCmd(t, context.Background(), "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
	if _, err := runCmd(t, context.Background(), "demo", "--groups", "-5", "--data-dir", t.TempDir()); err == nil {
		t.Error("negative --groups accepted")
	}
}

func TestMigrateAndDemo(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	dir := t.TempDir()
	if _, err := runCmd(t, context.Background(), "migrate", "--data-dir", dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "fellesrom.db")); err != nil {
		t.Fatalf("no database file: %v", err)
	}
	out, err := runCmd(t, context.Background(), "demo", "--data-dir", dir)
	if err != nil || !strings.Contains(out, "groups") {
		t.Fatalf("demo: %q %v", out, err)
	}
	out, err = runCmd(t, context.Background(), "demo", "--data-dir", dir)
	if err != nil || !strings.Contains(out, "already has data") {
		t.Errorf("second demo: %q %v", out, err)
	}
}

func TestServeDemo(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := runCmd(t, ctx, "serve", "--demo", "--addr", addr, "--data-dir", t.TempDir())
		done <- err
	}()
	var res *http.Response
	for i := 0; i < 100; i++ {
		if res, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server did not answer: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("healthz %d", res.StatusCode)
	}
	res, err = http.Get("http://" + addr + "/api/v1/groups?per_page=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"total"`) {
		t.Errorf("search on the demo data: %d %.200s", res.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve ended with %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// import hsds reads an official HSDS example into the directory, a second
// time changes nothing, and a file that is not HSDS is refused with nothing
// written.
func TestImportHSDS(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := runCmd(t, ctx, "demo", "--data-dir", dir); err != nil {
		t.Fatal(err)
	}
	example := filepath.Join("..", "..", "internal", "hsds", "testdata", "examples", "service_full.json")
	args := []string{"import", "hsds", "--data-dir", dir, "--model", "selvhjelp-norge", "--municipality", "0301", example}
	out, err := runCmd(t, ctx, args...)
	if err != nil || !strings.Contains(out, "3 created") {
		t.Fatalf("import: %q %v", out, err)
	}
	if out, err := runCmd(t, ctx, args...); err != nil || !strings.Contains(out, "0 created, 0 updated, 3 unchanged") {
		t.Errorf("second import: %q %v", out, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"id": "x", "name": 5}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, ctx, "import", "hsds", "--data-dir", dir, "--kind", "service", "--model", "selvhjelp-norge", bad); err == nil {
		t.Error("a service whose name is a number was imported")
	}
	if _, err := runCmd(t, ctx, "import", "csv", "--data-dir", dir, bad); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("import csv: %v", err)
	}
}
