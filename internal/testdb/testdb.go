// Package testdb gives each test a fresh PostgreSQL database.
//
// The first call of [Postgres] in a test process starts one throw-away
// PostgreSQL cluster (the Debian package postgresql, version 15), makes a
// template database and lets the caller prepare it, for example by running the
// migrations. Every call then gets its own copy of that template, made with
// CREATE DATABASE ... TEMPLATE, which is fast. The copy is dropped when the
// test ends.
//
// Use [Main] from TestMain, so that the cluster stops and its files go away
// when the tests end:
//
//	func TestMain(m *testing.M) { testdb.Main(m) }
//
// The cluster listens on a Unix socket in a temporary directory only, with
// fsync, full_page_writes and synchronous_commit off, and trust
// authentication. Nothing of it survives the test process: if the process dies
// without running Main, the kernel stops the server (a parent-death signal),
// and the next Main or Postgres call on the machine removes the leftover
// directory.
//
// Environment:
//
//   - FELLESROM_TEST_PG_URL: a postgres:// URL of an existing server where the
//     user may create databases. The package then uses that server and starts
//     none. The databases it makes there have names that start with
//     "fellesrom_test_"; it drops them again.
//   - FELLESROM_PG=skip: skip (t.Skip) the tests that need PostgreSQL when it
//     is not installed or does not start. Without it they fail.
//   - FELLESROM_PG_BINDIR: the directory of initdb and postgres, if not
//     /usr/lib/postgresql/15/bin.
package testdb

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
)

// Environment variables that the package reads.
const (
	EnvURL    = "FELLESROM_TEST_PG_URL"
	EnvPG     = "FELLESROM_PG"
	EnvBinDir = "FELLESROM_PG_BINDIR"
)

// DefaultBinDir is where Debian 12's package postgresql puts the server
// programs.
const DefaultBinDir = "/usr/lib/postgresql/15/bin"

// dirPrefix starts the name of the temporary directory of each cluster. The
// sweep for leftovers of dead processes looks for it.
const dirPrefix = "fellesrom-pg-"

// ownerFile, in the temporary directory of a cluster, holds the process id of
// the test process that owns the cluster.
const ownerFile = "owner.pid"

// startTimeout bounds initdb plus the start of the server.
const startTimeout = 60 * time.Second

var (
	startOnce sync.Once
	srv       *server
	errStart  error

	// mu serializes the creation of the template and every CREATE DATABASE
	// from it: PostgreSQL refuses to copy a template that another session
	// uses, and a copy in progress is such a use.
	mu       sync.Mutex
	tmplName string
	tmplErr  error
	tmplDone bool

	seq atomic.Int64
)

// unavailableError says that PostgreSQL cannot be used at all. With
// FELLESROM_PG=skip it makes the test skip instead of fail.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }

// server is the cluster that this process started, or the external server of
// FELLESROM_TEST_PG_URL.
type server struct {
	base   *url.URL // DSN of the admin database; dsn replaces the path
	admin  *sql.DB
	prefix string // prefix of the names of the databases of this process

	// Only for a cluster that this process started:
	dir     string        // temporary directory: data/, socket, server.log
	cmd     *exec.Cmd     // runuser (or postgres, when not root)
	exited  chan struct{} // closed when cmd has exited
	waitErr error         // the error of cmd.Wait, valid after exited closes
}

// Postgres returns the DSN (postgres://… URL form usable by
// github.com/jackc/pgx/v5/stdlib, e.g.
// "postgres://postgres@/dbname?host=/tmp/xyz&sslmode=disable") of a fresh
// database for this test, copied from a template database. The first call in
// the process creates the template and calls prepare(templateDSN) once on it
// (e.g. to run migrations); later calls reuse it (prepare is then not called).
// prepare may be nil. The database is dropped in t.Cleanup.
//
// prepare must close the connections that it opens; any that stay open are
// terminated when it returns. Postgres is safe for parallel tests.
func Postgres(t testing.TB, prepare func(dsn string) error) string {
	t.Helper()
	s, err := start()
	if err != nil {
		fail(t, err)
	}
	name, err := s.newDatabase(prepare)
	if err != nil {
		fail(t, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("testdb: drop database %s: %v", name, err)
		}
	})
	return s.dsn(name)
}

