package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

// checkpointInterval is how often WAL frames are copied into the database
// file. Short enough that the WAL stays small at thousands of commits a
// second, long enough to be no load when the shop is quiet.
const checkpointInterval = 250 * time.Millisecond

// checkpointer copies the WAL into the database file on its own connection
// (PASSIVE: it never blocks the writer or readers). SQLite's automatic
// checkpoint is off on the writer, because it runs inside whichever commit
// crosses the threshold: the single writer, and every buyer queued behind
// it, would pay for it in the middle of a sale.
type checkpointer struct {
	db     *sql.DB
	logger *slog.Logger
	stop   chan struct{}
	done   chan struct{}
}

func startCheckpointer(ctx context.Context, path string, logger *slog.Logger) (*checkpointer, error) {
	db, err := openPool(ctx, path, false)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, logger: logger, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.checkpoint()
		}
	}
}

func (c *checkpointer) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		c.logger.Warn("sqlite: WAL checkpoint failed; will retry", "err", err)
	}
}

// close stops the loop, copies what is left, and closes the connection.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	c.checkpoint()
	return c.db.Close()
}
