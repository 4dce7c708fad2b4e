package sqlstore

import (
	"context"
	"database/sql"

	"github.com/peakshop/peakshop/internal/domain/apperr"
)

// Setting returns a stored setting, or apperr NotFound.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.reader().queryRow(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
	if err == sql.ErrNoRows {
		return "", apperr.New(apperr.NotFound, "setting not found")
	}
	return v, wrapf(err, "setting")
}

// InitSetting stores value under name unless a value is there already, and
// returns the stored one. Two processes starting together on one database
// thus agree on a single generated secret.
func (s *Store) InitSetting(ctx context.Context, name, value string) (string, error) {
	var stored string
	err := s.inTx(ctx, "init setting", func(r runner) error {
		if _, err := r.exec(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, value); err != nil {
			return err
		}
		return r.queryRow(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&stored)
	})
	return stored, wrapf(err, "init setting")
}
