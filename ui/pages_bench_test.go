package ui

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// BenchmarkWebinarPageFirst50Of100k serves a webinar's registrants page
// (first 50 rows, newest registration first) with 100,000 registrants
// stored. Goal: ≤ 50 ms.
//
//	go test ./ui -run x -bench BenchmarkWebinarPageFirst50Of100k -benchtime 50x
func BenchmarkWebinarPageFirst50Of100k(b *testing.B) {
	st, err := store.Open(b.TempDir(), store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const total, workers = 100_000, 64
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < total; i += workers {
				body := fmt.Sprintf(`{"eventName":"registrant.added","eventKey":"b%d","webinarKey":%s,"webinarTitle":"Big launch",`+
					`"registrantKey":9%019d,"firstName":"First%d","lastName":"Last%d","email":"p%d@example.com",`+
					`"organization":"Org %d","status":"Approved","registrationDate":%q,`+
					`"responses":[["Role?","MULTIPLE_CHOICE",["Dev"]]]}`,
					i, launchKey, i, i, i, i, i%1234, base.Add(time.Duration(i)*time.Minute).Format(time.RFC3339))
				ev, err := gotowebinar.DecodeEvent([]byte(body))
				if err != nil {
					b.Error(err)
					return
				}
				if _, err := st.PutEvent(context.Background(), &gotowebinar.Delivery{Event: *ev, ReceivedAt: time.Now()}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// A read waits for the views to hold every acknowledged delivery: let
	// that backlog of 100,000 go before the clock starts.
	if _, err := st.Counts(); err != nil {
		b.Fatal(err)
	}
	h := New(Config{Store: st, Addr: "127.0.0.1:0"}).Handler()
	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/webinars/"+launchKey, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/page")
}
