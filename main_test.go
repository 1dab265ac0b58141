package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

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

// startFirst runs a webinarsync on addr with dataDir until the test ends.
func startFirst(t *testing.T, addr, dataDir string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := make(chan string, 1)
	go func() {
		done <- app.Run(ctx, app.Config{Addr: addr, DataDir: dataDir, Tunnel: app.TunnelLocal,
			Logger: slog.New(slog.DiscardHandler), Ready: func(u string) { ready <- u }})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("first app: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("first app did not start")
	}
}

// Started a second time with the same data dir (a double click), the
// binary points at the running one and exits without an error.
func TestRun_SecondStartOnTheSameAddressShowsTheRunningOne(t *testing.T) {
	t.Parallel()
	addr, dir := freeAddr(t), t.TempDir()
	startFirst(t, addr, dir)

	var out, errOut bytes.Buffer
	began := time.Now()
	err := run([]string{"-no-browser", "-tunnel", "local", "-addr", addr, "-data", dir}, &out, &errOut)
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

// A second start with another data dir than the one running on the UI's
// address does not open that one (it shows other data): it says so and
// fails.
func TestRun_SecondStartWithAnotherDataDirSaysSoAndFails(t *testing.T) {
	t.Parallel()
	addr, theirs, ours := freeAddr(t), t.TempDir(), t.TempDir()
	startFirst(t, addr, theirs)

	var out, errOut bytes.Buffer
	err := run([]string{"-no-browser", "-tunnel", "local", "-addr", addr, "-data", ours}, &out, &errOut)
	if err == nil {
		t.Fatalf("second start with another data dir succeeded; printed %q", out.String())
	}
	want := fmt.Sprintf("webinarsync is already running on %s with data dir %s, not %s: stop it or use another -addr", addr, theirs, ours)
	if err.Error() != want {
		t.Errorf("second start failed with\n%v\nwant\n%s", err, want)
	}
	if strings.Contains(out.String(), "opening") {
		t.Errorf("second start printed %q: it must not open the other instance", out.String())
	}
}

func TestHelp_GoesToStdoutWithExamplesAndEnvironment(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"export", "-h"}} {
		var out, errOut bytes.Buffer
		if err := run(args, &out, &errOut); err != nil {
			t.Fatalf("run(%v) = %v, want no error (exit 0)", args, err)
		}
		for _, want := range []string{"Examples:", "-data", "webinarsync export"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("run(%v) help lacks %q:\n%s", args, want, out.String())
			}
		}
		if errOut.Len() != 0 {
			t.Errorf("run(%v) wrote to stderr: %q", args, errOut.String())
		}
	}
	var out bytes.Buffer
	_ = run([]string{"-h"}, &out, io.Discard)
	for _, env := range []string{"NGROK_AUTHTOKEN", "GOTO_CLIENT_ID", "WEBINARSYNC_WEBHOOK_SECRET"} {
		if !strings.Contains(out.String(), env) {
			t.Errorf("help lacks %s", env)
		}
	}
}

func TestFlags_MistypedFlagSuggestsTheClosest(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-dmeo"}, "did you mean -demo?"},
		{[]string{"export", "-fromat", "xlsx"}, "did you mean -format?"},
	} {
		err := run(tc.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%v) = %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestExport_EmptyDataDirSaysWhatToCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	err := run([]string{"export", "-data", dir}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no data in "+dir+": is this the right -data?") {
		t.Errorf("export of an empty dir = %v", err)
	}
}

func TestExport_WritesXLSXByExtensionAndCSVToStdout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := make(chan string, 1)
	go func() {
		done <- app.Run(ctx, app.Config{Addr: freeAddr(t), DataDir: dir, Tunnel: app.TunnelLocal, Demo: true,
			DemoInterval: 10 * time.Millisecond, Logger: slog.New(slog.DiscardHandler), Ready: func(u string) { ready <- u }})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("app: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("app did not start")
	}
	// Wait for the demo's first registrants (asking the running app).
	for deadline := time.Now().Add(10 * time.Second); ; {
		n, err := app.ExportRegistrants(context.Background(), dir, "", app.FormatCSV, io.Discard)
		if err == nil && n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no demo registrants: %d, %v", n, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("app: %v", err)
	}

	out := filepath.Join(t.TempDir(), "list.xlsx")
	var stdout bytes.Buffer
	if err := run([]string{"export", "-data", dir, "-o", out}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatalf("-o list.xlsx is not a workbook: %v", err)
	}
	rows, _ := f.GetRows(f.GetSheetName(0))
	f.Close()
	if want := fmt.Sprintf("wrote %d registrants to %s\n", len(rows)-1, out); stdout.String() != want || len(rows) < 2 {
		t.Errorf("printed %q, want %q", stdout.String(), want)
	}

	var csvOut, errOut bytes.Buffer
	if err := run([]string{"export", "-data", dir}, &csvOut, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(csvOut.String(), "\ufeffwebinarKey,") {
		t.Errorf("stdout starts %.40q, want the CSV", csvOut.String())
	}
	if want := fmt.Sprintf("wrote %d registrants to standard output\n", len(rows)-1); errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut.String(), want)
	}
}
