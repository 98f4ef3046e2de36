// Command fellesrom is the clearinghouse for self-help groups: the public
// finder, the JSON API and (later) the back office, in one program.
//
//	fellesrom serve [--addr 127.0.0.1:8080] [--data-dir ./data] [--demo]
//	fellesrom migrate [--data-dir ./data]
//	fellesrom demo [--data-dir ./data] [--groups N] [--seed S]
//	fellesrom users create|list|reset-totp [--email E --name N --admin]
//	fellesrom keys rotate|reseal|retire|list [--key ID]
//	fellesrom version
//
// DATABASE_URL=postgres://… runs on PostgreSQL instead of the SQLite file in
// the data directory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/hsds"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/sms"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, os.Args[1:], os.Stdout, logger); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "fellesrom:", err)
		os.Exit(1)
	}
}

const usage = `usage: fellesrom <command> [flags]

commands:
  serve     run the web server (--addr, --data-dir, --demo)
  migrate   bring the database schema up to date
  demo      load the demo data set (--groups N adds N generated groups)
  users     staff accounts: create (--admin for the first), list, reset-totp
  keys      the key file: rotate, reseal, retire --key ID, list
  import    hsds <file>: an HSDS document into the directory (--kind, --model, --municipality, --org)
  version   print the version

DATABASE_URL=postgres://… uses PostgreSQL instead of SQLite in --data-dir.
FELLESROM_KEY_FILE=… names the key file (default fellesrom.keys in --data-dir).
FELLESROM_PUBLIC_URL=https://… is the site's address (needed beyond loopback).
FELLESROM_SMTP_HOST=… (and the other FELLESROM_SMTP_* settings) sends mail.
`

func run(ctx context.Context, args []string, stdout io.Writer, logger *slog.Logger) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return flag.ErrHelp
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	cfg := app.Config{DatabaseURL: os.Getenv("DATABASE_URL"), KeyFile: os.Getenv("FELLESROM_KEY_FILE")}
	fs.StringVar(&cfg.DataDir, "data-dir", "./data", "directory of the SQLite database")
	switch cmd {
	case "serve":
		fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "address to listen on")
		withDemo := fs.Bool("demo", false, "load the demo data into an empty database before serving")
		if err := fs.Parse(args); err != nil {
			return err
		}
		var jobsCfg app.JobsConfig
		var err error
		if jobsCfg.Mail, err = mail.ConfigFromEnv(); err != nil {
			return err
		}
		if jobsCfg.SMS, err = sms.ConfigFromEnv(); err != nil {
			return err
		}
		if jobsCfg.Retention, err = store.ParseRetention(os.Getenv(store.EnvRetention)); err != nil {
			return err
		}
		var opts app.Options
		if opts.TrustedProxies, err = app.ParseTrustedProxies(os.Getenv("FELLESROM_TRUSTED_PROXIES")); err != nil {
			return err
		}
		if opts.Cookies, err = auth.ParseCookieMode(os.Getenv("FELLESROM_SECURE_COOKIES")); err != nil {
			return err
		}
		if err := web.CheckPublicURL(cfg.Addr); err != nil {
			return err
		}
		st, err := openStore(ctx, cfg, logger)
		if err != nil {
			return err
		}
		defer st.Close()
		logger.Info("database ready", "db", cfg.Describe())
		// Values sealed with a key retired from first place, and secrets
		// stored before sealing existed, are sealed with the first key.
		if r, err := st.Reseal(ctx, nil); err != nil {
			return fmt.Errorf("reseal: %w", err)
		} else if r.Resealed+r.Plain > 0 {
			logger.Info("sealed values with the current key", "resealed", r.Resealed, "were_plain", r.Plain)
		}
		if *withDemo {
			if err := loadDemo(ctx, st, 0, 1, stdout); err != nil {
				return err
			}
		}
		f := finder.New(st)
		jobsCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		// What the jobs send links to the site: FELLESROM_PUBLIC_URL, or on
		// a developer's machine (the only case CheckPublicURL lets through
		// without it) the loopback address served.
		jobsCfg.LinkBase = strings.TrimSpace(os.Getenv(web.EnvPublicURL))
		if jobsCfg.LinkBase == "" {
			jobsCfg.LinkBase = "http://" + cfg.Addr
		}
		waitJobs, err := app.StartJobs(jobsCtx, st, jobsCfg, logger)
		if err != nil {
			return err
		}
		opts.WarmReports = true
		err = app.Serve(ctx, cfg.Addr, app.Handler(st, f, logger, opts), logger)
		cancel()
		waitJobs() // before the deferred st.Close()
		return err
	case "migrate":
		if err := fs.Parse(args); err != nil {
			return err
		}
		st, err := openStore(ctx, cfg, logger)
		if err != nil {
			return err
		}
		defer st.Close()
		fmt.Fprintln(stdout, "migrated", cfg.Describe())
		return nil
	case "demo":
		groups := fs.Int("groups", 0, "also generate this many groups (for benchmarks)")
		seed := fs.Int64("seed", 1, "seed of the generated groups")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *groups < 0 {
			return errors.New("--groups cannot be negative")
		}
		st, err := openStore(ctx, cfg, logger)
		if err != nil {
			return err
		}
		defer st.Close()
		return loadDemo(ctx, st, *groups, *seed, stdout)
	case "import":
		if len(args) == 0 || args[0] != "hsds" {
			return errors.New("usage: fellesrom import hsds [--kind K] [--model M] [--municipality N] [--org O] <file>")
		}
		var fo hsds.FileOptions
		fs.StringVar(&fo.Kind, "kind", "", "what the file holds: organization, service, location or service_at_location (default: guessed)")
		fs.StringVar(&fo.Model, "model", "", "group model (ID or slug) of new groups")
		fs.StringVar(&fo.Municipality, "municipality", "", "municipality number of new venues, and of new groups without a venue")
		fs.StringVar(&fo.Org, "org", "", "organisation (ID or slug) of services whose organization is unknown")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New("import hsds: name one file")
		}
		st, err := openStore(ctx, cfg, logger)
		if err != nil {
			return err
		}
		defer st.Close()
		return hsds.ImportFile(ctx, st, fs.Arg(0), fo, stdout)
	case "users":
		return users(ctx, fs, &cfg, args, stdout, logger)
	case "keys":
		return keys(ctx, fs, &cfg, args, stdout, logger)
	case "version":
		fmt.Fprintln(stdout, "fellesrom", versionString())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if dirty {
				rev += "-dirty"
			}
			return "dev-" + rev
		}
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return "dev"
}
