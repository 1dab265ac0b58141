package ui

import (
	"cmp"
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
	Available     bool       `json:"available"`         // logged in: a sync can run
	Running       bool       `json:"running"`           // a sync runs now
	Resumed       bool       `json:"resumed,omitempty"` // it continues one that was interrupted
	Phase         string     `json:"phase,omitempty"`   // the current step and how far it got, e.g. "Details: 412 of 1,350"
	Step          string     `json:"step,omitempty"`    // the current step's name for scripts: webinars, registrants, attendance, details
	StepDone      int        `json:"stepDone"`          // of the current step: webinars, or registrants for details
	StepTotal     int        `json:"stepTotal"`         // 0 while not known
	Webinar       string     `json:"webinar,omitempty"` // the webinar it works on, e.g. "“Quarterly Launch”"
	Steps         []SyncStep `json:"steps,omitempty"`   // every step, in order, while running
	WebinarsDone  int        `json:"webinarsDone"`      // webinars through every step
	WebinarsTotal int        `json:"webinarsTotal"`     // 0 until the webinars are listed
	Requests      int64      `json:"requests"`          // to GoTo, in this run
	Errors        int        `json:"errors"`            // in this run
	Started       time.Time  `json:"started,omitzero"`
	Finished      time.Time  `json:"finished,omitzero"` // of the last run that ended
	LastResult    string     `json:"lastResult,omitempty"`
	LastOK        bool       `json:"lastOK"`
	Problem       string     `json:"problem,omitempty"` // what went wrong, in words
	Next          time.Time  `json:"next,omitzero"`     // when the next sync is due
}

// SyncStep is one step of a running sync, in words.
type SyncStep struct {
	Words    string `json:"words"` // e.g. "Registrants: 2 of 3 webinars"
	Finished bool   `json:"finished,omitempty"`
	Current  bool   `json:"current,omitempty"`
}

// percent is how far the running sync's current step is, 0–100; -1 while
// its total is not known (listing the webinars).
func (st SyncStatus) percent() int {
	if st.StepTotal == 0 {
		return -1
	}
	return min(100, st.StepDone*100/st.StepTotal)
}

// progressWords is the progress bar's label.
func (st SyncStatus) progressWords() string {
	return cmp.Or(st.Phase, "Listing your webinars")
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
	if s.ringCentral != nil {
		s.ringCentral.SyncNow()
	}
	s.log.Info("ui: sync requested")
	http.Redirect(w, r, "/#sync-h", http.StatusSeeOther)
	return nil
}

// syncProgress serves GET /sync/progress: the sync panel alone, which the
// home page's sync.js swaps in every second while a sync runs.
func (s *Server) syncProgress(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, syncPanel(syncWords(s.sync.Status()), s.now()))
}