// Main wraps testing.M: m.Run(), then the cleanups in the given order, then it
// stops the cluster and removes its files, and exits with the code of m.Run.
// Use it from TestMain. The cleanups let a package combine it with other
// harnesses, for example:
//
//	func TestMain(m *testing.M) { testdb.Main(m, browsertest.Close) }
func Main(m *testing.M, cleanups ...func()) {
	// A fuzzing worker runs the fuzz target only: it must not start (or
	// wait for) a database of its own.
	if slices.ContainsFunc(os.Args[1:], func(a string) bool { return strings.HasPrefix(a, "-test.fuzzworker") }) {
		os.Exit(m.Run())
	}
	sweep()
	code := m.Run()
	for _, f := range cleanups {
		f()
	}
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, "testdb:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// fail ends the test: t.Skip for an unavailable server with FELLESROM_PG=skip,
// else t.Fatal.
func fail(t testing.TB, err error) {
	t.Helper()
	var ue *unavailableError
	if errors.As(err, &ue) && os.Getenv(EnvPG) == "skip" {
		t.Skipf("testdb: skipped, because %s=skip and PostgreSQL is not available: %v", EnvPG, err)
	}
	t.Fatal(err)
}

// start starts the cluster, or connects to the external server, once per
// process.
func start() (*server, error) {
	startOnce.Do(func() {
		srv, errStart = startServer()
		if errStart != nil {
			errStart = &unavailableError{errStart}
		}
	})
	return srv, errStart
}

const installHint = "Install PostgreSQL 15 with `apt-get install postgresql` (scripts/setup-test-deps does it), " +
	"or set " + EnvURL + " to the URL of a server where you may create databases. " +
	"To skip the tests that need PostgreSQL instead, set " + EnvPG + "=skip."

func startServer() (*server, error) {
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	prefix := fmt.Sprintf("fellesrom_test_%d_%s", os.Getpid(), hex.EncodeToString(rnd[:]))

	if raw := os.Getenv(EnvURL); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return nil, fmt.Errorf("testdb: %s must be a postgres:// URL, got %q", EnvURL, raw)
		}
		s := &server{base: u, prefix: prefix}
		if err := s.connect(30 * time.Second); err != nil {
			return nil, fmt.Errorf("testdb: cannot use the server of %s: %w", EnvURL, err)
		}
		return s, nil
	}

	sweep()
	s, err := startCluster(prefix)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// startCluster runs initdb and starts postgres in a new temporary directory.
func startCluster(prefix string) (_ *server, err error) {
	binDir := os.Getenv(EnvBinDir)
	if binDir == "" {
		binDir = DefaultBinDir
	}
	initdb := filepath.Join(binDir, "initdb")
	postgres := filepath.Join(binDir, "postgres")
	for _, p := range []string{initdb, postgres} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("testdb: PostgreSQL server program %s not found. %s", p, installHint)
		}
	}

	dir, err := os.MkdirTemp(baseDir(), dirPrefix)
	if err != nil {
		return nil, fmt.Errorf("testdb: %w", err)
	}
	s := &server{dir: dir, prefix: prefix}
	defer func() {
		if err != nil {
			s.stopCluster()
		}
	}()
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, fmt.Errorf("testdb: %w", err)
	}

	// initdb refuses to run as root, so as root run the server programs as
	// the OS user postgres, which must own the directory.
	var wrap []string
	if os.Geteuid() == 0 {
		pu, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("testdb: running as root needs the OS user postgres (the package postgresql makes it): %v. %s", err, installHint)
		}
		uid, _ := strconv.Atoi(pu.Uid)
		gid, _ := strconv.Atoi(pu.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, fmt.Errorf("testdb: %w", err)
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			return nil, fmt.Errorf("testdb: running as root needs runuser (package util-linux): %w", err)
		}
		wrap = []string{runuser, "-u", "postgres", "--"}
	}
	command := func(args ...string) *exec.Cmd {
		all := append(wrap[:len(wrap):len(wrap)], args...)
		cmd := exec.Command(all[0], all[1:]...)
		cmd.Dir = dir
		return cmd
	}

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()

	data := filepath.Join(dir, "data")
	cmd := command(initdb, "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("testdb: initdb failed: %v\n%s\n%s", err, tail(out, 40), installHint)
	}

	logPath := filepath.Join(dir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("testdb: %w", err)
	}
	defer logFile.Close() // the server has its own copy
	s.cmd = command(postgres, "-D", data, "-k", dir,
		"-c", "listen_addresses=",
		"-c", "fsync=off",
		"-c", "full_page_writes=off",
		"-c", "synchronous_commit=off",
		"-c", "max_connections=200",
		"-c", "log_min_messages=warning",
	)
	s.cmd.Stdout = logFile
	s.cmd.Stderr = logFile
	// When this process dies, the kernel sends SIGTERM to the server (or to
	// runuser, which passes it on).
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	s.exited = make(chan struct{})
	if err := startLocked(s.cmd, &s.waitErr, s.exited); err != nil {
		s.exited = nil
		return nil, fmt.Errorf("testdb: start postgres: %w", err)
	}

	s.base = &url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Path:     "/postgres",
		RawQuery: "host=" + dir + "&sslmode=disable",
	}
	if err := s.connectLocal(ctx); err != nil {
		return nil, fmt.Errorf("testdb: PostgreSQL did not start: %v\nlast lines of the server log:\n%s\n%s",
			err, tail(readFile(logPath), 40), installHint)
	}
	return s, nil
}

