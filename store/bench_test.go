package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"webinarsync/gotowebinar"
)

const bigWebinarKey = "8812345678901234567"

// BenchmarkPutEvent measures concurrent deliveries of distinct events, each
// acknowledged only after its fsync; Batch lets them share commits.
func BenchmarkPutEvent(b *testing.B) {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var n atomic.Int64
	b.SetParallelism(16) // deliveries wait on fsync, not CPU
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			d := delivery(b, addedBody(fmt.Sprint("bench-", i), bigWebinarKey, fmt.Sprint(100000000000+i), "2025-05-01T09:00:00Z",
				"responses", raw(`[["Role?","MULTIPLE_CHOICE",["Dev"]]]`)))
			if stored, err := s.PutEvent(context.Background(), d); err != nil || !stored {
				b.Errorf("PutEvent: stored=%v err=%v", stored, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// fixture100k is a database of 100,000 registrants of one webinar (and
// 10,000 joins), filled once per test binary and shared read-only by the
// read benchmarks, so each does not spend seconds filling its own.
var fixture100k struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixture100k.dir != "" {
		os.RemoveAll(fixture100k.dir)
	}
	if dir := filledDir.Load(); dir != nil {
		os.RemoveAll(*dir)
	}
	os.Exit(code)
}

// open100k opens the shared fixture read-only, filling it on first use.
func open100k(b *testing.B) *Store {
	b.Helper()
	fixture100k.once.Do(func() {
		dir, err := os.MkdirTemp("", "webinarsync-bench-")
		if err != nil {
			fixture100k.err = err
			return
		}
		fixture100k.dir = dir
		fixture100k.err = fill100k(b, dir)
	})
	if fixture100k.err != nil {
		b.Fatalf("fixture: %v", fixture100k.err)
	}
	s, err := OpenReadOnly(fixture100k.dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// fill100k stores the fixture through putEventTx in large transactions:
// the same materialization as PutEvent without 100,000 fsyncs.
func fill100k(b *testing.B, dir string) error {
	s, err := Open(dir, Options{})
	if err != nil {
		return err
	}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	statuses := []string{"Approved", "Waiting", "Cancelled", "Denied"}
	const total, chunk = 100_000, 10_000
	for from := 0; from < total; from += chunk {
		ds := make([]*gotowebinar.Delivery, 0, chunk+chunk/10)
		for i := from; i < from+chunk; i++ {
			regKey := fmt.Sprintf("90000%015d", i*7919) // 20 digits
			regDate := base.Add(time.Duration(i*37%total) * time.Minute).Format(time.RFC3339)
			ds = append(ds, delivery(b, addedBody(fmt.Sprint("fill-", i), bigWebinarKey, regKey, regDate,
				"firstName", fmt.Sprint("First", i), "lastName", fmt.Sprint("Last", i%977),
				"email", fmt.Sprintf("person%d@example.com", i), "organization", fmt.Sprint("Org ", i%1234),
				"city", "Berlin", "country", "Germany", "status", statuses[i%len(statuses)],
				"responses", raw(fmt.Sprintf(`[["Role?","MULTIPLE_CHOICE",["Dev","Ops"]],["Team size?","SHORT_ANSWER",["%d"]]]`, i%50)))))
			if i%10 == 0 {
				ds = append(ds, delivery(b, joinedBody(fmt.Sprint("join-", i), bigWebinarKey, regKey, "26000000000000000001", "2025-06-10T15:00:00Z")))
			}
		}
		putMany(b, s, ds)
	}
	if c := mustCounts(b, s); c.Registrants != total {
		return errors.Join(fmt.Errorf("filled %+v", c), s.Close())
	}
	return s.Close()
}

// heapSampler is an io.Writer that records the largest heap seen while an
// export writes through it, sampling once per MB.
type heapSampler struct {
	written, next int
	peak          uint64
}

func (h *heapSampler) Write(p []byte) (int, error) {
	h.written += len(p)
	if h.written >= h.next {
		h.next += 1 << 20
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		h.peak = max(h.peak, ms.HeapAlloc)
	}
	return len(p), nil
}

func BenchmarkExportCSV100k(b *testing.B) {
	s := open100k(b)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		if err := s.ExportCSV(io.Discard, bigWebinarKey); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "MB-alloc/op")

	// Constant memory: the heap during one export, above what it was before.
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	hs := &heapSampler{}
	if err := s.ExportCSV(hs, bigWebinarKey); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(hs.written)/1e6, "MB-csv")
	b.ReportMetric(float64(hs.peak-min(hs.peak, base.HeapAlloc))/1e6, "MB-peak-heap-growth")
}

func BenchmarkRegistrantsFirstPage100k(b *testing.B) {
	s := open100k(b)
	for b.Loop() {
		page, total, err := s.Registrants(bigWebinarKey, RegistrantQuery{})
		if err != nil || len(page) != 50 || total != 100_000 {
			b.Fatalf("page %d total %d err %v", len(page), total, err)
		}
	}
}

func BenchmarkRegistrantsSearch100k(b *testing.B) {
	s := open100k(b)
	for b.Loop() {
		page, total, err := s.Registrants(bigWebinarKey, RegistrantQuery{Search: "org 12"})
		if err != nil || len(page) != 50 || total == 0 {
			b.Fatalf("page %d total %d err %v", len(page), total, err)
		}
	}
}
