package sqlite

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// classify maps SQLite result codes (extended where SQLite gives them) to the
// classes the shared SQL acts on.
func classify(err error) sqlstore.Class {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return sqlstore.ClassOther
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.ClassUnique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.ClassForeignKey
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return sqlstore.ClassCheck
	}
	switch e.Code() & 0xff { // primary code of an extended one
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return sqlstore.ClassRetry
	}
	return sqlstore.ClassOther
}
