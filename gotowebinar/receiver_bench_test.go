package gotowebinar_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// The ingest benchmarks: the full path (HTTP → verify → decode → bbolt
// commit with fsync → 200) beside a baseline that does only net/http, the
// HMAC check and one bbolt Batch put of the raw body, so the cost of our
// own work is the ratio of the two, measured in one run:
//
//	go test ./gotowebinar -run x -bench 'Benchmark(Receiver|IngestBaseline)' -benchtime 3000x

type benchDelivery struct{ body, sig string }

func benchDeliveries(n int) []benchDelivery {
	out := make([]benchDelivery, n)
	for i := range out {
		body := fmt.Sprintf(`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"bench-%d",`+
			`"webinarKey":%s,"registrantKey":%d%010d,"firstName":"Ada","lastName":"Lovelace","email":"ada%d@example.com",`+
			`"registrationDate":"2024-03-15T10:00:00Z","status":"Approved","timestamp":"2024-03-15T10:00:01Z",`+
			`"responses":[["Favourite number?","MULTIPLE_CHOICE",["7"]]]}`, i, sampleWebinarKey, 1234567890, i, i)
		out[i] = benchDelivery{body, gotowebinar.Sign([]byte(testSecret), testTimestamp, []byte(body))}
	}
	return out
}

// benchSenders posts b.N deliveries to h from the given number of
// concurrent senders, each of which must be answered 200.
func benchSenders(b *testing.B, h http.Handler, senders int) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = senders + runtime.GOMAXPROCS(0)
	url := srv.URL + gotowebinar.WebhookPath
	deliveries := benchDeliveries(b.N)
	var next atomic.Int64
	send := func() {
		if err := post(client, url, deliveries[next.Add(1)-1]); err != nil {
			b.Error(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	if senders == 1 {
		for range b.N {
			send()
		}
	} else {
		// RunParallel starts parallelism × GOMAXPROCS goroutines.
		b.SetParallelism(max(1, senders/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				send()
			}
		})
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acks/s")
}

func post(client *http.Client, url string, d benchDelivery) error {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(d.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(gotowebinar.HeaderSignatureTimestamp, testTimestamp)
	req.Header.Set(gotowebinar.HeaderSignature, d.sig)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("delivery answered %d, want 200", resp.StatusCode)
	}
	return nil
}

func benchReceiver(b *testing.B) (http.Handler, *store.Store) {
	st, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	rc := gotowebinar.NewReceiver(func() [][]byte { return [][]byte{[]byte(testSecret)} }, st,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	return gotowebinar.WebhookHandler(rc), st
}

// BenchmarkReceiver is the full path with 1, ~8 and ~64 concurrent senders.
// Each delivery is a new event and registrant.
func BenchmarkReceiver(b *testing.B) {
	for _, senders := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			h, st := benchReceiver(b)
			benchSenders(b, h, senders)
			if c, err := st.Counts(); err != nil || c.Events != b.N || c.Registrants != b.N {
				b.Fatalf("after %d deliveries the store has %+v, %v", b.N, c, err)
			}
		})
	}
}

// BenchmarkIngestBaseline is the least any receiver must do: read the body,
// check the HMAC, and commit the body durably with one bbolt Batch put.
func BenchmarkIngestBaseline(b *testing.B) {
	for _, senders := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			db, err := bolt.Open(filepath.Join(b.TempDir(), "baseline.db"), 0o600, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			// The bare receiver of issue 15: bbolt's Batch with a 1 ms window.
			db.MaxBatchDelay = time.Millisecond
			bucket := []byte("events")
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, gotowebinar.MaxBodyBytes))
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				got, err := base64.StdEncoding.DecodeString(r.Header.Get(gotowebinar.HeaderSignature))
				mac := hmac.New(sha256.New, []byte(testSecret))
				mac.Write([]byte(r.Header.Get(gotowebinar.HeaderSignatureTimestamp) + ":"))
				mac.Write(body)
				if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
					http.Error(w, "bad signature", http.StatusUnauthorized)
					return
				}
				err = db.Batch(func(tx *bolt.Tx) error {
					bk, err := tx.CreateBucketIfNotExists(bucket)
					if err != nil {
						return err
					}
					return bk.Put(got, body)
				})
				if err != nil {
					http.Error(w, err.Error(), http.StatusServiceUnavailable)
					return
				}
				io.WriteString(w, "stored\n")
			})
			benchSenders(b, h, senders)
		})
	}
}

// BenchmarkReceiverPaced offers deliveries at 1,000 per second (each on its
// own goroutine, as GoTo's senders are independent) and reports the
// acknowledgement latency percentiles. Goal: p99 ≤ 25 ms.
//
//	go test ./gotowebinar -run x -bench BenchmarkReceiverPaced -benchtime 3000x
func BenchmarkReceiverPaced(b *testing.B) {
	const rate = 1000
	h, _ := benchReceiver(b)
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 256
	url := srv.URL + gotowebinar.WebhookPath
	deliveries := benchDeliveries(b.N)
	latencies := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			began := time.Now()
			if err := post(client, url, deliveries[i]); err != nil {
				b.Error(err)
			}
			latencies[i] = time.Since(began)
		}()
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acks/s")
}
