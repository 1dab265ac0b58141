// Command compare measures webinarsync's ingest against the bare receiver
// (internal/bench/bare) on this machine, in one run: for each sender count
// it runs A B A B (bare, webinarsync, bare, webinarsync), each a fresh
// process on a fresh data dir, loaded by the load generator
// (internal/bench/load) in a process of its own, and prints deliveries
// acknowledged per second, the ratio webinarsync/bare and p99 latency,
// with webinarsync's memory at the end of its runs. Issue 15.
//
//	go run ./internal/bench/compare                      # 1, 8, 64 senders, 5 s a run
//	go run ./internal/bench/compare -rate 1000 -senders 64
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	senders := fs.String("senders", "1,8,64", "comma-separated sender counts")
	var opts options
	fs.DurationVar(&opts.Duration, "duration", 5*time.Second, "load per run")
	fs.IntVar(&opts.Rounds, "rounds", 2, "A B pairs per sender count (2: A B A B)")
	fs.Float64Var(&opts.Rate, "rate", 0, "deliveries per second, open loop (then -senders bounds those in flight); 0: closed loop, for throughput")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if opts.Senders, err = parseCounts(*senders); err != nil {
		return err
	}
	opts.Progress = stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rows, err := compare(ctx, opts)
	if err != nil {
		return err
	}
	printTable(stdout, opts, rows)
	if failed := failures(rows); failed != "" {
		return errors.New(failed)
	}
	return nil
}

func parseCounts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-senders %q: want counts of 1 or more, like 1,8,64", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// failures says which runs had refused or lost deliveries, or none
// acknowledged: the figures of such a run compare nothing.
func failures(rows []row) string {
	var out []string
	for _, r := range rows {
		for _, s := range []summary{r.Bare, r.Webinarsync} {
			switch {
			case s.Errors > 0:
				out = append(out, fmt.Sprintf("%s at %d senders: %d deliveries failed (first: %s)", s.Target, r.Senders, s.Errors, s.FirstError))
			case s.Acked == 0:
				out = append(out, fmt.Sprintf("%s at %d senders: nothing acknowledged", s.Target, r.Senders))
			}
		}
	}
	return strings.Join(out, "; ")
}

func printTable(w io.Writer, opts options, rows []row) {
	mode := "closed loop (each sender sends on once answered)"
	if opts.Rate > 0 {
		mode = fmt.Sprintf("open loop at %g deliveries/s", opts.Rate)
	}
	fmt.Fprintf(w, "ingest, %s, %v a run, bare and webinarsync alternating %d times each\n", mode, opts.Duration, opts.Rounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "senders\tbare/s\twebinarsync/s\tratio\tbare p99 ms\twebinarsync p99 ms\terrors\tbare CPU µs\twebinarsync CPU µs\twebinarsync RSS MiB\tanon MiB\tpeak MiB\t")
	for _, r := range rows {
		ratio := 0.0
		if r.Bare.PerSecond > 0 {
			ratio = r.Webinarsync.PerSecond / r.Bare.PerSecond
		}
		m := r.Webinarsync.Memory
		fmt.Fprintf(tw, "%d\t%.0f\t%.0f\t%.2f\t%.1f\t%.1f\t%d\t%d\t%d\t%s\t%s\t%s\t\n", r.Senders,
			r.Bare.PerSecond, r.Webinarsync.PerSecond, ratio, r.Bare.P99Ms, r.Webinarsync.P99Ms,
			r.Bare.Errors+r.Webinarsync.Errors, r.Bare.CPUPerDelivery().Microseconds(), r.Webinarsync.CPUPerDelivery().Microseconds(),
			mib(m.RSSKiB), mib(m.AnonKiB), mib(m.PeakKiB))
	}
	tw.Flush()
	fmt.Fprintln(w, "ratio: webinarsync/s ÷ bare/s (in open loop both keep the rate: compare p99); CPU: the receiver's user+system time under load per acknowledged delivery;")
	fmt.Fprintln(w, "p99 and memory: the worse of the runs; memory read at the end of each run's load")
}

func mib(kib int64) string {
	if kib <= 0 {
		return "?"
	}
	return fmt.Sprintf("%.1f", float64(kib)/1024)
}
