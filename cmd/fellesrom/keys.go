package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/seal"
	"github.com/fellesrom/fellesrom/internal/store"
)

const keysUsage = `usage:
  fellesrom keys list              the key ids; the first seals
  fellesrom keys rotate            add a new first key (the old ones still open)
  fellesrom keys reseal            seal every stored value with the first key
  fellesrom keys retire --key ID   drop a key, once nothing is sealed with it

A rotation: keys rotate, restart every instance (or let them read the new
file at their next start), keys reseal, then keys retire --key <old id>.
The key file is FELLESROM_KEY_FILE, default fellesrom.keys in --data-dir.
`

// openStore opens the configured store and, when the key file was just
// made, says so: it must be backed up, apart from the database.
func openStore(ctx context.Context, cfg app.Config, logger *slog.Logger) (*store.Store, error) {
	st, created, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if created {
		logger.Warn("made a new key file: back it up, apart from the database; without it no sealed value can be read",
			"key_file", cfg.KeyPath())
	}
	return st, nil
}

// keys is the command `fellesrom keys`.
func keys(ctx context.Context, fs *flag.FlagSet, cfg *app.Config, args []string, stdout io.Writer, logger *slog.Logger) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, keysUsage)
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	id := fs.String("key", "", "the key id (retire)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("keys %s: unexpected %q", sub, fs.Arg(0))
	}
	path := cfg.KeyPath()
	switch sub {
	case "list":
		k, err := seal.Load(path)
		if err != nil {
			return err
		}
		for i, id := range k.KeyIDs() {
			role := "opens"
			if i == 0 {
				role = "seals and opens"
			}
			fmt.Fprintf(stdout, "%s\t%s\n", id, role)
		}
		return nil
	case "rotate":
		k, err := seal.Load(path)
		if err != nil {
			return err
		}
		r := k.Rotate()
		if err := r.Save(path); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new first key %s in %s; now run `fellesrom keys reseal`\n", r.Primary(), path)
		return nil
	case "reseal":
		st, err := openStore(ctx, *cfg, logger)
		if err != nil {
			return err
		}
		defer st.Close()
		total, err := st.Reseal(ctx, func(table, column string, r store.ResealResult) {
			fmt.Fprintf(stdout, "%s.%s: %d resealed, %d were plain, %d already current\n",
				table, column, r.Resealed, r.Plain, r.Current)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "done: %d values sealed with %s\n", total.Resealed+total.Plain+total.Current, st.Keys().Primary())
		return nil
	case "retire":
		if *id == "" {
			return fmt.Errorf("keys retire needs --key ID")
		}
		st, err := openStore(ctx, *cfg, logger)
		if err != nil {
			return err
		}
		defer st.Close()
		n, err := st.CountSealedWith(ctx, *id)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%d stored values are still sealed with %s: run `fellesrom keys reseal` first", n, *id)
		}
		r, err := st.Keys().Retire(*id)
		if err != nil {
			return err
		}
		if err := r.Save(path); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "retired %s; the key file keeps %v\n", *id, r.KeyIDs())
		return nil
	}
	fmt.Fprint(os.Stderr, keysUsage)
	return fmt.Errorf("unknown keys command %q", sub)
}
