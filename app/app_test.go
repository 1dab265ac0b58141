package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

type testApp struct {
	uiURL string
	done  chan error
	stop  context.CancelFunc
	once  sync.Once
}

// start runs the app in-process and waits until both listeners are up.
func start(t *testing.T, cfg Config) *testApp {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ready := make(chan string, 1)
	cfg.Ready = func(u string) { ready <- u }
	ctx, cancel := context.WithCancel(context.Background())
	r := &testApp{done: make(chan error, 1), stop: cancel}
	go func() { r.done <- Run(ctx, cfg) }()
	select {
	case r.uiURL = <-ready:
	case err := <-r.done:
		cancel()
		t.Fatalf("app did not start: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("app did not start within 10s")
	}
	t.Cleanup(func() { r.shutdown(t) })
	return r
}

func (r *testApp) shutdown(t *testing.T) {
	t.Helper()
	r.once.Do(func() {
		r.stop()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(ShutdownBudget + time.Second):
			t.Error("app did not stop within the shutdown budget")
		}
	})
}

type status struct {
	Counts     store.Counts `json:"counts"`
	WebhookURL string       `json:"webhookURL"`
	Login      struct {
		State string `json:"state"`
	} `json:"login"`
}

func getStatus(t *testing.T, uiURL string) status {
	t.Helper()
	resp, err := http.Get(uiURL + "api/status")
	if err != nil {
		t.Fatalf("GET /api/status: %v", err)
	}
	defer resp.Body.Close()
	var s status
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("decoding /api/status: %v", err)
	}
	return s
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDemo_RegistrantsAppearInUIAndCSV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	app := start(t, Config{DataDir: dir, Demo: true, DemoInterval: 20 * time.Millisecond})

	waitFor(t, "demo registrants", func() bool {
		s := getStatus(t, app.uiURL)
		return s.Counts.Registrants >= 5 && s.Counts.Webinars >= 2
	})
	if s := getStatus(t, app.uiURL); s.Login.State != "demo" {
		t.Errorf("login state in demo = %q, want demo", s.Login.State)
	}

	code, csvBody := get(t, app.uiURL+"registrants.csv")
	if code != http.StatusOK {
		t.Fatalf("GET /registrants.csv = %d", code)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvBody, bom))).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if len(rows) < 6 || rows[0][0] != "webinarKey" || rows[0][2] != "registrantKey" {
		t.Fatalf("CSV has %d rows, header %v", len(rows), rows[0])
	}

	// Every registrant in the CSV is listed on its webinar's page.
	webinarKey, email := rows[1][0], rows[1][5]
	code, page := get(t, app.uiURL+"webinars/"+webinarKey)
	if code != http.StatusOK || !strings.Contains(page, email) {
		t.Errorf("webinar page %s (status %d) does not list %s", webinarKey, code, email)
	}
	code, home := get(t, app.uiURL)
	if code != http.StatusOK || !strings.Contains(home, html.EscapeString(rows[1][1])) {
		t.Errorf("home page (status %d) does not list webinar %q", code, rows[1][1])
	}
}

// In demo mode the settings page says the disabled values are the
// stand-ins', not that the environment set them: nobody set GOTO_CLIENT_ID
// or RINGCENTRAL_CLIENT_ID.
func TestDemo_SettingsSayTheValuesAreTheStandInsNotTheEnvironments(t *testing.T) {
	t.Parallel()
	app := start(t, Config{DataDir: t.TempDir(), Demo: true, DemoInterval: time.Hour})
	code, page := get(t, app.uiURL+"settings")
	if code != http.StatusOK {
		t.Fatalf("GET /settings = %d", code)
	}
	for _, want := range []string{"these are the built-in simulator's values", "these are the built-in RingCentral stand-in's values"} {
		if !strings.Contains(page, want) {
			t.Errorf("the demo's settings page lacks %q", want)
		}
	}
	if strings.Contains(page, "in the environment") {
		i := strings.Index(page, "in the environment")
		t.Errorf("the demo's settings page says a value comes from the environment: %s", page[max(0, i-300):i+50])
	}
}

func TestRun_SecondInstanceOnSameDataDirExitsWithinTwoSeconds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	start(t, Config{DataDir: dir, WebhookSecret: "s"})

	began := time.Now()
	err := Run(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: dir,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	took := time.Since(began)
	if !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Run = %v, want ErrAlreadyRunning", err)
	}
	if took > 2*time.Second {
		t.Errorf("second Run took %v to give up, want < 2s", took)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the data dir %s", err, dir)
	}
}

