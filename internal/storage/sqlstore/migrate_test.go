package sqlstore_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/peakshop/peakshop/internal/storage/sqlite"
	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// A database that applied 00020 and 00030 before 00010 was merged (a branch
// landing late) must still get 00010: goose refuses that unless the
// provider allows out-of-order migrations.
func TestMigrateAppliesAMissedLowerVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	full, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	dialect := full.Dialect()
	full.Close()

	// The same engine as it was before 00010 landed: 00001, 00020 and 00030
	// only (later migrations may build on 00010's tables).
	partial := fstest.MapFS{}
	err = fs.WalkDir(dialect.Migrations, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasPrefix(p, "00001_") || strings.HasPrefix(p, "00020_") || strings.HasPrefix(p, "00030_")) {
			return err
		}
		b, err := fs.ReadFile(dialect.Migrations, p)
		partial[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	dialect.Migrations, dialect.GroupCommit = partial, false
	early, err := sqlstore.New(sqlstore.Config{Write: db, Dialect: dialect})
	if err != nil {
		t.Fatal(err)
	}
	if err := early.Migrate(ctx); err != nil {
		t.Fatalf("migrate without 00010: %v", err)
	}
	if cur, _, _ := early.SchemaVersion(ctx); cur < 30 {
		t.Fatalf("schema version %d, want 30 or later", cur)
	}
	if _, err := early.OutboxBacklog(ctx); err == nil {
		t.Fatal("00010's outbox table exists before 00010 ran")
	}
	early.Close()

	st, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate with 00010 after 00030: %v", err)
	}
	if _, err := st.OutboxBacklog(ctx); err != nil {
		t.Fatalf("00010's outbox table is missing: %v", err)
	}
}
