package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/peakshop/peakshop/internal/app"
	"github.com/peakshop/peakshop/internal/domain/account"
	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/platform/flagenv"
)

// runAdmin dispatches 'peakshop admin <subcommand>'.
func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(stderr, "Usage: peakshop admin create --email E [--name N]\n\n"+
			"Creates an administrator account; the password comes from PEAKSHOP_ADMIN_PASSWORD or is read from stdin.\n")
		return errUsage
	}
	return runAdminCreate(ctx, args[1:], os.Stdin, stdout, stderr)
}

// runAdminCreate creates an administrator and prints its TOTP enrolment once:
// only the secret is stored, and nobody can see it again from the console.
func runAdminCreate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := app.DefaultConfig()
	fs := newFlagSet("admin create", "Create an administrator account (admin role, TOTP second factor).", stderr)
	cfg.StorageFlags(fs)
	email := fs.String("email", "", "the administrator's e-mail address (required)")
	name := fs.String("name", "", "the administrator's name")
	if err := flagenv.Parse(fs, "PEAKSHOP", args); err != nil {
		return err
	}
	if *email == "" {
		fmt.Fprintln(stderr, "peakshop admin create: --email is required")
		return errUsage
	}
	password := os.Getenv("PEAKSHOP_ADMIN_PASSWORD")
	if password == "" {
		fmt.Fprint(stderr, "Password (at least 10 characters): ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	st, logger, err := openMigrated(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	c, enr, err := createAdmin(ctx, st, *email, *name, password, logger)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "administrator %s created (%s)\n\nAdd this to an authenticator app now; it is shown only once.\n"+
		"  secret: %s\n  URI:    %s\n\nThen sign in at /account/signin and open /admin.\n", c.Email, c.ID, enr.Secret, enr.URI)
	return nil
}

// adminStore is what creating an administrator needs from the store.
type adminStore interface {
	account.Store
	account.AdminStore
}

func createAdmin(ctx context.Context, st adminStore, email, name, password string, logger *slog.Logger) (account.Customer, account.Enrolment, error) {
	svc := account.NewService(st, nil, account.Config{}, logger)
	c, enr, err := account.NewAdmins(svc, st, account.AdminConfig{}).Create(ctx, email, name, password)
	var ae *apperr.Error
	if errors.As(err, &ae) && len(ae.Fields) > 0 {
		var b strings.Builder
		for _, f := range ae.Fields {
			fmt.Fprintf(&b, "; %s %s", f.Field, f.Reason)
		}
		return c, enr, fmt.Errorf("create administrator%s: %w", b.String(), err)
	}
	if err != nil {
		return c, enr, fmt.Errorf("create administrator: %w", err)
	}
	return c, enr, nil
}
