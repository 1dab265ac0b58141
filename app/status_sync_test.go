package app

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// /api/status reports the catch-up sync's progress, so a script can follow it.
func TestStatusAPI_ReportsTheCatchUpSync(t *testing.T) {
	t.Parallel()
	app := start(t, Config{DataDir: t.TempDir(), Demo: true, DemoInterval: 20 * time.Millisecond})
	var got struct {
		Sync *struct {
			Available     bool  `json:"available"`
			WebinarsDone  int   `json:"webinarsDone"`
			WebinarsTotal int   `json:"webinarsTotal"`
			Requests      int64 `json:"requests"`
			Running       bool  `json:"running"`
		} `json:"sync"`
	}
	waitFor(t, "the demo's first sync to report progress", func() bool {
		resp, err := http.Get(app.uiURL + "api/status")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		return got.Sync != nil && got.Sync.WebinarsTotal > 0 && got.Sync.Requests > 0
	})
	if s := got.Sync; !s.Available || !s.Running || s.WebinarsDone > s.WebinarsTotal {
		t.Errorf("sync status while syncing = %+v, want available and running with its progress", *s)
	}
}
