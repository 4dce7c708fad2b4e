package fulfillment

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dbos-inc/dbos-transact-golang/dbos"
	// DBOS's SQLite support, on the same pure-Go driver as the shop.
	_ "github.com/dbos-inc/dbos-transact-golang/dbos/driver/sqlite"
)

// systemDB points DBOS at its database. On SQLite the engine opens the file
// itself, so it can run batch enqueues in its own transactions; WAL with
// synchronous=NORMAL is what the shop uses too, and _txlock=immediate takes
// the write lock at BEGIN, so two writers queue on busy_timeout instead of
// deadlocking on a lock upgrade.
func (e *Engine) systemDB(dcfg *dbos.Config) (func() error, error) {
	url := e.cfg.SystemDB
	path, ok := strings.CutPrefix(url, "sqlite:")
	if !ok {
		dcfg.DatabaseURL = url
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("fulfillment: %w", err)
	}
	dsn := "file:" + path + "?_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("fulfillment: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	dcfg.SQLiteSystemDB = db
	e.sqlite = db
	return db.Close, nil
}
