package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkErasePerson100k erases one person of 100,000 (110,000 events)
// and compacts: the scan of every record and the seconds the compaction
// holds the file (deliveries get 503 meanwhile).
func BenchmarkErasePerson100k(b *testing.B) {
	open100k(b).Close() // fills the fixture once
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		copyFile(b, filepath.Join(fixture100k.dir, FileName), filepath.Join(dir, FileName))
		s, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		er, err := s.ErasePerson(context.Background(), "person4242@example.com")
		if err != nil || er.Registrants != 1 || !er.Compacted {
			b.Fatalf("ErasePerson = %+v, %v", er, err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/erase")
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkCompact100k is the compaction alone: how long deliveries are
// turned away.
func BenchmarkCompact100k(b *testing.B) {
	open100k(b).Close()
	dir := b.TempDir()
	copyFile(b, filepath.Join(fixture100k.dir, FileName), filepath.Join(dir, FileName))
	s, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if fi, err := os.Stat(filepath.Join(dir, FileName)); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
	}
	for b.Loop() {
		if err := s.Compact(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		b.Fatal(err)
	}
}
