package app_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/peakshop/peakshop/internal/app"
)

// A zone the shop cannot know stops it at start, naming the flag; a real
// one (from the embedded zone database) starts it.
func TestTimezoneIsCheckedAtStart(t *testing.T) {
	cfg := app.DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.Demo, cfg.Edge.On, cfg.AdminToken = "127.0.0.1:0", t.TempDir(), false, false, adminToken
	cfg.Timezone = "Mars/Olympus_Mons"
	logger := slog.New(slog.DiscardHandler)
	if a, err := app.New(context.Background(), cfg, logger, io.Discard); err == nil {
		_ = a.Run(canceled())
		t.Fatal("serve started in an unknown time zone")
	} else if !strings.Contains(err.Error(), "--timezone") {
		t.Errorf("error does not name the flag: %v", err)
	}
	cfg.Timezone = "America/New_York"
	a, err := app.New(context.Background(), cfg, logger, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(canceled()); err != nil {
		t.Fatal(err)
	}
}
