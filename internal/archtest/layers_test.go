// Package archtest holds the test that keeps the import rule of
// shared/STYLE.md honest as the tree grows: lower layers never import higher
// ones, the domain imports no infrastructure, and the stacks beside the shop
// (edge, autoscale, loadgen, chaos, telemetry) never import the domain.
package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/peakshop/peakshop/"

// layer ranks packages by path prefix, lowest first. A package may import
// packages of its own rank or lower, with the exceptions in forbidden.
var layers = []struct {
	prefix string
	rank   int
}{
	{"internal/platform/", 1},
	{"internal/domain/", 2},
	{"internal/storage/", 3}, {"internal/messaging/", 3}, {"internal/payments/", 3}, {"internal/cache/", 3}, {"internal/demo", 3},
	{"internal/fulfillment", 4},
	{"internal/api", 5}, {"internal/web", 5},
	{"internal/edge", 6}, {"internal/autoscale", 6}, {"internal/loadgen", 6}, {"internal/chaos", 6}, {"internal/telemetry", 6},
	{"internal/app", 7}, {"internal/rehearse", 7},
	{"cmd/", 8}, {"scripts/", 8},
}

// standalone stacks talk to the shop over HTTP, never through its code.
var standalone = []string{"internal/edge", "internal/autoscale", "internal/loadgen", "internal/chaos", "internal/telemetry"}

// infrastructure the domain must never import.
var infrastructure = []string{"database/sql", "net/http", "github.com/jackc/", "modernc.org/", "github.com/nats-io/", "github.com/redis/", "github.com/prometheus/"}

func rankOf(rel string) int {
	for _, l := range layers {
		if strings.HasPrefix(rel, l.prefix) {
			return l.rank
		}
	}
	return 0
}

func TestImportLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(p.ImportPath, module)
		rank := rankOf(rel)
		if rank == 0 && !strings.HasPrefix(rel, "internal/archtest") {
			t.Errorf("%s belongs to no layer; add it to the table in this test", rel)
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(rel, "internal/domain/") {
				for _, bad := range infrastructure {
					if strings.HasPrefix(imp, bad) {
						t.Errorf("%s imports %s: the domain imports no infrastructure", rel, imp)
					}
				}
			}
			if !strings.HasPrefix(imp, module) {
				continue
			}
			irel := strings.TrimPrefix(imp, module)
			if r := rankOf(irel); r > rank {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports go downwards only", rel, rank, irel, r)
			}
			for _, s := range standalone {
				if strings.HasPrefix(rel, s) && (strings.HasPrefix(irel, "internal/domain/") || strings.HasPrefix(irel, "internal/storage/")) {
					t.Errorf("%s imports %s: the stacks beside the shop never import its domain", rel, irel)
				}
			}
		}
	}
}
