package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"webinarsync/app"
	"webinarsync/store"
)

// While the demo runs and stores deliveries, `backup` gets a checked copy
// from the running app and `restore` refuses; once it stops, `restore`
// puts the backup in place and keeps the previous file aside.
func TestBackupRestore_WhileRunningAndAfter(t *testing.T) {
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
	for deadline := time.Now().Add(10 * time.Second); ; { // some demo data first
		n, err := app.ExportRegistrants(context.Background(), dir, "", app.FormatCSV, io.Discard)
		if err == nil && n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no demo registrants: %d, %v", n, err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	backup := filepath.Join(t.TempDir(), "backup.db")
	var out bytes.Buffer
	if err := run([]string{"backup", "-data", dir, "-o", backup}, &out, io.Discard); err != nil {
		cancel()
		<-done
		t.Fatalf("backup while running: %v", err)
	}
	if !strings.Contains(out.String(), "webinarsync restore "+backup) {
		t.Errorf("backup printed %q", out.String())
	}
	if err := store.CheckFile(backup); err != nil {
		t.Errorf("the backup: %v", err)
	}
	err := run([]string{"restore", "-data", dir, backup}, io.Discard, io.Discard)
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "stop it") {
		t.Errorf("restore while running = %v, want a refusal saying to stop it", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("app: %v", err)
	}

	out.Reset()
	if err := run([]string{"restore", "-data", dir, backup}, &out, io.Discard); err != nil {
		t.Fatalf("restore: %v", err)
	}
	aside, _ := filepath.Glob(filepath.Join(dir, store.FileName+".before-restore-*"))
	if len(aside) != 1 || !strings.Contains(out.String(), aside[0]) {
		t.Errorf("kept aside %v; printed %q", aside, out.String())
	}
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatalf("the restored database: %v", err)
	}
	defer st.Close()
	if c, err := st.Counts(); err != nil || c.Registrants < 2 {
		t.Errorf("restored counts %+v, %v", c, err)
	}
}

func TestBackup_NeedsAFile(t *testing.T) {
	t.Parallel()
	err := run([]string{"backup", "-data", t.TempDir()}, io.Discard, io.Discard)
	if !errors.As(err, new(*usageError)) {
		t.Errorf("backup without -o = %v, want a usage error", err)
	}
}
