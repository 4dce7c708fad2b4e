package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/peakshop/peakshop/internal/storage/sqlstore"
)

// errRedacted stands in for a parse error that could quote a password.
var errRedacted = errors.New("invalid connection string (details withheld: it may contain a password)")

// SQLSTATE codes the shared SQL cares about.
const (
	uniqueViolation      = "23505"
	foreignKeyViolation  = "23503"
	checkViolation       = "23514"
	notNullViolation     = "23502"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
)

// classify maps a PostgreSQL error code to the classes the shared SQL acts on.
func classify(err error) sqlstore.Class {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return sqlstore.ClassOther
	}
	switch e.Code {
	case uniqueViolation:
		return sqlstore.ClassUnique
	case foreignKeyViolation:
		return sqlstore.ClassForeignKey
	case checkViolation, notNullViolation:
		return sqlstore.ClassCheck
	case serializationFailure, deadlockDetected:
		return sqlstore.ClassRetry
	}
	return sqlstore.ClassOther
}
