package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"webinarsync/internal/bench/loadgen"
)

// options is one comparison.
type options struct {
	Senders  []int
	Duration time.Duration
	Rounds   int     // A B pairs per sender count
	Rate     float64 // 0: closed loop
	Progress io.Writer
}

// row is one sender count's figures for both receivers.
type row struct {
	Senders           int
	Bare, Webinarsync summary
}

// summary pools one receiver's runs at one sender count: rates over the
// runs' total time, the worst p99 and memory.
type summary struct {
	Target     string
	Acked      int
	Errors     int
	Seconds    float64
	PerSecond  float64
	P99Ms      float64
	FirstError string
	Memory     memory
	CPU        time.Duration // the receiver's user and system time under load
}

// CPUPerDelivery is the receiver's CPU time per acknowledged delivery,
// the kernel's work for it included: a cost, where a rate is a race the
// load generator runs on the same cores.
func (s summary) CPUPerDelivery() time.Duration {
	if s.Acked == 0 {
		return 0
	}
	return s.CPU / time.Duration(s.Acked)
}

func (s *summary) add(m measured) {
	s.Acked += m.Load.Acked
	s.Errors += m.Load.Errors
	s.Seconds += m.Load.Seconds
	if s.Seconds > 0 {
		s.PerSecond = float64(s.Acked) / s.Seconds
	}
	s.P99Ms = max(s.P99Ms, m.Load.P99Ms)
	if s.FirstError == "" {
		s.FirstError = m.Load.FirstError
	}
	s.Memory = s.Memory.worst(m.Memory)
	s.CPU += m.CPU
}

// measured is one run of one receiver.
type measured struct {
	Load    loadgen.Result
	Memory  memory        // the receiver's, at the end of the load
	CPU     time.Duration // the receiver's, under load
	LoadCPU time.Duration // the load generator's: near a core's worth per second, it is what limits
}

// target is a receiver under test and how to start one.
type target struct {
	name string
	// command runs bin serving the webhook path on hookAddr (and a UI, if
	// it has one, on uiAddr) with its data in dataDir.
	command func(bin, dataDir, hookAddr, uiAddr string, secret []byte) *exec.Cmd
}

// targets are A and B, in the order they alternate.
func targets() []target {
	return []target{
		{name: "bare", command: func(bin, dataDir, hookAddr, _ string, secret []byte) *exec.Cmd {
			return exec.Command(bin, "-addr", hookAddr, "-data", dataDir, "-secret", string(secret))
		}},
		{name: "webinarsync", command: func(bin, dataDir, hookAddr, uiAddr string, secret []byte) *exec.Cmd {
			// A plain receiving process: no GoTo login (so no API calls),
			// no ngrok, no browser, no simulator traffic; the secret from
			// the environment, as a user who brings their own would set it.
			cmd := exec.Command(bin, "-tunnel", "local", "-webhook-addr", hookAddr, "-public-url", "http://"+hookAddr,
				"-no-browser", "-data", dataDir, "-addr", uiAddr)
			cmd.Env = append(cleanEnv(), "WEBINARSYNC_WEBHOOK_SECRET="+string(secret))
			return cmd
		}},
	}
}

