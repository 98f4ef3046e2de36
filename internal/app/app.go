// Package app wires fellesrom together: it opens and migrates the store,
// builds the handlers of the site and the API, and wraps them in the
// middleware every response goes through.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/api"
	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/hsds"
	"github.com/fellesrom/fellesrom/internal/seal"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/web"
)

// Config is the configuration of one instance.
type Config struct {
	Addr        string // listen address, default 127.0.0.1:8080
	DataDir     string // where the SQLite file lives, default ./data
	DatabaseURL string // postgres://… switches to PostgreSQL
	// KeyFile is the key file that seals personal data and secrets
	// (FELLESROM_KEY_FILE); default fellesrom.keys in DataDir. It is made,
	// with new random keys, if it does not exist.
	KeyFile string
}

// KeyPath is the key file the configuration names.
func (c Config) KeyPath() string {
	if c.KeyFile != "" {
		return c.KeyFile
	}
	dir := c.DataDir
	if dir == "" {
		dir = "data"
	}
	return filepath.Join(dir, "fellesrom.keys")
}

// DSN is the database the configuration names: DatabaseURL, or the SQLite
// file fellesrom.db in DataDir.
func (c Config) DSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	dir := c.DataDir
	if dir == "" {
		dir = "data"
	}
	return filepath.Join(dir, "fellesrom.db")
}

// Describe names the database without secrets, for logs.
func (c Config) Describe() string {
	if c.DatabaseURL == "" {
		return "SQLite " + c.DSN()
	}
	return "PostgreSQL"
}

// Options are settings of the handler beyond the store.
type Options struct {
	// TrustedProxies are the networks of reverse proxies whose
	// X-Forwarded-For is believed (FELLESROM_TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix
	// Cookies says when the staff session cookie is Secure
	// (FELLESROM_SECURE_COOKIES: auto, always, never).
	Cookies auth.CookieMode
	// WarmReports works out the reports' protection of small counts in
	// the background at start (serve), so that the first dashboard does
	// not wait for it.
	WarmReports bool
}

// ParseTrustedProxies reads a comma-separated list of addresses or networks
// ("10.0.0.0/8, 127.0.0.1").
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", part, err)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", part, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// OpenStore opens the configured database with the keys of the key file
// (made if missing) and migrates it. keysCreated says whether the key file
// is new, so the caller can tell the operator to back it up. Migrating
// with an existing database and a new key file is refused: the database
// holds values sealed with keys that are missing.
func OpenStore(ctx context.Context, c Config) (st *store.Store, keysCreated bool, err error) {
	keys, created, err := seal.LoadOrCreate(c.KeyPath())
	if err != nil {
		return nil, false, fmt.Errorf("key file: %w", err)
	}
	st, err = store.Open(ctx, c.DSN())
	if err != nil {
		return nil, false, err
	}
	st.SetKeys(keys)
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, false, err
	}
	if created {
		n, err := st.CountSealed(ctx)
		if err == nil && n > 0 {
			err = fmt.Errorf("the database holds %d sealed values but the key file %s is new: "+
				"restore the key file that belongs to this database (the new one was left for you to remove)", n, c.KeyPath())
		}
		if err != nil {
			st.Close()
			return nil, false, err
		}
	}
	return st, created, nil
}

// Handler is everything the server answers: /healthz, the JSON API under
// /api/ and the public site, behind the common middleware.
func Handler(st *store.Store, f *finder.Finder, logger *slog.Logger, opts ...Options) http.Handler {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := st.Ping(ctx); err != nil {
			logger.Error("health check: database does not answer", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "database unavailable")
			return
		}
		fmt.Fprintln(w, "ok")
	})
	started := time.Now()
	mux.HandleFunc("GET /.well-known/security.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fmt.Fprint(w, securityTxt(r, started))
	})
	now := func() time.Time { return time.Now() }
	mux.Handle("/api/", api.New(api.Deps{Store: st, Finder: f, Logger: logger, Now: now}))
	mux.Handle("/hsds/", hsds.New(hsds.Deps{Store: st, Finder: f, Logger: logger}))
	authn := auth.New(st, auth.Options{Logger: logger, Now: now, Cookies: o.Cookies})
	mux.Handle("/", web.New(web.Deps{Store: st, Finder: f, Logger: logger, Now: now, Auth: authn,
		WarmReports: o.WarmReports}))
	return clientAddress(chain(mux, logger), o.TrustedProxies)
}

// Serve runs the server until ctx ends, then shuts down gracefully.
func Serve(ctx context.Context, addr string, h http.Handler, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// SecurityContact is where security reports go, for /.well-known/security.txt
// (RFC 9116). FELLESROM_SECURITY_CONTACT overrides it for an installation.
var SecurityContact = "mailto:security@fellesrom.example"

func securityTxt(r *http.Request, started time.Time) string {
	contact := SecurityContact
	if c := os.Getenv("FELLESROM_SECURITY_CONTACT"); c != "" {
		contact = c
	}
	// RFC 9116 wants an expiry under a year ahead; a running instance
	// renews it with every start.
	expires := started.UTC().AddDate(0, 6, 0).Format(time.RFC3339)
	return "Contact: " + contact + "\nExpires: " + expires + "\nPreferred-Languages: nb, nn, en\n"
}
