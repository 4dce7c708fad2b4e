// Command peakshop is the shop in one binary. Each subcommand parses its own
// flags (each with a PEAKSHOP_* environment equivalent) and returns an error;
// main turns errors into exit codes, once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// The zone database, so `serve --timezone Europe/Berlin` works on
	// machines and slim containers without /usr/share/zoneinfo.
	_ "time/tzdata"
)

const usage = `peakshop: an e-commerce platform that keeps selling at peak.

Usage: peakshop <command> [flags]

Commands:
  serve     run the shop (API, demo data on first start) on the embedded defaults or given backends
  worker    run the order pipeline alone (workflows, outbox relay, subscribers) against --db and --nats until SIGTERM
  dlq       'dlq list|show SEQ|redrive SEQ' inspects dead letters and hands one back to its subscriber
  orders    'orders stuck' lists failed or late fulfillment workflows; 'orders resume ID' retries one
  migrate   apply database migrations and exit
  seed      load the demo catalog into an empty database and exit
  edge      run the edge (load balancer, cache, firewall) in front of HTTP origins
  alarms    list alarm rules and their state (asks a running shop's admin endpoint)
  deploy    write deployment files: 'deploy observability' gives a Grafana dashboard and Prometheus alerting rules
  load      drive open-model shopper traffic at a shop (loopback only by default) and judge the scenario's SLOs
  chaos     run a chaos experiment (kill, freeze, network and payment faults, queue floods) against a running shop; undoes every fault
  rehearse  load and chaos together against a shop (or one it starts), then an audit of orders, stock, payments and dead letters
  admin     'admin create --email E' creates an administrator (password from PEAKSHOP_ADMIN_PASSWORD or stdin) and prints its TOTP enrolment

Run 'peakshop <command> --help' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "peakshop:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "worker":
		return runWorker(ctx, rest, stdout, stderr)
	case "dlq":
		return runDLQ(ctx, rest, stdout, stderr)
	case "orders":
		return runOrders(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "seed":
		return runSeed(ctx, rest, stdout, stderr)
	case "edge":
		return runEdge(ctx, rest, stdout, stderr)
	case "alarms":
		return runAlarms(ctx, rest, stdout, stderr)
	case "deploy":
		return runDeploy(ctx, rest, stdout, stderr)
	case "load":
		return runLoad(ctx, rest, stdout, stderr)
	case "chaos":
		return runChaos(ctx, rest, stdout, stderr)
	case "rehearse":
		return runRehearse(ctx, rest, stdout, stderr)
	case "admin":
		return runAdmin(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "peakshop: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}
