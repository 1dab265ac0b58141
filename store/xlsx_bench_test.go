package store

import (
	"io"
	"runtime"
	"sync"
	"testing"
	"time"
)

// BenchmarkExportXLSX100k: 100,000 registrants (two custom questions) to
// XLSX. Target: ≤ 3 s per export, heap bounded (excelize's stream writer
// spills rows to a temporary file). Run:
//
//	go test ./store -run '^$' -bench ExportXLSX100k -benchtime 3x
func BenchmarkExportXLSX100k(b *testing.B) {
	s := open100k(b)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		if err := s.ExportXLSX(io.Discard, bigWebinarKey, RegistrantQuery{}); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "MB-alloc/op")

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	hs := &heapSampler{}
	stop := sampleHeap(hs)
	if err := s.ExportXLSX(hs, bigWebinarKey, RegistrantQuery{}); err != nil {
		b.Fatal(err)
	}
	stop()
	b.ReportMetric(float64(hs.written)/1e6, "MB-xlsx")
	b.ReportMetric(float64(hs.peak-min(hs.peak, base.HeapAlloc))/1e6, "MB-peak-heap-growth")
}

// sampleHeap also samples the heap every few milliseconds until stop: the
// XLSX is written to its writer only at the end, after the rows are in.
func sampleHeap(hs *heapSampler) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	var peak uint64
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		hs.peak = max(hs.peak, peak)
	}
}
