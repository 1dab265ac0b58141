// Package store owns webinarsync's data on disk: one bbolt file holding
// every delivered event once, the webinars, registrants and joins
// materialized from them, what a catch-up sync from GoTo's REST API merges
// in (merge.go, attendance.go), settings and webhook secret keys. It knows
// nothing of HTTP.
package store

import (
	"encoding/json"
	"errors"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/record"
)

// Errors callers branch on.
var (
	// ErrNotFound: no such webinar, registrant or event.
	ErrNotFound = errors.New("not found")
	// ErrLocked: another process holds the data dir's database.
	ErrLocked = errors.New("database is in use by another webinarsync")
)

// Webinar is the latest known state of one webinar, with its counts.
type Webinar struct {
	WebinarKey     string                  `json:"webinarKey"`
	Title          string                  `json:"webinarTitle"`
	Description    string                  `json:"description,omitempty"`
	ExperienceType string                  `json:"experienceType,omitempty"`
	RecurrenceType string                  `json:"recurrenceType,omitempty"`
	RecurrenceKey  string                  `json:"recurrenceKey,omitempty"`
	OrganizerKey   string                  `json:"organizerKey,omitempty"`
	AccountKey     string                  `json:"accountKey,omitempty"`
	Status         string                  `json:"status,omitempty"` // NEW, UPDATED, DELETED; "" when known only from registrant events
	Times          []gotowebinar.TimeRange `json:"times,omitempty"`
	StartTime      time.Time               `json:"startTime,omitzero"`
	EndTime        time.Time               `json:"endTime,omitzero"`
	TimeZone       string                  `json:"timeZone,omitempty"`
	CreatedAt      time.Time               `json:"webinarCreationDate,omitzero"`
	UpdatedAt      time.Time               `json:"updatedAt,omitzero"` // timestamp of the newest event applied

	Registrants int `json:"registrants"` // distinct registrants
	Joined      int `json:"joined"`      // distinct registrants with at least one join
	Joins       int `json:"joins"`       // join events
	Attended    int `json:"attended"`    // distinct registrants GoTo's attendance report lists (catch-up sync)
}

// Present is how many registrants were there: the joins webhooks told us
// of, or GoTo's attendance report when it knows more (a session held while
// webinarsync was not running).
func (w Webinar) Present() int { return max(w.Joined, w.Attended) }

// Registrant is the latest known state of one registrant of one webinar.
type Registrant struct {
	WebinarKey    string `json:"webinarKey"`
	RegistrantKey string `json:"registrantKey"`
	gotowebinar.Profile
	Status             string                 `json:"status,omitempty"`
	RegistrationDate   time.Time              `json:"registrationDate,omitzero"`
	RegistrationSource string                 `json:"registrationSource,omitempty"`
	JoinURL            string                 `json:"joinUrl,omitempty"`
	Responses          []gotowebinar.Response `json:"responses,omitempty"`
	Joins              int                    `json:"joins"`
	FirstJoinTime      time.Time              `json:"firstJoinTime,omitzero"`
	LastJoinTime       time.Time              `json:"lastJoinTime,omitzero"`
	UpdatedAt          time.Time              `json:"updatedAt,omitzero"`

	// Attendance as GoTo's REST API reports it (see merge.go), over every
	// session: whether they attended, for how long, first join, last leave.
	Attended                bool      `json:"attended,omitempty"`
	AttendanceTimeInSeconds int64     `json:"attendanceTimeInSeconds,omitempty"`
	JoinTime                time.Time `json:"joinTime,omitzero"`
	LeaveTime               time.Time `json:"leaveTime,omitzero"`
}

// Joined reports whether the registrant joined any session.
func (r Registrant) Joined() bool { return r.Joins > 0 }

// Join is one registrant.joined event.
type Join struct {
	EventKey      string    `json:"eventKey"`
	WebinarKey    string    `json:"webinarKey"`
	SessionKey    string    `json:"sessionKey"`
	RegistrantKey string    `json:"registrantKey"`
	FirstName     string    `json:"firstName"`
	LastName      string    `json:"lastName"`
	Email         string    `json:"email"`
	JoinTime      time.Time `json:"joinTime"`
	// Seq is the log seq of the delivery that brought the join, filled
	// when reading (not stored in the join record): live views use it as
	// their position in the stream of joins.
	Seq uint64 `json:"seq,omitempty"`
}

// LogEntry is one stored delivery, as received.
type LogEntry struct {
	Seq uint64 `json:"seq"` // increasing with arrival
	// Provider is who delivered it: "" for GoTo (every record written
	// before a second provider), else the provider's name (ProviderEvent),
	// and then EventKey and WebinarKey are namespaced by ProviderKey.
	Provider     string    `json:"provider,omitempty"`
	EventKey     string    `json:"eventKey"`
	EventName    string    `json:"eventName"`
	WebinarKey   string    `json:"webinarKey,omitempty"`
	ReceivedAt   time.Time `json:"receivedAt"`
	ForwardedFor string    `json:"forwardedFor,omitempty"`
	// Tombstone says why and when Raw was replaced by a small tombstone
	// (a person erased, a webinar deleted, or retention); nil while Raw is
	// as received. The record itself stays, so its eventKey still dedupes.
	Tombstone *Tombstone `json:"tombstone,omitempty"`
	// Join is another provider's join as the views take it (ProviderEvent);
	// gone with the body when the record is tombstoned.
	Join *record.Join    `json:"join,omitempty"`
	Raw  json.RawMessage `json:"raw"`
}

// Counts are totals across all webinars.
type Counts struct {
	Webinars    int `json:"webinars"`
	Registrants int `json:"registrants"`
	Joins       int `json:"joins"`
	Events      int `json:"events"`
}

// SecretKey is a webhook secret key GoTo signs deliveries with.
type SecretKey struct {
	ID        string    `json:"id"`
	Value     string    `json:"value"`
	ValidFrom time.Time `json:"validFrom,omitzero"`
}

// Registrant sort orders.
const (
	SortRegisteredDesc = "registered_desc" // newest registration first (default)
	SortRegisteredAsc  = "registered_asc"
)

// RegistrantQuery selects one page of a webinar's registrants.
type RegistrantQuery struct {
	Search string // case-insensitive substring of name, email or organization
	Status string // exact registrant status (case-insensitive); "" = any
	Sort   string // SortRegisteredDesc (default) or SortRegisteredAsc
	Offset int
	Limit  int // 0 means 50
	// NotJoined keeps only the no-shows: registrants with no join to
	// Session, or to any session when Session is "".
	NotJoined bool
	Session   string
}

// EventQuery selects one page of the event log, newest first.
type EventQuery struct {
	Name   string // eventName filter; "" = all
	Before uint64 // only entries with Seq < Before; 0 = from the newest
	Limit  int    // 0 means 50
}
