package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"webinarsync/app"
)

func TestVersion_SubcommandAndFlagPrintVersionAndGo(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"-version"}} {
		var out bytes.Buffer
		if err := run(args, &out, io.Discard); err != nil {
			t.Fatalf("run(%v): %v", args, err)
		}
		if got := out.String(); !strings.Contains(got, "webinarsync devel") || !strings.Contains(got, runtime.Version()) {
			t.Errorf("run(%v) printed %q, want the version and %s", args, got, runtime.Version())
		}
	}
}

// Started a second time on the same UI address (a double click), the
// binary points at the running one and exits without an error.
func TestRun_SecondStartOnTheSameAddressShowsTheRunningOne(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := make(chan string, 1)
	go func() {
		done <- app.Run(ctx, app.Config{Addr: addr, DataDir: t.TempDir(), Tunnel: app.TunnelLocal,
			Logger: slog.New(slog.DiscardHandler), Ready: func(u string) { ready <- u }})
	}()
	defer func() {
		cancel()
		<-done
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("first app: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("first app did not start")
	}

	var out, errOut bytes.Buffer
	began := time.Now()
	err := run([]string{"-no-browser", "-tunnel", "local", "-addr", addr, "-data", t.TempDir()}, &out, &errOut)
	if err != nil {
		t.Fatalf("second start failed instead of pointing at the first: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "already running") || !strings.Contains(out.String(), "http://"+addr+"/") {
		t.Errorf("second start printed %q, want it to name the running UI", out.String())
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("second start took %v", took)
	}
}
