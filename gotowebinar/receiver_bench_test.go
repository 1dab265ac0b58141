package gotowebinar_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// BenchmarkReceiver measures acknowledged deliveries per second over real
// HTTP: signature check, decode, and a durable (fsynced) store commit per
// event, with 1, ~8 and ~64 concurrent senders. Each delivery has its own
// eventKey and registrant, so every one is a new event, and each must be
// answered 200.
func BenchmarkReceiver(b *testing.B) {
	for _, senders := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			st, err := store.Open(b.TempDir(), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			rc := gotowebinar.NewReceiver(func() [][]byte { return [][]byte{[]byte(testSecret)} }, st,
				slog.New(slog.NewTextHandler(io.Discard, nil)))
			srv := httptest.NewServer(gotowebinar.WebhookHandler(rc))
			defer srv.Close()
			client := srv.Client()
			client.Transport.(*http.Transport).MaxIdleConnsPerHost = senders + runtime.GOMAXPROCS(0)
			url := srv.URL + gotowebinar.WebhookPath

			type delivery struct{ body, sig string }
			deliveries := make([]delivery, b.N)
			for i := range deliveries {
				body := fmt.Sprintf(`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"bench-%d",`+
					`"webinarKey":%s,"registrantKey":%d%010d,"firstName":"Ada","lastName":"Lovelace","email":"ada%d@example.com",`+
					`"registrationDate":"2024-03-15T10:00:00Z","status":"Approved","timestamp":"2024-03-15T10:00:01Z",`+
					`"responses":[["Favourite number?","MULTIPLE_CHOICE",["7"]]]}`, i, sampleWebinarKey, 1234567890, i, i)
				deliveries[i] = delivery{body, gotowebinar.Sign([]byte(testSecret), testTimestamp, []byte(body))}
			}
			var next atomic.Int64
			send := func() {
				d := deliveries[next.Add(1)-1]
				req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(d.body))
				if err != nil {
					b.Error(err)
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(gotowebinar.HeaderSignatureTimestamp, testTimestamp)
				req.Header.Set(gotowebinar.HeaderSignature, d.sig)
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("delivery answered %d, want 200", resp.StatusCode)
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

			if c, err := st.Counts(); err != nil || c.Events != b.N || c.Registrants != b.N {
				b.Fatalf("after %d deliveries the store has %+v, %v", b.N, c, err)
			}
		})
	}
}
