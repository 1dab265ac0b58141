package catchup

import (
	"time"

	"webinarsync/gotowebinar"
)

// runVersion numbers the shape of run. A run saved under another number
// (older versions went webinar by webinar and saved no version) is
// discarded and its sync starts over: its progress does not say how far
// each step got, and starting over costs requests only, never data, since
// every merge is idempotent.
const runVersion = 2

// run is a sync's progress, saved after every step so that a sync cut short
// resumes each step where it stopped.
type run struct {
	Version   int       `json:"version"`
	Organizer string    `json:"organizer"`
	Started   time.Time `json:"started"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`

	// ListWebinars
	Listed   bool     `json:"listed"`            // the window's webinars are listed and merged
	Webinars []string `json:"webinars"`          // their keys, nearest to the start first: every step's order
	Refused  []string `json:"refused,omitempty"` // webinars GoTo refused (cancelled meanwhile): later steps skip them

	// ListRegistrants
	Registrants []string            `json:"registrants,omitempty"` // webinars whose registrant listing is merged
	Need        map[string][]string `json:"need,omitempty"`        // of those, the registrants to ask for one by one, until that webinar's details are done

	// Attendance
	AttendanceTotal int                          `json:"attendanceTotal,omitempty"` // webinars begun, when the step began
	Attendance      []string                     `json:"attendance,omitempty"`      // webinars whose attendance is merged
	Sessions        map[string]*sessionsProgress `json:"sessions,omitempty"`        // webinars whose attendance is begun
	PerSession      bool                         `json:"perSession,omitempty"`      // GoTo has no webinar-level attendees listing: ask session by session

	// Details
	DetailsPlanned bool     `json:"detailsPlanned,omitempty"` // DetailsTotal is counted
	DetailsTotal   int      `json:"detailsTotal,omitempty"`   // registrants to ask for one by one, when the step first began
	Detailed       []string `json:"detailed,omitempty"`       // webinars whose details are done: through every step

	Requests int64    `json:"requests"` // by earlier attempts at this run
	Errors   int      `json:"errors"`
	Problem  *Trouble `json:"trouble,omitempty"` // the latest error
	Tally    Tally    `json:"tally"`
}

// sessionsProgress is how far a webinar's attendance got.
type sessionsProgress struct {
	Listed   bool                  `json:"listed"`             // its sessions are listed
	Sessions []gotowebinar.Session `json:"sessions,omitempty"` // …these
	Attended []string              `json:"attended,omitempty"` // sessions merged, when asked session by session
}
