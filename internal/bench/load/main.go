// Command load sends signed registrant.added deliveries to a webhook
// receiver (webinarsync or the bare baseline) from concurrent senders and
// prints deliveries acknowledged per second, errors and p50/p99 ack
// latency. Closed loop by default; -rate sends at a fixed rate instead.
//
//	load -url http://127.0.0.1:8788/webhooks/gotowebinar -secret KEY -senders 8 -duration 5s
//	load -url … -secret KEY -rate 1000 -senders 64 -duration 10s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"webinarsync/internal/bench/loadgen"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	var cfg loadgen.Config
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8788/webhooks/gotowebinar", "webhook URL to deliver to")
	secret := fs.String("secret", os.Getenv("WEBINARSYNC_WEBHOOK_SECRET"), "secret key to sign with (default: $WEBINARSYNC_WEBHOOK_SECRET)")
	fs.IntVar(&cfg.Senders, "senders", 8, "concurrent senders; with -rate, the most deliveries in flight")
	fs.Float64Var(&cfg.Rate, "rate", 0, "deliveries per second, sent whatever the answers (open loop); 0: each sender sends on as soon as answered")
	fs.DurationVar(&cfg.Duration, "duration", 0, "how long to send (default 5s unless -count is set)")
	fs.IntVar(&cfg.Count, "count", 0, "how many deliveries to send (0: until -duration)")
	fs.DurationVar(&cfg.Timeout, "timeout", 0, "longest wait for one answer (0: 10s)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.Duration == 0 && cfg.Count == 0 {
		cfg.Duration = 5e9
	}
	cfg.Secret = []byte(*secret)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	mode := "closed loop"
	if res.Rate > 0 {
		mode = fmt.Sprintf("open loop at %g/s", res.Rate)
	}
	fmt.Fprintf(stdout, "%d senders, %s: %d sent, %d acknowledged, %d errors in %.2fs: %.0f acknowledged/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		res.Senders, mode, res.Sent, res.Acked, res.Errors, res.Seconds, res.PerSecond, res.P50Ms, res.P99Ms, res.MaxMs)
	if res.FirstError != "" {
		fmt.Fprintln(stdout, "first error:", res.FirstError)
	}
	return nil
}
