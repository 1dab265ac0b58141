package store

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// A CSV reader that stops reading (a paused download, `export | less`)
// must not stall deliveries or Close: the export no longer holds its read
// transaction while it waits for the reader.
func TestExportCSV_StalledReaderBlocksNeitherDeliveriesNorClose(t *testing.T) {
	s := openTest(t)
	for i := range 200 {
		put(t, s, addedBody(fmt.Sprint("seed-", i), webinarKey, fmt.Sprint(1000+i), "2025-05-01T09:00:00Z"))
	}
	pr, pw := io.Pipe() // nobody reads pr until the end
	exported := make(chan error, 1)
	go func() { exported <- s.ExportCSV(pw, webinarKey) }()
	time.Sleep(200 * time.Millisecond) // let the export reach its stalled write

	// Enough new data to make bbolt grow (remap) the file several times.
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < 4000; i += 8 {
					d := delivery(t, addedBody(fmt.Sprint("grow-", i), webinarKey, fmt.Sprint(100000+i), "2025-05-02T09:00:00Z",
						"comments", strings.Repeat("x", 2000)))
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
