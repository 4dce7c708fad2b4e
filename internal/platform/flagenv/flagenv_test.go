package flagenv

import (
	"flag"
	"io"
	"testing"
	"time"
)

func TestEnvThenFlags(t *testing.T) {
	t.Setenv("APP_SHUTDOWN_TIMEOUT", "3s")
	t.Setenv("APP_ADDR", ":9")
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	d := fs.Duration("shutdown-timeout", time.Second, "wait")
	addr := fs.String("addr", ":1", "listen")
	if err := Parse(fs, "APP", []string{"--addr", ":2"}); err != nil {
		t.Fatal(err)
	}
	if *d != 3*time.Second || *addr != ":2" {
		t.Fatalf("timeout %v addr %q: env should set, flags should win", *d, *addr)
	}
	if u := fs.Lookup("addr").Usage; u != "listen [APP_ADDR]" {
		t.Fatalf("usage %q", u)
	}
}

func TestMalformedEnvIsAnError(t *testing.T) {
	t.Setenv("APP_N", "many")
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Int("n", 1, "count")
	if err := Parse(fs, "APP", nil); err == nil {
		t.Fatal("a malformed environment value was ignored")
	}
}
