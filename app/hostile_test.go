package app

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/gotowebinar"
)

const hostileSecret = "hostile-secret"

func signedPost(t *testing.T, client *http.Client, url string, body []byte) int {
	t.Helper()
	ts := time.Now().UTC().Format(time.RFC3339)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(gotowebinar.HeaderSignatureTimestamp, ts)
	req.Header.Set(gotowebinar.HeaderSignature, gotowebinar.Sign([]byte(hostileSecret), ts, body))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func added(extra string) []byte {
	return []byte(`{"eventName":"registrant.added","eventKey":"` + fmt.Sprint(time.Now().UnixNano()) +
		`","webinarKey":1,"registrantKey":2,"email":"a@example.com"` + extra + `}`)
}

// Signed but hostile bodies get a clear 4xx (or are kept when they are
// still a readable event), never a 5xx, and the app keeps serving.
func TestWebhook_HostileBodiesNeverCrashOrAskForRetry(t *testing.T) {
	t.Parallel()
	app := start(t, Config{DataDir: t.TempDir(), WebhookSecret: hostileSecret})
	hook := getStatus(t, app.uiURL).WebhookURL
	client := &http.Client{Timeout: 10 * time.Second}

	tests := []struct {
		name string
		body []byte
		want int
	}{
		{"deeply nested array", []byte(`{"eventName":"registrant.added","x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`), http.StatusBadRequest},
		{"deeply nested responses", added(`,"responses":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000)), http.StatusBadRequest},
		{"100-digit key is kept exactly", added(`,"registrantKey":` + strings.Repeat("9", 100)), http.StatusOK},
		{"500-digit key is kept raw", added(`,"registrantKey":` + strings.Repeat("8", 500)), http.StatusOK},
		{"huge number in an unknown field", added(`,"extra":1e999999`), http.StatusOK},
		{"join time beyond year 9999 is kept raw", []byte(`{"eventName":"registrant.joined","eventKey":"j","webinarKey":1,"registrantKey":2,"joinTime":99999999999999999999}`), http.StatusOK},
		{"invalid UTF-8 in a name", added(`,"firstName":"Jos` + "\xff\xfe" + `"`), http.StatusOK},
		{"duplicate keys", added(`,"email":"b@example.com","email":"c@example.com"`), http.StatusOK},
		{"one byte over 256 KiB", append(added(`,"comments":"`+strings.Repeat("x", gotowebinar.MaxBodyBytes)), []byte(`"}`)...), http.StatusRequestEntityTooLarge},
		{"not JSON", []byte("\x00\x01\x02 binary"), http.StatusBadRequest},
		{"empty body", nil, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := signedPost(t, client, hook, tt.body); got != tt.want {
				t.Errorf("answered %d, want %d", got, tt.want)
			}
		})
	}
	// Still alive, and the pages that show stored raw bodies still render.
	for _, page := range []string{"", "events", "api/status", "registrants.csv"} {
		if code, _ := get(t, app.uiURL+page); code != http.StatusOK {
			t.Errorf("GET /%s after hostile input = %d", page, code)
		}
	}
	if _, csv := get(t, app.uiURL+"registrants.csv"); !strings.Contains(csv, ","+strings.Repeat("9", 100)+",") {
		t.Error("the 100-digit registrant key is not in the CSV byte for byte")
	}
	if _, log := get(t, app.uiURL+"events"); !strings.Contains(log, strings.Repeat("8", 500)) {
		t.Error("the delivery with a 500-digit key is not in the event log as received")
	}
}

// A slowloris client trickling headers is cut off by ReadHeaderTimeout
// instead of holding a connection for ever. The webhook listener's own
// server runs on an in-memory listener in virtual time, as net/http tests
// its timeouts.
func TestWebhook_SlowHeadersAreCutOff(t *testing.T) {
	t.Parallel()
	st := openTestStore(t, t.TempDir())
	rcv := gotowebinar.NewReceiver(secretKeys(st, hostileSecret), st, quietLog())
	synctest.Test(t, func(t *testing.T) {
		srv := webhookServer(map[string]http.Handler{gotowebinar.WebhookPath: rcv}, quietLog())
		ln := newPipeListener()
		go srv.Serve(ln)
		defer srv.Close()
		conn := ln.dial()
		defer conn.Close()

		began := time.Now()
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: example.ngrok.app\r\n", gotowebinar.WebhookPath)
		closed := make(chan time.Duration, 1)
		go func() {
			// Read until the server gives up on us.
			io.Copy(io.Discard, conn)
			closed <- time.Since(began)
		}()
		trickle := time.NewTicker(500 * time.Millisecond)
		defer trickle.Stop()
		for {
			select {
			case took := <-closed:
				if took < webhookReadHeaderTimeout || took > webhookReadHeaderTimeout+time.Second {
					t.Errorf("server cut a slow client off after %v, want at %v", took, webhookReadHeaderTimeout)
				}
				return
			case <-trickle.C:
				if _, err := io.WriteString(conn, "X-Slow: a\r\n"); err != nil {
					continue // the server closed the connection: the reader reports when
				}
				if time.Since(began) > webhookReadHeaderTimeout+5*time.Second {
					t.Fatal("the server never cut off a client trickling headers")
				}
			}
		}
	})
}

// pipeListener hands the server in-memory connections, so a test's
// deadlines run on the bubble's virtual clock.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// dial connects a client, whose end it returns.
func (l *pipeListener) dial() net.Conn {
	client, server := net.Pipe()
	l.conns <- server
	return client
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// A thousand clients at once all get their events stored.
func TestWebhook_ThousandConcurrentConnections(t *testing.T) {
	t.Parallel()
	app := start(t, Config{DataDir: t.TempDir(), WebhookSecret: hostileSecret})
	hook := getStatus(t, app.uiURL).WebhookURL
	const n = 1000
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		status = map[int]int{}
	)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A transport per client: a thousand separate connections.
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			body := fmt.Appendf(nil, `{"eventName":"registrant.added","eventKey":"c%d","webinarKey":1,"registrantKey":%d,"email":"c%d@example.com"}`, i, i+1, i)
			ts := time.Now().UTC().Format(time.RFC3339)
			req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
			req.Header.Set(gotowebinar.HeaderSignatureTimestamp, ts)
			req.Header.Set(gotowebinar.HeaderSignature, gotowebinar.Sign([]byte(hostileSecret), ts, body))
			<-start
			code := 0
			if resp, err := client.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				code = resp.StatusCode
			}
			mu.Lock()
			status[code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if status[http.StatusOK] != n {
		t.Fatalf("answers by status: %v, want %d × 200", status, n)
	}
	if c := getStatus(t, app.uiURL).Counts; c.Registrants != n {
		t.Errorf("%d registrants stored, want %d", c.Registrants, n)
	}
}
