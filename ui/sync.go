package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"webinarsync/gotowebinar/catchup"
)

// Syncer is the catch-up sync from GoTo's REST API, as the UI sees it.
type Syncer interface {
	Status() catchup.Status
	// SyncNow starts a sync unless one is running, and returns at once.
	SyncNow()
}

// SyncStatus is the sync's progress and last result, in the organizer's
// words (syncWords).
type SyncStatus struct {
	Available     bool      `json:"available"`         // logged in: a sync can run
	Running       bool      `json:"running"`           // a sync runs now
	Resumed       bool      `json:"resumed,omitempty"` // it continues one that was interrupted
	Phase         string    `json:"phase,omitempty"`   // what it does now, e.g. "Registrants of Quarterly Launch"
	WebinarsDone  int       `json:"webinarsDone"`
	WebinarsTotal int       `json:"webinarsTotal"` // 0 until the webinars are listed
	Requests      int64     `json:"requests"`      // to GoTo, in this run
	Errors        int       `json:"errors"`        // in this run
	Started       time.Time `json:"started,omitzero"`
	Finished      time.Time `json:"finished,omitzero"` // of the last run that ended
	LastResult    string    `json:"lastResult,omitempty"`
	LastOK        bool      `json:"lastOK"`
	Problem       string    `json:"problem,omitempty"` // what went wrong, in words
	Next          time.Time `json:"next,omitzero"`     // when the next sync is due
}

// percent is how far the running sync is, 0–100; -1 before the webinars
// are listed.
func (st SyncStatus) percent() int {
	if st.WebinarsTotal == 0 {
		return -1
	}
	return min(100, st.WebinarsDone*100/st.WebinarsTotal)
}

// progressWords is the progress bar's label.
func (st SyncStatus) progressWords() string {
	if st.WebinarsTotal == 0 {
		return "Listing your webinars at GoTo…"
	}
	return fmt.Sprintf("%s of %s webinars", num(st.WebinarsDone), num(st.WebinarsTotal))
}

// rate is the running sync's requests per second so far.
func (st SyncStatus) rate(now time.Time) string {
	d := now.Sub(st.Started).Seconds()
	if st.Started.IsZero() || d < 3 || st.Requests == 0 { // too early to say
		return ""
	}
	return strconv.FormatFloat(float64(st.Requests)/d, 'f', 1, 64) + " requests/s"
}

// syncNow serves POST /sync: start a sync, then back to where the button was.
func (s *Server) syncNow(w http.ResponseWriter, r *http.Request) error {
	s.sync.SyncNow()
	s.log.Info("ui: sync requested")
	http.Redirect(w, r, "/#sync-h", http.StatusSeeOther)
	return nil
}

// syncProgress serves GET /sync/progress: the sync panel alone, which the
// home page's sync.js swaps in every second while a sync runs.
func (s *Server) syncProgress(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, syncPanel(syncWords(s.sync.Status()), s.now()))
}