// startLocked starts cmd from a goroutine that stays locked to its OS thread
// until cmd exits. The parent-death signal is tied to the thread that started
// the process (https://go.dev/issue/27505), so that thread must live on.
func startLocked(cmd *exec.Cmd, waitErr *error, exited chan struct{}) error {
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the thread may then end with the goroutine,
		// which is fine once the process has exited.
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		*waitErr = cmd.Wait()
		close(exited)
	}()
	return <-started
}

// connectLocal waits until the local server accepts connections.
func (s *server) connectLocal(ctx context.Context) error {
	db, err := sql.Open("pgx", s.base.String())
	if err != nil {
		return err
	}
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err = db.PingContext(pctx)
		cancel()
		if err == nil {
			s.admin = db
			db.SetMaxOpenConns(4)
			return nil
		}
		select {
		case <-s.exited:
			db.Close()
			return fmt.Errorf("the server exited (%v)", s.waitErr)
		case <-ctx.Done():
			db.Close()
			return fmt.Errorf("no connection after %v: %v", startTimeout, err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// connect opens the admin connection to an external server.
func (s *server) connect(timeout time.Duration) error {
	db, err := sql.Open("pgx", s.base.String())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return err
	}
	db.SetMaxOpenConns(4)
	s.admin = db
	return nil
}

// dsn returns the DSN of the database name.
func (s *server) dsn(name string) string {
	u := *s.base
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

// newDatabase makes the template on the first call, and returns the name of a
// new copy of it.
func (s *server) newDatabase(prepare func(dsn string) error) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if !tmplDone {
		tmplDone = true
		tmplName, tmplErr = s.makeTemplate(ctx, prepare)
	}
	if tmplErr != nil {
		return "", tmplErr
	}
	name := fmt.Sprintf("%s_%d", s.prefix, seq.Add(1))
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name)+" TEMPLATE "+quoteIdent(tmplName)); err != nil {
		return "", fmt.Errorf("testdb: create database %s from the template: %w", name, err)
	}
	return name, nil
}

func (s *server) makeTemplate(ctx context.Context, prepare func(dsn string) error) (string, error) {
	name := s.prefix + "_tmpl"
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name)); err != nil {
		return "", fmt.Errorf("testdb: create the template database: %w", err)
	}
	if prepare != nil {
		if err := prepare(s.dsn(name)); err != nil {
			return "", fmt.Errorf("testdb: prepare the template database: %w", err)
		}
	}
	// A connection that prepare left open would make every copy fail.
	if _, err := s.admin.ExecContext(ctx,
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name); err != nil {
		return "", fmt.Errorf("testdb: close the connections to the template: %w", err)
	}
	return name, nil
}

// stop stops the cluster and removes its directory, or drops the template on
// an external server.
func stop() error {
	mu.Lock()
	defer mu.Unlock()
	if srv == nil {
		return nil
	}
	s := srv
	srv = nil
	errStart = errors.New("testdb: Postgres called after Main stopped the server")
	if s.dir == "" {
		var err error
		if tmplName != "" {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_, err = s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(tmplName)+" WITH (FORCE)")
			cancel()
		}
		s.admin.Close()
		return err
	}
	return s.stopCluster()
}

// stopCluster stops the server at once (immediate shutdown: the data goes away
// anyway) and removes the temporary directory.
func (s *server) stopCluster() error {
	if s.admin != nil {
		s.admin.Close()
	}
	var errs []error
	if s.exited != nil {
		if pid := postmasterPID(s.dir); pid > 0 {
			_ = syscall.Kill(pid, syscall.SIGQUIT)
		} else {
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
		}
		select {
		case <-s.exited:
		case <-time.After(15 * time.Second):
			_ = s.cmd.Process.Kill()
			if pid := postmasterPID(s.dir); pid > 0 {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			<-s.exited
			errs = append(errs, fmt.Errorf("testdb: the server did not stop in 15s; killed it"))
		}
	}
	if err := os.RemoveAll(s.dir); err != nil {
		errs = append(errs, fmt.Errorf("testdb: remove %s: %w", s.dir, err))
	}
	return errors.Join(errs...)
}

// baseDir returns the directory for the temporary directory of the cluster:
// /dev/shm when it is a usable tmpfs, since a copy of a template with a few
// hundred relations takes about 20 times as long on ext4 as on tmpfs (170 ms
// against 9 ms, seen on Debian 12); else the temporary directory of the system.
func baseDir() string {
	for _, dir := range baseDirs() {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err != nil {
			continue
		}
		const tmpfsMagic = 0x01021994
		free := st.Bavail * uint64(st.Bsize)
		if dir == "/dev/shm" && (st.Type != tmpfsMagic || free < 1<<30 || syscall.Access(dir, 2 /* W_OK */) != nil) {
			continue
		}
		return dir
	}
	return os.TempDir()
}

// baseDirs lists the places where a cluster directory can be, in order of
// preference. A Unix socket path has at most 107 bytes, so a long temporary
// directory is left out.
func baseDirs() []string {
	dirs := []string{"/dev/shm"}
	if tmp := os.TempDir(); len(tmp) <= 60 && tmp != "/tmp" {
		dirs = append(dirs, tmp)
	}
	return append(dirs, "/tmp")
}

// sweep removes the clusters of test processes that died without Main: it
// kills their server, if it still runs, and removes their directory.
func sweep() {
	var dirs []string
	for _, base := range baseDirs() {
		more, _ := filepath.Glob(filepath.Join(base, dirPrefix+"*"))
		dirs = append(dirs, more...)
	}
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			// The owner may have made the directory a moment ago and not
			// yet written the file.
			if fi, err := os.Stat(dir); err == nil && time.Since(fi.ModTime()) > 10*time.Minute {
				os.RemoveAll(dir)
			}
			continue
		}
		owner, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || owner <= 0 || owner == os.Getpid() || alive(owner) {
			continue
		}
		if pid := postmasterPID(dir); pid > 0 && alive(pid) && isPostgres(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			for i := 0; i < 100 && alive(pid); i++ {
				time.Sleep(10 * time.Millisecond)
			}
		}
		os.RemoveAll(dir)
	}
}

// postmasterPID returns the process id in data/postmaster.pid of the cluster
// directory dir, or 0.
func postmasterPID(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return 0
	}
	return pid
}

// alive reports whether the process pid exists and is not a zombie.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc: trust kill
	}
	// The state follows the command name, which is in parentheses.
	if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && b[i+2] == 'Z' {
		return false
	}
	return true
}

// isPostgres reports whether the process pid runs the program postgres, so
// that a reused pid is not killed by mistake.
func isPostgres(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return err == nil && strings.TrimSpace(string(b)) == "postgres"
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func readFile(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}

// tail returns the last n lines of b.
func tail(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// Dump returns pg_dump's plain-text dump of the database dsn: schema and
// every row, as a backup would hold them.
func Dump(t testing.TB, dsn string) []byte {
	t.Helper()
	binDir := os.Getenv(EnvBinDir)
	if binDir == "" {
		binDir = DefaultBinDir
	}
	out, err := exec.Command(filepath.Join(binDir, "pg_dump"), "--no-owner", "--dbname="+dsn).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("pg_dump: %v: %s", err, ee.Stderr)
		}
		t.Fatalf("pg_dump: %v", err)
	}
	return out
}
