package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/pressly/goose/v3"
)

// provider builds a goose provider over the writer pool. Goose's package-level
// globals are never touched: each Store has its own provider.
//
// Out-of-order migrations are allowed: branches merge migrations with lower
// numbers than ones a database already applied (00010 after 00020 and
// 00030), and goose would otherwise refuse to apply them at all.
func (s *Store) provider() (*goose.Provider, error) {
	if s.dialect.Migrations == nil {
		return nil, errors.New("sqlstore: dialect has no migrations")
	}
	p, err := goose.NewProvider(s.dialect.Goose, s.write.db, s.dialect.Migrations,
		goose.WithAllowOutofOrder(true))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: goose provider: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration of the engine, each in its own
// transaction.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	for _, r := range results {
		s.logger.InfoContext(ctx, "applied migration", "engine", s.dialect.Name,
			"version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

// SchemaVersion returns the applied schema version and the newest one this
// binary knows, so `serve` can refuse to run on a database that is behind or
// ahead of it.
func (s *Store) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := s.provider()
	if err != nil {
		return 0, 0, err
	}
	current, latest, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("sqlstore: schema version: %w", err)
	}
	return current, latest, nil
}
