package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
)

// stdin is where `users create` reads the password; tests replace it.
var stdin io.Reader = os.Stdin

// EnvPassword gives `users create` the password for automation.
const EnvPassword = "FELLESROM_PASSWORD"

const usersUsage = `usage:
  fellesrom users create --email E --name N [--admin] [--org SLUG --role coordinator|starter|partner]
  fellesrom users list
  fellesrom users reset-totp --email E

create reads the password from standard input (twice, without echo, on a
terminal), or from the environment variable FELLESROM_PASSWORD.
reset-totp turns off a user's two-step verification (a lost phone) and
ends their sessions; they enrol again at their next sign-in.
`

// users is the command `fellesrom users`.
func users(ctx context.Context, fs *flag.FlagSet, cfg *app.Config, args []string, stdout io.Writer, logger *slog.Logger) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usersUsage)
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	email := fs.String("email", "", "the user's e-mail address")
	name := fs.String("name", "", "the user's name")
	admin := fs.Bool("admin", false, "make the user an administrator of the whole installation")
	org := fs.String("org", "", "slug or ID of the organisation of the role")
	role := fs.String("role", "", "coordinator, starter or partner in --org")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("users %s: unexpected %q", sub, fs.Arg(0))
	}
	st, err := openStore(ctx, *cfg, logger)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx = store.WithActor(ctx, store.Actor{ID: "cli"})
	switch sub {
	case "create":
		return createUser(ctx, st, *email, *name, *admin, *org, *role, stdout)
	case "list":
		return listUsers(ctx, st, stdout)
	case "reset-totp":
		u, err := st.UserByEmail(ctx, *email)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no user has the address %q", *email)
		}
		if err != nil {
			return err
		}
		if err := st.ResetTOTP(ctx, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Two-step verification of %s is off, and their sessions have ended.\n", u.Email)
		return nil
	}
	fmt.Fprint(os.Stderr, usersUsage)
	return fmt.Errorf("unknown users command %q", sub)
}

func createUser(ctx context.Context, st *store.Store, email, name string, admin bool, org, role string, stdout io.Writer) error {
	if strings.TrimSpace(email) == "" || strings.TrimSpace(name) == "" {
		return errors.New("users create needs --email and --name")
	}
	var ms []store.Membership
	switch {
	case org != "" && role != "":
		r := store.Role(role)
		if !r.Valid() {
			return fmt.Errorf("--role must be coordinator, starter or partner, not %q", role)
		}
		o, err := st.Organisation(ctx, org)
		if err != nil {
			return fmt.Errorf("organisation %q: %w", org, err)
		}
		ms = append(ms, store.Membership{OrgID: o.ID, Role: r})
	case org != "" || role != "":
		return errors.New("--org and --role go together")
	case !admin:
		return errors.New("give --admin, or --org and --role")
	}
	password, err := readPassword()
	if err != nil {
		return err
	}
	svc := auth.New(st, auth.Options{})
	u, err := svc.CreateUser(ctx, auth.NewUser{Email: email, Name: name, Password: password, Admin: admin, Memberships: ms})
	var pe *auth.PolicyError
	switch {
	case errors.As(err, &pe):
		msg, _ := i18n.DefaultCatalog().Lookup("en", pe.ID, pe.Data)
		return fmt.Errorf("password refused: %s", msg)
	case errors.Is(err, store.ErrEmailTaken):
		return fmt.Errorf("a user with the address %s exists already", store.NormalizeEmail(email))
	case err != nil:
		return err
	}
	what := "user"
	if admin {
		what = "administrator"
	}
	fmt.Fprintf(stdout, "Created %s %s <%s> (%s).\n", what, u.Name, u.Email, u.ID)
	if auth.RequiresMFA(u.Admin, u.Memberships) {
		fmt.Fprintln(stdout, "Next: sign in at /logg-inn with this address and password, and set up two-step verification (TOTP) with an authenticator app, which the site asks for before anything else.")
	} else {
		fmt.Fprintln(stdout, "Next: sign in at /logg-inn with this address and password.")
	}
	return nil
}

// readPassword reads the new password: from FELLESROM_PASSWORD, from a
// terminal twice without echo, or as the first line of standard input.
func readPassword() (string, error) {
	if p, ok := os.LookupEnv(EnvPassword); ok {
		return p, nil
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(os.Stderr, "Password (at least 12 characters): ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(os.Stderr, "The same password again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func listUsers(ctx context.Context, st *store.Store, stdout io.Writer) error {
	us, err := st.Users(ctx)
	if err != nil {
		return err
	}
	orgs, err := st.Organisations(ctx)
	if err != nil {
		return err
	}
	slug := map[string]string{}
	for _, o := range orgs {
		slug[o.ID] = o.Slug
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "E-MAIL\tNAME\tROLES\tTOTP\tSTATE\tLAST SIGN-IN")
	for _, u := range us {
		var roles []string
		if u.Admin {
			roles = append(roles, "admin")
		}
		for _, m := range u.Memberships {
			roles = append(roles, string(m.Role)+"@"+slug[m.OrgID])
		}
		totp, state, last := "off", "active", "never"
		if u.TOTPEnabled {
			totp = "on"
		}
		if u.Disabled {
			state = "disabled"
		} else if u.FailedSignins >= auth.LockAfter && !u.LockedUntil.IsZero() {
			state = "locked until " + u.LockedUntil.Format("2006-01-02 15:04 MST")
		}
		if !u.LastSigninAt.IsZero() {
			last = u.LastSigninAt.Format("2006-01-02 15:04 MST")
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, strings.Join(roles, ", "), totp, state, last)
	}
	if len(us) == 0 {
		fmt.Fprintln(w, "(no users: create the first administrator with `fellesrom users create --admin`)")
	}
	return w.Flush()
}