func TestWebhookListener_ServesOnlyTheWebhookPath(t *testing.T) {
	t.Parallel()
	app := start(t, Config{DataDir: t.TempDir(), WebhookSecret: "s"})
	hook := getStatus(t, app.uiURL).WebhookURL
	if !strings.HasSuffix(hook, gotowebinar.WebhookPath) {
		t.Fatalf("status webhookURL = %q", hook)
	}
	base := strings.TrimSuffix(hook, gotowebinar.WebhookPath)
	if code, _ := get(t, hook); code != http.StatusOK {
		t.Errorf("GET webhook path = %d, want 200", code)
	}
	for _, p := range []string{"/", "/api/status", "/events", "/registrants.csv", "/assets/style.css"} {
		if code, _ := get(t, base+p); code != http.StatusNotFound {
			t.Errorf("GET %s on the webhook listener = %d, want 404", p, code)
		}
	}
}

// signedRegistrant builds one signed registrant.added delivery.
func signedRegistrant(secret string, i int) (body []byte, ts, sig string) {
	body = fmt.Appendf(nil, `{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w",
		"eventKey":"evt-%d","webinarKey":98765432109876543210,"webinarTitle":"Shutdown test",
		"registrantKey":%d,"firstName":"R","lastName":"%d","email":"r%d@example.com",
		"status":"Approved","registrationDate":"2026-11-23T10:00:00Z","timestamp":"2026-11-23T10:00:00Z"}`,
		i, 10000000000000000000+uint64(i), i, i)
	ts = time.Now().UTC().Format(time.RFC3339)
	return body, ts, gotowebinar.Sign([]byte(secret), ts, body)
}

func TestShutdown_KeepsEveryAcknowledgedEvent(t *testing.T) {
	t.Parallel()
	const secret = "shutdown-secret"
	dir := t.TempDir()
	app := start(t, Config{DataDir: dir, WebhookSecret: secret})
	hook := getStatus(t, app.uiURL).WebhookURL

	var (
		mu    sync.Mutex
		acked []int
		wg    sync.WaitGroup
	)
	client := &http.Client{Timeout: 5 * time.Second}
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 4000; i += 8 {
				body, ts, sig := signedRegistrant(secret, i)
				req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
				req.Header.Set(gotowebinar.HeaderSignatureTimestamp, ts)
				req.Header.Set(gotowebinar.HeaderSignature, sig)
				resp, err := client.Do(req)
				if err != nil {
					return // the listener is gone: shutdown has begun
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					mu.Lock()
					acked = append(acked, i)
					mu.Unlock()
				}
			}
		}()
	}
	waitFor(t, "some deliveries", func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) > 50 })
	app.shutdown(t)
	wg.Wait()

	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	defer st.Close()
	counts, err := st.Counts()
	if err != nil {
		t.Fatal(err)
	}
	if counts.Events < len(acked) {
		t.Fatalf("%d events acknowledged but only %d on disk", len(acked), counts.Events)
	}
	for _, i := range acked {
		key := fmt.Sprint(10000000000000000000 + uint64(i))
		if _, err := st.Registrant("98765432109876543210", key); err != nil {
			t.Errorf("acknowledged delivery %d (registrant %s) not on disk: %v", i, key, err)
		}
	}
}

func TestExport_WhileRunningGoesThroughTheApp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	app := start(t, Config{DataDir: dir, Demo: true, DemoInterval: 20 * time.Millisecond})
	waitFor(t, "demo registrants", func() bool { return getStatus(t, app.uiURL).Counts.Registrants >= 3 })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	began := time.Now()
	var buf bytes.Buffer
	if err := Export(ctx, dir, "", &buf); err != nil {
		t.Fatalf("Export while running: %v", err)
	}
	if time.Since(began) > 2*time.Second {
		t.Errorf("Export waited %v for the lock", time.Since(began))
	}
	if !strings.HasPrefix(buf.String(), bom+"webinarKey,webinarTitle,registrantKey,") {
		t.Errorf("export starts %.80q", buf.String())
	}
}

func TestExport_WhenStoppedReadsTheDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	app := start(t, Config{DataDir: dir, Demo: true, DemoInterval: 20 * time.Millisecond})
	waitFor(t, "demo registrants", func() bool { return getStatus(t, app.uiURL).Counts.Registrants >= 3 })
	_, live := get(t, app.uiURL+"registrants.csv")
	app.shutdown(t)

	var buf bytes.Buffer
	if err := Export(context.Background(), dir, "", &buf); err != nil {
		t.Fatalf("Export after stop: %v", err)
	}
	gotRows, _ := csv.NewReader(&buf).ReadAll()
	liveRows, _ := csv.NewReader(strings.NewReader(live)).ReadAll()
	if len(gotRows) < len(liveRows) {
		t.Errorf("export after stop has %d rows, the running app had %d", len(gotRows), len(liveRows))
	}
}
