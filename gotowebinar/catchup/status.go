package catchup

import (
	"slices"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
)

// Step is a phase of a sync. A sync goes through them in order, each
// across all webinars, so that the listings (everyone registered, who
// attended) are in within seconds and the slow one-by-one details come last.
type Step string

// The steps of a sync, in order.
const (
	Idle            Step = ""
	ListWebinars    Step = "webinars"    // listing the webinars in the window
	ListRegistrants Step = "registrants" // every webinar's registrant listing (Done of Total webinars)
	Attendance      Step = "attendance"  // sessions and attendees of every webinar begun (Done of Total webinars)
	Details         Step = "details"     // registrants one by one, nearest webinars first (Done of Total registrants)
)

// Steps are a sync's steps in the order it takes them.
func Steps() []Step { return []Step{ListWebinars, ListRegistrants, Attendance, Details} }

// Phase is a running sync's current step and how far it got.
type Phase struct {
	Step        Step
	Webinar     string // the webinar worked on last, its title; "" when not known
	WebinarKey  string
	Done, Total int // of the step (see Step); Total 0 while not known
}

// Progress is how far a running sync got in one of its steps.
type Progress struct {
	Step        Step
	Done, Total int  // as in Phase
	Finished    bool // the sync is past this step
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
	WebinarsDone  int           `json:"webinarsDone"` // webinars through every step
	WebinarsTotal int           `json:"webinarsTotal"`
	// Where a sync that stopped early was: its step and how far it got in
	// it; Step is "" in an outcome saved by an older version.
	Step      Step     `json:"step,omitempty"`
	StepDone  int      `json:"stepDone,omitempty"`
	StepTotal int      `json:"stepTotal,omitempty"`
	Problem   *Trouble `json:"trouble,omitempty"` // the latest error, or what stopped it
	// Result is an outcome saved by an older version, in its words.
	Result string `json:"result,omitempty"`
}

// Status is the sync's progress and last outcome.
type Status struct {
	Available      bool // an organizer key is known: a sync can run
	NoOrganizerKey bool // logged in, but GoTo did not name the organizer key
	Running        bool
	Resumed        bool       // it continues one that was interrupted
	Phase          Phase      // the current step, with its progress
	Steps          []Progress // every step in order, while running
	WebinarsDone   int        // webinars through every step
	WebinarsTotal  int        // 0 until the webinars are listed
	Requests       int64      // to GoTo, in this run
	Errors         int        // in this run
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
		if r := c.run; r != nil {
			st.WebinarsTotal, st.WebinarsDone, st.Errors = len(r.Webinars), len(r.Detailed), r.Errors
			st.Steps = c.stepsLocked(r)
			for _, p := range st.Steps {
				if p.Step == st.Phase.Step {
					st.Phase.Done, st.Phase.Total = p.Done, p.Total
				}
			}
		}
	}
	return st
}

// stepsLocked is how far r got in each step, from what it saved (and, for
// the details, which it saves a webinar at a time, from the count kept as
// they come).
func (c *CatchUp) stepsLocked(r *run) []Progress {
	listed := 0
	if r.Listed {
		listed = len(r.Webinars)
	}
	out := []Progress{
		{Step: ListWebinars, Done: listed, Total: listed},
		{Step: ListRegistrants, Done: len(r.Registrants), Total: listed},
		{Step: Attendance, Done: len(r.Attendance), Total: r.AttendanceTotal},
		{Step: Details, Done: c.detailsDone, Total: r.DetailsTotal},
	}
	now := slices.Index(Steps(), c.status.Phase.Step)
	for i := range out {
		out[i].Finished = i < now
	}
	return out
}
