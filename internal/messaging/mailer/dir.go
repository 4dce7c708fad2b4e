package mailer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Dir writes each message to <Path>/<id>.eml. The write goes to a temporary
// file renamed into place, so a reader never sees half a message and a
// second delivery of the same id replaces the first instead of adding one.
type Dir struct {
	Path string
}

// Send writes the message.
func (d Dir) Send(ctx context.Context, m Message) error {
	if err := validHeader(m.From, m.To, m.Subject); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mailer: %w", err)
	}
	if err := os.MkdirAll(d.Path, 0o750); err != nil {
		return fmt.Errorf("mailer: %w", err)
	}
	tmp, err := os.CreateTemp(d.Path, ".tmp-*")
	if err != nil {
		return fmt.Errorf("mailer: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename; cleans up on failure
	if _, err := tmp.Write(m.Bytes("peakshop.local")); err != nil {
		tmp.Close()
		return fmt.Errorf("mailer: write %s: %w", m.ID, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mailer: write %s: %w", m.ID, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.Path, safeName(m.ID)+".eml")); err != nil {
		return fmt.Errorf("mailer: %w", err)
	}
	return nil
}
