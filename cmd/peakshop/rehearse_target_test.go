package main

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// A rehearsal of a shop it did not start (`rehearse --target`): the real
// binary serves (edge in front, pipeline in process, external NATS,
// chaos-control listener), and a short default rehearsal runs against it.
// It applies the payment fault through the control listener, lists the
// worker kill and the link faults as skipped with their reasons, and its
// audit passes: every accepted order terminal, stock reconciled, no double
// charge (from the shop's ledger), dead letters read from its NATS.
func TestRehearseRunningShop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a 12-second rehearsal")
	}
	bin := buildPeakshop(t)
	nats := testNATS(t)
	data := t.TempDir()
	addr, control := freeAddr(t), freeAddr(t)
	dsn, ledger := "sqlite:"+filepath.Join(data, "shop.db"), filepath.Join(data, "payments-sim.db")
	serve := startProc(t, bin, "serve", "serve", "--addr", addr, "--data", data, "--db", dsn, "--nats", nats,
		"--chaos-addr", control, "--payment-ledger", ledger, "--edge-trust-loopback-forwarded", "--log-level", "warn")
	if serve == nil {
		t.FailNow()
	}
	defer serve.stop(t)
	base := "http://" + addr
	waitUntil(t, "the shop to be ready", func() bool {
		r, err := http.Get(base + "/readyz")
		if err == nil {
			r.Body.Close()
		}
		return err == nil && r.StatusCode == http.StatusOK
	})

	t.Setenv("PEAKSHOP_ADMIN_TOKEN", "kill-test-admin") // startProc gives serve this one
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"rehearse", "--target", base, "--db", dsn, "--nats", nats, "--payment-ledger", ledger,
		"--control", "http://" + control, "--duration", "12s", "--drain", "30s", "--out", out}, &stdout, &stderr)
	t.Logf("rehearse output:\n%s", stdout.String())
	if err != nil {
		t.Fatalf("rehearse: %v\nstderr:\n%s\nserve log:\n%s", err, lastLines(stderr.String(), 40), serve.logTail())
	}

	res, page := readRehearsal(t, out)
	if !res.Passed || !res.Audit.Passed || res.SelfStarted || res.Database != "sqlite" || res.Audit.Accepted == 0 {
		t.Fatalf("rehearsal of a running shop: %+v", res)
	}
	for _, c := range res.Audit.Checks {
		if strings.Contains(c.Summary, "not checked") {
			t.Errorf("audit check %q was not made: %s", c.Name, c.Summary)
		}
	}
	if len(res.Faults) != 1 || res.Faults[0].Fault != "payment" {
		t.Errorf("faults applied: %+v, want the payment fault only", res.Faults)
	}
	want := map[string]string{"kill worker": "did not start", "cut app-nats": "no fault link", "cut worker-nats": "no fault link",
		"latency app-db": "SQLite", "latency worker-db": "SQLite"}
	for _, s := range res.Skipped {
		key := s.Fault + " " + s.Target
		if why, ok := want[key]; ok && strings.Contains(s.Reason, why) {
			delete(want, key)
		}
	}
	if len(want) > 0 {
		t.Errorf("not listed as skipped with their reason: %v (skipped: %+v)", want, res.Skipped)
	}
	for _, s := range []string{"PASSED", `class="l k-skipped">skipped kill worker`, "payment payment-simulator"} {
		if !bytes.Contains(page, []byte(s)) {
			t.Errorf("report.html lacks %q", s)
		}
	}
	if !strings.Contains(stdout.String(), "fault skipped: kill worker") {
		t.Error("the summary does not say which faults were skipped")
	}
}
