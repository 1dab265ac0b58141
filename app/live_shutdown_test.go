package app

import (
	"bufio"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"
)

// An open live board must not hold up shutdown: http.Server.Shutdown does
// not end streaming responses by itself.
func TestShutdown_WithAnOpenLiveBoardIsQuick(t *testing.T) {
	t.Parallel()
	app := start(t, Config{DataDir: t.TempDir(), Demo: true, DemoInterval: 20 * time.Millisecond})
	waitFor(t, "a demo registrant", func() bool { return getStatus(t, app.uiURL).Counts.Registrants >= 1 })
	_, body := get(t, app.uiURL+"registrants.csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, bom))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("no registrants in the demo CSV: %v", err)
	}
	webinarKey := rows[1][0]

	resp, err := http.Get(app.uiURL + "webinars/" + webinarKey + "/live/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("live stream for %s: %s, Content-Type %q", webinarKey, resp.Status, ct)
	}
	ended := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
		}
		close(ended)
	}()

	began := time.Now()
	app.shutdown(t)
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("shutdown with an open live board took %v", took)
	}
	select {
	case <-ended:
	case <-time.After(2 * time.Second):
		t.Error("the live stream was not ended by shutdown")
	}
}
