package catchup

import (
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
)

// Step is what a running sync does now.
type Step string

// The steps of a sync, in order.
const (
	Idle            Step = ""
	ListWebinars    Step = "webinars"    // listing the webinars in the window
	ListRegistrants Step = "registrants" // a webinar's registrant listing
	Details         Step = "details"     // registrants one by one (Done of Total)
	ListSessions    Step = "sessions"    // a webinar's sessions
	Attendance      Step = "attendance"  // its sessions' attendees
)

// Phase is a running sync's current step.
type Phase struct {
	Step        Step
	Webinar     string // the webinar's title, "" when not known
	WebinarKey  string
	Done, Total int // with Details
}

// Item is what a Trouble spoiled.
type Item string

// The items a sync can fail on without stopping.
const (
	WholeSync      Item = ""           // the sync itself stopped
	WebinarItem    Item = "webinar"    // a webinar could not be synced
	RegistrantItem Item = "registrant" // a registrant could not be read
	AttendanceItem Item = "attendance" // a session's attendance could not be read
)

// Trouble is what went wrong, and with which item.
type Trouble struct {
	Item       Item                `json:"item,omitempty"`
	Webinar    string              `json:"webinar,omitempty"` // its title, "" when not known
	WebinarKey string              `json:"webinarKey,omitempty"`
	Registrant string              `json:"registrant,omitempty"` // its key
	Problem    gotowebinar.Problem `json:"problem"`
}

// Tally counts what a sync found.
type Tally struct {
	Webinars, NewWebinars       int
	Registrants, NewRegistrants int
	Details                     int
	Sessions                    int
}

// Outcome is how a sync ended.
type Outcome struct {
	Started       time.Time     `json:"started"`
	Finished      time.Time     `json:"finished"`
	OK            bool          `json:"ok"`
	Stopped       bool          `json:"stopped,omitempty"` // it stopped early; the next sync continues
	Tally         Tally         `json:"tally"`
	Requests      int64         `json:"requests"`
	Elapsed       time.Duration `json:"elapsed"`
	Errors        int           `json:"errors"`
	WebinarsDone  int           `json:"webinarsDone"`
	WebinarsTotal int           `json:"webinarsTotal"`
	Problem       *Trouble      `json:"trouble,omitempty"` // the latest error, or what stopped it
	// Result is an outcome saved by an older version, in its words.
	Result string `json:"result,omitempty"`
}

// Status is the sync's progress and last outcome.
type Status struct {
	Available      bool // an organizer key is known: a sync can run
	NoOrganizerKey bool // logged in, but GoTo did not name the organizer key
	Running        bool
	Resumed        bool // it continues one that was interrupted
	Phase          Phase
	WebinarsDone   int
	WebinarsTotal  int   // 0 until the webinars are listed
	Requests       int64 // to GoTo, in this run
	Errors         int   // in this run
	Started        time.Time
	Finished       time.Time // of the last run that ended
	Next           time.Time // when the next sync is due
	Problem        *Trouble  // the latest error
	Last           *Outcome  // how the last sync ended
}

// Status reports the sync's progress and last outcome.
func (c *CatchUp) Status() Status {
	_, ok := c.login.OrganizerKey()
	loggedIn := c.login.State().Status != login.LoggedOut
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.status
	st.Available, st.NoOrganizerKey = ok, loggedIn && !ok
	if st.Last != nil && st.Finished.IsZero() {
		st.Finished = st.Last.Finished
	}
	if st.Running {
		st.Requests = c.requests.Load()
		if c.run != nil {
			st.WebinarsTotal, st.WebinarsDone, st.Errors = len(c.run.Webinars), len(c.run.Done), c.run.Errors
		}
	}
	return st
}
