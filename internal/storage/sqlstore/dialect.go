package sqlstore

import (
	"io/fs"

	"github.com/pressly/goose/v3"

	"github.com/peakshop/peakshop/internal/domain/apperr"
)

// Class is what an engine error means to the shared SQL, whatever code the
// engine used to say it.
type Class int

// Error classes.
const (
	ClassOther      Class = iota
	ClassUnique           // a UNIQUE or PRIMARY KEY constraint refused a row
	ClassForeignKey       // a FOREIGN KEY constraint refused a row
	ClassCheck            // a CHECK or NOT NULL constraint refused a value
	ClassRetry            // deadlock, serialization failure or busy: the whole transaction may be retried
)

// Dialect carries what truly differs between engines. Everything else is in
// the shared SQL.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Goose is the goose dialect of the migrations.
	Goose goose.Dialect
	// Migrations holds the engine's goose SQL files at its root.
	Migrations fs.FS
	// Classify maps an engine error to a Class.
	Classify func(error) Class
	// Prepare reuses prepared statements through database/sql. It pays off
	// where a statement is costly to compile and connections live long
	// (SQLite); pgx already caches prepared statements per connection, and
	// its database/sql adapter hands out a fresh connection each time.
	Prepare bool
	// GroupCommit runs concurrent write transactions as savepoints of one
	// shared transaction (see groupCommitter). Only for engines with a
	// single writer where a failed statement leaves the transaction usable.
	GroupCommit bool
	// WritableCTE means data-modifying statements may sit in a WITH clause
	// (PostgreSQL), so several dependent writes go in one statement: one
	// round trip, atomic without BEGIN and COMMIT.
	WritableCTE bool
}

// maxRetries bounds how often a transaction is rerun after a ClassRetry error.
const maxRetries = 5

// conflictOr turns a unique violation into a Conflict with a field error for
// the client, and wraps anything else as an internal error.
func (s *Store) conflictOr(err error, field, reason, op string) error {
	switch s.dialect.Classify(err) {
	case ClassUnique:
		return &apperr.Error{Kind: apperr.Conflict, Message: "already exists: " + field + " " + reason,
			Fields: []apperr.FieldError{{Field: field, Reason: reason}}, Err: err}
	case ClassCheck:
		return apperr.Wrap(apperr.Invalid, "a value is out of range", err)
	}
	return wrapf(err, op)
}
