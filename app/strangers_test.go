package app

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The public listener stays cheap for strangers (issue 12): a crowd of
// slow connections that cannot be GoTo costs little memory, and GoTo's
// own deliveries get through while they hang on. Before, 1,000 such
// connections took the process from 20 MB to 1.2 GB.
//
// Not parallel on purpose: memory is measured for the whole process, and
// Go runs a package's sequential tests before any parallel one starts, so
// no other test allocates meanwhile.
//
//	go test ./app -run TestWebhook_StrangersStayCheap -v
func TestWebhook_StrangersStayCheap(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 1,200 connections")
	}
	const (
		trickling  = 1000    // unsigned bodies of 1 MiB, sent slowly
		bigHeaders = 200     // 1 MiB of headers each
		bodyBytes  = 1 << 20 // what each stranger tries to make us hold
		chunkBytes = 8 << 10 // per write
		chunkEvery = 10 * time.Millisecond
		maxGrowth  = 150 << 20
	)
	app := start(t, Config{DataDir: t.TempDir(), WebhookSecret: hostileSecret})
	hook := getStatus(t, app.uiURL).WebhookURL
	u, err := url.Parse(hook)
	if err != nil {
		t.Fatal(err)
	}

	runtime.GC() // the baseline is what the app keeps, not garbage
	before := sampleMemory()
	var peak atomic.Int64 // heap bytes, the highest sampled
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
				if h := sampleMemory().heap; h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()

	chunk := []byte(strings.Repeat("x", chunkBytes))
	hold := make(chan struct{}) // strangers keep their connections open until closed
	var (
		started, wg sync.WaitGroup
		dialFailed  atomic.Int32
	)
	stranger := func(head string, trickle func(w *bufio.Writer) error) {
		defer wg.Done()
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			dialFailed.Add(1)
			started.Done()
			return
		}
		defer conn.Close()
		w := bufio.NewWriterSize(conn, chunkBytes)
		w.WriteString(head)
		w.Flush()
		started.Done()
		// Keep sending until all is sent or the server has hung up.
		for sent := 0; sent < bodyBytes; sent += chunkBytes {
			if trickle(w) != nil {
				break
			}
			time.Sleep(chunkEvery)
		}
		<-hold
	}
	sendChunk := func(w *bufio.Writer) error {
		w.Write(chunk)
		return w.Flush()
	}
	for i := range trickling {
		started.Add(1)
		wg.Add(1)
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n", u.Path, u.Host)
		if i%2 == 0 {
			head += "Content-Length: " + strconv.Itoa(bodyBytes) + "\r\n\r\n"
		} else {
			head += "Transfer-Encoding: chunked\r\n\r\n"
		}
		chunked := i%2 == 1
		go stranger(head, func(w *bufio.Writer) error {
			if chunked {
				fmt.Fprintf(w, "%x\r\n", chunkBytes)
				defer w.WriteString("\r\n")
			}
			return sendChunk(w)
		})
	}
	for range bigHeaders {
		started.Add(1)
		wg.Add(1)
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\n", u.Path, u.Host)
		go stranger(head, func(w *bufio.Writer) error {
			w.WriteString("X-Pad: ")
			w.Write(chunk[:chunkBytes-16])
			w.WriteString("\r\n")
			return w.Flush()
		})
	}
	started.Wait()
	if n := dialFailed.Load(); n > 0 {
		t.Fatalf("%d strangers could not connect; raise the open-files limit", n)
	}

	// While they hang on, GoTo's deliveries get through.
	client := &http.Client{Timeout: 10 * time.Second}
	for i := range 20 {
		body := fmt.Appendf(nil, `{"eventName":"registrant.added","eventKey":"genuine-%d","webinarKey":1,"registrantKey":%d,"email":"g%d@example.com"}`, i, i+1, i)
		if code := signedPost(t, client, hook, body); code != http.StatusOK {
			t.Errorf("genuine delivery %d among strangers = %d, want 200", i, code)
		}
		time.Sleep(chunkEvery * 5) // spread over the strangers' trickle
	}
	after := sampleMemory()
	close(stopSampling)
	<-sampled
	close(hold)
	wg.Wait()

	heapGrowth := peak.Load() - before.heap
	t.Logf("%d trickling + %d header-flooding strangers: heap peak +%.1f MB (from %.1f MB), VmRSS +%.1f MB (from %.1f MB)",
		trickling, bigHeaders, mb(heapGrowth), mb(before.heap), mb(after.rss-before.rss), mb(before.rss))
	if heapGrowth > maxGrowth {
		t.Errorf("heap grew by %.1f MB with strangers connected, want under %.0f MB", mb(heapGrowth), mb(maxGrowth))
	}
	if before.rss > 0 && after.rss-before.rss > maxGrowth {
		t.Errorf("resident memory grew by %.1f MB with strangers connected, want under %.0f MB", mb(after.rss-before.rss), mb(maxGrowth))
	}
	if c := getStatus(t, app.uiURL).Counts; c.Registrants != 20 {
		t.Errorf("%d registrants stored, want the 20 genuine ones", c.Registrants)
	}
}

type memory struct{ heap, rss int64 }

// sampleMemory reads the Go heap (live and not yet swept objects: where
// bodies and headers would pile up, and unlike RSS it is not kept high by
// memory the runtime has not yet returned) and the resident set from
// /proc (0 where there is none).
func sampleMemory() memory {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	m := memory{heap: int64(s[0].Value.Uint64())}
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.Lines(string(status)) {
			if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				m.rss = kb << 10
			}
		}
	}
	return m
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }
