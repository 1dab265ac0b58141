package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
)

// Live boards must cost ingest nothing (issue 15): joins delivered by 64
// senders into a live session, with 0, 100 and 500 boards open on it,
// each board a real HTTP stream drained as a browser would. Compare the
// joins/s between the sub-benchmarks; p95-ms is delivery → the first board.
//
//	go test ./ui -run '^$' -bench IngestWithBoards -benchtime 4000x
func BenchmarkIngestWithBoards(b *testing.B) {
	for _, boards := range []int{0, 100, 500} {
		b.Run(fmt.Sprintf("boards=%d", boards), func(b *testing.B) {
			benchIngestWithBoards(b, boards)
		})
	}
}

func benchIngestWithBoards(b *testing.B, boards int) {
	a := newLiveApp(b)
	a.createWebinar(liveWebinar)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	streams := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1000}}
	var drained sync.WaitGroup
	var streamBytes atomic.Int64
	for range boards {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, a.web.URL+liveEvents+"?session="+sessionOne, nil)
		resp, err := streams.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("opening a board: %v", err)
		}
		drained.Go(func() {
			n, _ := io.Copy(io.Discard, resp.Body)
			streamBytes.Add(n)
			resp.Body.Close()
		})
	}
	defer drained.Wait()
	defer cancel()

	const senders = 64
	hooks := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > b.N {
					return
				}
				at := time.Now()
				body := gotosim.RegistrantJoinedJSON("bench-"+strconv.Itoa(i), at, liveWebinar, sessionOne, person(i), at, gotosim.Form{})
				ts := strconv.FormatInt(at.Unix(), 10)
				req, _ := http.NewRequest(http.MethodPost, a.hook.URL+gotowebinar.WebhookPath, bytes.NewReader(body))
				req.Header.Set(gotowebinar.HeaderSignatureTimestamp, ts)
				req.Header.Set(gotowebinar.HeaderSignature, gotowebinar.Sign([]byte(liveSecret), ts, body))
				resp, err := hooks.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("delivery answered %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "joins/s")
	b.ReportMetric(0, "ns/op")
	if boards > 0 {
		// What each board was sent per join: the bytes every tab costs.
		cancel()
		drained.Wait()
		b.ReportMetric(float64(streamBytes.Load())/float64(boards)/float64(b.N), "B/join/board")
	}
}
