package catchup

import (
	"time"

	"webinarsync/gotowebinar"
)

// run is a sync's progress, saved after every step.
type run struct {
	Organizer string                      `json:"organizer"`
	Started   time.Time                   `json:"started"`
	From      time.Time                   `json:"from"`
	To        time.Time                   `json:"to"`
	Listed    bool                        `json:"listed"`   // the window's webinars are listed and merged
	Webinars  []string                    `json:"webinars"` // their keys, in GoTo's order
	Done      []string                    `json:"done"`     // webinars synced completely
	Partial   map[string]*webinarProgress `json:"partial"`  // webinars begun
	Requests  int64                       `json:"requests"` // by earlier attempts at this run
	Errors    int                         `json:"errors"`
	Problem   *Trouble                    `json:"trouble,omitempty"` // the latest error
	Tally     Tally                       `json:"tally"`
}

// webinarProgress is how far a webinar got.
type webinarProgress struct {
	Registrants    bool                  `json:"registrants"`        // the listing is merged
	Listed         []string              `json:"listed,omitempty"`   // registrant keys it listed, until details are done
	Details        bool                  `json:"details"`            // registrants we lacked are fetched one by one
	SessionsListed bool                  `json:"sessionsListed"`     // sessions are listed
	Sessions       []gotowebinar.Session `json:"sessions,omitempty"` // …these
	Attended       []string              `json:"attended,omitempty"` // sessions whose attendees are merged
}
