package catchup

import (
	"time"

	"webinarsync/ringcentral"
)

// Step is what a pass is doing now.
type Step string

// The steps of a pass. Listing comes once; the others take turns, webinar
// by webinar.
const (
	Idle        Step = ""
	Listing     Step = "listing"     // the webinars and their sessions
	Registrants Step = "registrants" // a webinar's registrants, session by session
	Attendance  Step = "attendance"  // who attended a webinar's held or running sessions
)

// Phase is where a running pass is.
type Phase struct {
	Step       Step
	WebinarKey string // the webinar worked on (namespaced); "" while listing
	Webinar    string // its title
	Done       int    // webinars finished (merged or skipped)
	Total      int    // webinars listed; 0 until listed
}

// Counts counts webinars, sessions, registrants and attendees.
type Counts struct {
	Webinars    int
	Sessions    int // sessions whose attendance was merged
	Registrants int
	Attendees   int
}

// Skipped is a webinar a pass gave up on because RingCentral refused one
// of its requests; the rest of the pass went on.
type Skipped struct {
	WebinarKey string
	Webinar    string // its title
	Problem    ringcentral.Problem
}

// Status is the catch-up's progress and how its last pass ended. It holds
// typed states only; ui words them.
type Status struct {
	LoggedIn bool // a pass can run
	Running  bool
	Phase    Phase // while Running
	// Merged is what the current pass (or the last, when none runs) read
	// from RingCentral and merged so far; Changed, how many of those the
	// store did not have, or had otherwise. A pass finding nothing new
	// has Changed all zero.
	Merged, Changed Counts
	Skipped         []Skipped // webinars the pass skipped
	Started         time.Time // of the current or last pass
	Finished        time.Time // of the last pass that ended; zero before one
	Next            time.Time // when Run's timer starts the next pass; zero outside Run
	Stopped         bool      // the last pass ended early: Problem says why
	// Problem is what stopped the last pass, or else the last webinar it
	// skipped; ProblemNotLoggedIn when a pass was asked for without a
	// login. nil when all went well.
	Problem *ringcentral.Problem
}

// Status reports the progress and the last outcome. It makes no request.
func (c *CatchUp) Status() Status {
	loggedIn := c.loggedIn()
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.status
	st.LoggedIn = loggedIn
	st.Skipped = append([]Skipped(nil), st.Skipped...)
	if st.Problem != nil {
		p := *st.Problem
		st.Problem = &p
	}
	return st
}
