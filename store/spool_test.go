package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar"
)

// A CSV reader that stops reading (a paused download, `export | less`)
// must not stall deliveries or Close: the export no longer holds its read
// transaction while it waits for the reader.
func TestExportCSV_StalledReaderBlocksNeitherDeliveriesNorClose(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	var seeds []*gotowebinar.Delivery
	for i := range 200 {
		seeds = append(seeds, delivery(t, addedBody(fmt.Sprint("seed-", i), webinarKey, fmt.Sprint(1000+i), "2025-05-01T09:00:00Z")))
	}
	putMany(t, s, seeds) // one commit: the seeds are the export's data, not the deliveries under test

	pr, pw := io.Pipe() // nobody reads pr until the end
	// Should a check below fail, the export ends before the store closes,
	// so the failure is reported instead of hanging in Close.
	t.Cleanup(func() { pr.Close() })
	stalled := &firstWrite{w: pw, started: make(chan struct{})}
	exported := make(chan error, 1)
	go func() { exported <- s.ExportCSV(stalled, webinarKey) }()
	<-stalled.started // the export is in its write, which nobody reads
	before := fileSize(t, s)

	// Enough new data (8 MB, in large deliveries to spare fsyncs) to make
	// bbolt grow (remap) the file several times.
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < 400; i += 8 {
					d := delivery(t, addedBody(fmt.Sprint("grow-", i), webinarKey, fmt.Sprint(100000+i), "2025-05-02T09:00:00Z",
						"comments", strings.Repeat("x", 20000)))
					if _, err := s.PutEvent(context.Background(), d); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("deliveries stalled behind an export nobody reads")
	}
	if after := fileSize(t, s); after < 4*before {
		t.Errorf("the file grew from %d to %d bytes, want at least two remaps", before, after)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung behind an export nobody reads")
	}
	pr.Close()
	if err := <-exported; err == nil {
		t.Error("the export whose reader went away reported success")
	}
}

// firstWrite closes started when the first Write begins, so a test knows
// the writer is stuck in it rather than guessing with a sleep.
type firstWrite struct {
	w       io.Writer
	once    sync.Once
	started chan struct{}
}

func (f *firstWrite) Write(p []byte) (int, error) {
	f.once.Do(func() { close(f.started) })
	return f.w.Write(p)
}

func fileSize(t *testing.T, s *Store) int64 {
	t.Helper()
	fi, err := os.Stat(s.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