// cleanEnv is this environment without what would make webinarsync log
// in to GoTo or RingCentral or open an ngrok tunnel.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "GOTO_") || strings.HasPrefix(name, "NGROK_") ||
			strings.HasPrefix(name, "RINGCENTRAL_") || strings.HasPrefix(name, "WEBINARSYNC_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// compare builds the three programs and runs every sender count's rounds.
func compare(ctx context.Context, opts options) ([]row, error) {
	if opts.Rounds < 1 || len(opts.Senders) == 0 || opts.Duration <= 0 {
		return nil, fmt.Errorf("nothing to run: rounds %d, senders %v, duration %v", opts.Rounds, opts.Senders, opts.Duration)
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	tmp, err := os.MkdirTemp("", "ingest-bench-")
	if err != nil {
		return nil, fmt.Errorf("making a temporary dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	bins, err := build(ctx, filepath.Join(tmp, "bin"))
	if err != nil {
		return nil, err
	}
	secret := []byte(rand.Text())

	var rows []row
	for _, n := range opts.Senders {
		r := row{Senders: n, Bare: summary{Target: "bare"}, Webinarsync: summary{Target: "webinarsync"}}
		for round := range opts.Rounds {
			for _, t := range targets() {
				m, err := runOnce(ctx, opts, t, bins, tmp, secret, n)
				if err != nil {
					return nil, fmt.Errorf("%s, %d senders, round %d: %w", t.name, n, round+1, err)
				}
				res := m.Load
				fmt.Fprintf(opts.Progress, "%-11s senders %3d round %d: %6.0f/s  p50 %6.2f ms  p99 %6.2f ms  %d acknowledged, %d errors  RSS %s MiB  CPU %.2fs (load generator %.2fs)\n",
					t.name, n, round+1, res.PerSecond, res.P50Ms, res.P99Ms, res.Acked, res.Errors, mib(m.Memory.RSSKiB),
					m.CPU.Seconds(), m.LoadCPU.Seconds())
				if t.name == "bare" {
					r.Bare.add(m)
				} else {
					r.Webinarsync.add(m)
				}
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// binaries are the built programs' paths.
type binaries map[string]string

// build compiles webinarsync (the module's root package) and the bench's
// two commands into dir, in one go build so they share its cache.
func build(ctx context.Context, dir string) (binaries, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("making the bin dir: %w", err)
	}
	// -s -w as .ci/release builds the shipped binary; it also links faster.
	cmd := exec.CommandContext(ctx, "go", "build", "-ldflags", "-s -w", "-o", dir+string(filepath.Separator),
		".", "./internal/bench/bare", "./internal/bench/load")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %w\n%s", err, out)
	}
	bins := binaries{}
	for _, name := range []string{"webinarsync", "bare", "load"} {
		p := filepath.Join(dir, name+exeSuffix())
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("go build made no %s: %w", name, err)
		}
		bins[name] = p
	}
	return bins, nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the webinarsync module (go env GOMOD is %q): run from the repository", gomod)
	}
	return filepath.Dir(gomod), nil
}

// runOnce starts a fresh t on a fresh data dir, loads it with n senders,
// reads its memory and stops it.
func runOnce(ctx context.Context, opts options, t target, bins binaries, tmp string, secret []byte, n int) (measured, error) {
	var m measured
	dataDir, err := os.MkdirTemp(tmp, t.name+"-")
	if err != nil {
		return m, fmt.Errorf("making a data dir: %w", err)
	}
	defer os.RemoveAll(dataDir)
	hookAddr, err := freeAddr()
	if err != nil {
		return m, err
	}
	uiAddr, err := freeAddr()
	if err != nil {
		return m, err
	}
	srv, err := start(t.name, t.command(bins[t.name], filepath.Join(dataDir, "data"), hookAddr, uiAddr, secret), filepath.Join(dataDir, "log"))
	if err != nil {
		return m, err
	}
	defer srv.stop() // also on the paths that fail below: no orphans
	url := "http://" + hookAddr + "/webhooks/gotowebinar"
	if err := srv.waitReady(ctx, url, readyTimeout); err != nil {
		return m, err
	}
	cpuBefore, cpuErr := readCPU(srv.pid())
	if m.Load, m.LoadCPU, err = load(ctx, bins["load"], url, secret, n, opts); err != nil {
		return m, err
	}
	cpuAfter, cpuErr2 := readCPU(srv.pid())
	m.Memory, _ = readMemory(srv.pid()) // unknown off Linux: shown as "?"
	if err := srv.stop(); err != nil {
		return m, err
	}
	// The load's window only, so starting and stopping are not charged to
	// the deliveries; without /proc, the whole life.
	m.CPU = cpuAfter - cpuBefore
	if cpuErr != nil || cpuErr2 != nil {
		m.CPU = srv.cpu()
	}
	return m, nil
}

// readyTimeout bounds a receiver's start; webinarsync takes about 0.1 s.
const readyTimeout = 20 * time.Second

// load runs the load generator against url and reads its result and the
// CPU time it took.
func load(ctx context.Context, bin, url string, secret []byte, senders int, opts options) (loadgen.Result, time.Duration, error) {
	var res loadgen.Result
	// The run's length, plus room for the answers in flight at its end.
	ctx, cancel := context.WithTimeout(ctx, opts.Duration+time.Minute)
	defer cancel()
	args := []string{"-url", url, "-secret", string(secret), "-senders", strconv.Itoa(senders),
		"-duration", opts.Duration.String(), "-json"}
	if opts.Rate > 0 {
		args = append(args, "-rate", strconv.FormatFloat(opts.Rate, 'g', -1, 64))
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cleanEnv()
	cmd.WaitDelay = 5 * time.Second
	dieWithParent(cmd)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return res, 0, fmt.Errorf("load generator stopped: %w", ctx.Err())
	}
	if err != nil {
		return res, 0, fmt.Errorf("load generator: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return res, 0, fmt.Errorf("load generator's result %q: %w", out, err)
	}
	return res, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}
