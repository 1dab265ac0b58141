package ringcentral

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The catch-up reads: webinars and sessions (configuration service),
// registration sessions and registrants (registration service), past
// sessions and participants (history service). Every one is in the Heavy
// rate-limit group. Only the fields a registrant export and the live
// board need are kept; IDs are opaque strings.

// SessionStatus is a session's state.
type SessionStatus string

// RingCentral's session states.
const (
	SessionScheduled SessionStatus = "Scheduled"
	SessionActive    SessionStatus = "Active" // live now (or in practice)
	SessionFinished  SessionStatus = "Finished"
)

// Webinar is a webinar hosted by the logged-in user.
type Webinar struct {
	ID                  string
	Title               string
	Description         string
	HostUserID          string
	HostAccountID       string
	RegistrationEnabled bool
	CreationTime        time.Time
	LastModifiedTime    time.Time
}

// UnmarshalJSON reads WcsWebinarResource; the host's ids may sit on host
// itself or on host.linkedUser.
func (w *Webinar) UnmarshalJSON(b []byte) error {
	var v struct {
		ID, Title, Description         string
		CreationTime, LastModifiedTime flexTime
		Settings                       struct{ RegistrationEnabled bool }
		Host                           hostJSON
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("a webinar: %w", err)
	}
	*w = Webinar{ID: v.ID, Title: v.Title, Description: v.Description,
		HostUserID: v.Host.userID(), HostAccountID: v.Host.accountID(),
		RegistrationEnabled: v.Settings.RegistrationEnabled,
		CreationTime:        v.CreationTime.Time(), LastModifiedTime: v.LastModifiedTime.Time()}
	return nil
}

type hostJSON struct {
	UserID, AccountID string
	LinkedUser        struct{ UserID, AccountID string }
}

func (h hostJSON) userID() string {
	if h.UserID != "" {
		return h.UserID
	}
	return h.LinkedUser.UserID
}

func (h hostJSON) accountID() string {
	if h.AccountID != "" {
		return h.AccountID
	}
	return h.LinkedUser.AccountID
}

// Session is one session of a webinar (RingCentral allows one per webinar
// for now, but the API is shaped for more).
type Session struct {
	ID                 string
	WebinarID          string
	WebinarTitle       string // only from a listing
	Title              string
	Description        string
	Status             SessionStatus
	ScheduledStartTime time.Time
	ScheduledDuration  time.Duration
	TimeZone           string
	AttendeeJoinURI    string // only from a single get
	CreationTime       time.Time
	LastModifiedTime   time.Time
}

// UnmarshalJSON reads SessionGlobalListEntry or WcsSessionResource.
func (s *Session) UnmarshalJSON(b []byte) error {
	var v struct {
		ID, WebinarID, Title, Description, Status, TimeZone, AttendeeJoinURI string
		Webinar                                                              struct{ ID, Title string }
		ScheduledStartTime, CreationTime, LastModifiedTime                   flexTime
		ScheduledDuration                                                    flexSeconds
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("a session: %w", err)
	}
	webinarID := v.Webinar.ID
	if webinarID == "" {
		webinarID = v.WebinarID
	}
	*s = Session{ID: v.ID, WebinarID: webinarID, WebinarTitle: v.Webinar.Title, Title: v.Title,
		Description: v.Description, Status: SessionStatus(v.Status),
		ScheduledStartTime: v.ScheduledStartTime.Time(), ScheduledDuration: time.Duration(v.ScheduledDuration),
		TimeZone: v.TimeZone, AttendeeJoinURI: v.AttendeeJoinURI,
		CreationTime: v.CreationTime.Time(), LastModifiedTime: v.LastModifiedTime.Time()}
	return nil
}

// RegistrationSession is a session's registration settings and counts.
type RegistrationSession struct {
	ID                  string
	RegistrationStatus  string // Open or Closed
	RegistrantCount     int
	HasRealRegistrants  bool
	RegistrationPageURI string
}

// UnmarshalJSON reads RegSessionModel.
func (r *RegistrationSession) UnmarshalJSON(b []byte) error {
	var v struct {
		ID, RegistrationStatus string
		RegistrantCount        int
		HasRealRegistrants     bool
		RegistrationPageURI    string
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("a registration session: %w", err)
	}
	*r = RegistrationSession(v)
	return nil
}

// Registrant is a person registered for a session.
type Registrant struct {
	ID                    string
	SessionID             string // the session asked about; RingCentral's record does not repeat it
	FirstName, LastName   string
	Email                 string
	RegistrationTime      time.Time
	CreationTime          time.Time
	LastModifiedTime      time.Time
	JoinURI               string
	ExternalID            string
	Source                string
	ParticipantID         string // set once the registrant attended
	RegisteredPostWebinar bool
	Questionnaire         []Answer
}

// Answer is a registrant's answer to a registration question.
type Answer struct {
	QuestionID string   `json:"questionId"`
	AnswerIDs  []string `json:"answerIds"`
	AnswerText string   `json:"answerText"`
}

// Attended reports whether the registrant joined the session: RingCentral
// gives a participantId to those who did.
func (r Registrant) Attended() bool { return r.ParticipantID != "" }

// UnmarshalJSON reads RegistrantModelWithQuestionnaire.
func (r *Registrant) UnmarshalJSON(b []byte) error {
	var v struct {
		ID, SessionID, FirstName, LastName, Email        string
		JoinURI, ExternalID, Source, ParticipantID       string
		RegistrationTime, CreationTime, LastModifiedTime flexTime
		RegisteredPostWebinar                            bool
		Questionnaire                                    []Answer
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("a registrant: %w", err)
	}
	*r = Registrant{ID: v.ID, SessionID: v.SessionID, FirstName: v.FirstName, LastName: v.LastName,
		Email: v.Email, RegistrationTime: v.RegistrationTime.Time(), CreationTime: v.CreationTime.Time(),
		LastModifiedTime: v.LastModifiedTime.Time(), JoinURI: v.JoinURI, ExternalID: v.ExternalID,
		Source: v.Source, ParticipantID: v.ParticipantID, RegisteredPostWebinar: v.RegisteredPostWebinar,
		Questionnaire: v.Questionnaire}
	return nil
}

// HistorySession is a session as the history service tells it: when it
// really ran, and how many came.
type HistorySession struct {
	ID                  string
	WebinarID           string
	Title               string
	Status              SessionStatus
	RuntimeStatus       string // Practice, GoingLive, Live, Break, Debrief; only while Active
	ScheduledStartTime  time.Time
	StartTime, EndTime  time.Time
	Duration            time.Duration
	ParticipantCount    int
	AttendeeCount       int
	UniqueAttendeeCount int
}

// UnmarshalJSON reads HistorySessionResource or SessionGlobalResource.
func (h *HistorySession) UnmarshalJSON(b []byte) error {
	var v struct {
		ID, WebinarID, Title, Status, RuntimeStatus          string
		Webinar                                              struct{ ID string }
		ScheduledStartTime, StartTime, EndTime               flexTime
		Duration                                             flexSeconds
		ParticipantCount, AttendeeCount, UniqueAttendeeCount int
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("a past session: %w", err)
	}
	webinarID := v.Webinar.ID
	if webinarID == "" {
		webinarID = v.WebinarID
	}
	*h = HistorySession{ID: v.ID, WebinarID: webinarID, Title: v.Title, Status: SessionStatus(v.Status),
		RuntimeStatus: v.RuntimeStatus, ScheduledStartTime: v.ScheduledStartTime.Time(),
		StartTime: v.StartTime.Time(), EndTime: v.EndTime.Time(), Duration: time.Duration(v.Duration),
		ParticipantCount: v.ParticipantCount, AttendeeCount: v.AttendeeCount, UniqueAttendeeCount: v.UniqueAttendeeCount}
	return nil
}

// Participant is someone who joined a session. JoinTime is the earliest
// join and LeaveTime the latest leave; rejoin gaps are not reported.
type Participant struct {
	ID                  string
	FirstName, LastName string
	Email               string
	Role, OriginalRole  string // Attendee, Panelist, CoHost, Host
	Type                string // User or Room
	RegistrantID        string // "" for those who joined without registering
	JoinTime, LeaveTime time.Time
	WasEjected          bool
}

// Name is first and last name joined: RingCentral sends no display name.
func (p Participant) Name() string { return strings.TrimSpace(p.FirstName + " " + p.LastName) }

// UnmarshalJSON reads ParticipantExtendedModel.
func (p *Participant) UnmarshalJSON(b []byte) error {
	var v struct {
		ID, FirstName, LastName, Email, Role, OriginalRole, Type, RegistrantID string
		JoinTime, LeaveTime                                                    flexTime
		WasEjected                                                             bool
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("a participant: %w", err)
	}
	*p = Participant{ID: v.ID, FirstName: v.FirstName, LastName: v.LastName, Email: v.Email,
		Role: v.Role, OriginalRole: v.OriginalRole, Type: v.Type, RegistrantID: v.RegistrantID,
		JoinTime: v.JoinTime.Time(), LeaveTime: v.LeaveTime.Time(), WasEjected: v.WasEjected}
	return nil
}

// Webinars lists the webinars the logged-in user hosts.
func (c *Client) Webinars(ctx context.Context) ([]Webinar, error) {
	return listAll[Webinar](ctx, c, request{method: "GET", path: "/webinar/configuration/v1/webinars", group: GroupHeavy})
}

// Webinar gets one webinar.
func (c *Client) Webinar(ctx context.Context, webinarID string) (Webinar, error) {
	var w Webinar
	err := c.call(ctx, request{method: "GET", group: GroupHeavy,
		path: "/webinar/configuration/v1/webinars/" + url.PathEscape(webinarID)}, &w)
	return w, err
}

// Sessions lists the sessions of the user's webinars, or of one webinar
// when webinarID is set: RingCentral has no per-webinar listing, so the
// filtering is done here.
func (c *Client) Sessions(ctx context.Context, webinarID string) ([]Session, error) {
	var out []Session
	err := eachPage(ctx, c, request{method: "GET", path: "/webinar/configuration/v1/sessions", group: GroupHeavy},
		func(s Session) error {
			if webinarID == "" || s.WebinarID == webinarID {
				out = append(out, s)
			}
			return nil
		})
	return out, err
}

// Session gets one session of a webinar.
func (c *Client) Session(ctx context.Context, webinarID, sessionID string) (Session, error) {
	var s Session
	err := c.call(ctx, request{method: "GET", group: GroupHeavy,
		path: "/webinar/configuration/v1/webinars/" + url.PathEscape(webinarID) + "/sessions/" + url.PathEscape(sessionID)}, &s)
	if s.WebinarID == "" {
		s.WebinarID = webinarID
	}
	return s, err
}

// RegistrationSession gets a session's registration settings and counts.
func (c *Client) RegistrationSession(ctx context.Context, sessionID string) (RegistrationSession, error) {
	var r RegistrationSession
	err := c.call(ctx, request{method: "GET", group: GroupHeavy,
		path: "/webinar/registration/v1/sessions/" + url.PathEscape(sessionID)}, &r)
	return r, err
}

// EachRegistrant calls each for every registrant of a session, page by
// page, with their answers when includeQuestionnaire is set.
func (c *Client) EachRegistrant(ctx context.Context, sessionID string, includeQuestionnaire bool, each func(Registrant) error) error {
	r := request{method: "GET", group: GroupHeavy,
		path:  "/webinar/registration/v1/sessions/" + url.PathEscape(sessionID) + "/registrants",
		query: url.Values{"includeQuestionnaire": {strconv.FormatBool(includeQuestionnaire)}}}
	return eachPage(ctx, c, r, func(reg Registrant) error {
		if reg.SessionID == "" {
			reg.SessionID = sessionID
		}
		return each(reg)
	})
}

// Registrants lists every registrant of a session.
func (c *Client) Registrants(ctx context.Context, sessionID string, includeQuestionnaire bool) ([]Registrant, error) {
	var out []Registrant
	err := c.EachRegistrant(ctx, sessionID, includeQuestionnaire, func(r Registrant) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// HistorySession gets a session as it ran. Only its host or co-host may.
func (c *Client) HistorySession(ctx context.Context, webinarID, sessionID string) (HistorySession, error) {
	var h HistorySession
	err := c.call(ctx, request{method: "GET", group: GroupHeavy,
		path: "/webinar/history/v1/webinars/" + url.PathEscape(webinarID) + "/sessions/" + url.PathEscape(sessionID)}, &h)
	if h.WebinarID == "" {
		h.WebinarID = webinarID
	}
	return h, err
}

// Participants lists who joined a session (the live board polls it:
// RingCentral sends no join events).
func (c *Client) Participants(ctx context.Context, webinarID, sessionID string) ([]Participant, error) {
	return listAll[Participant](ctx, c, request{method: "GET", group: GroupHeavy,
		path: "/webinar/history/v1/webinars/" + url.PathEscape(webinarID) + "/sessions/" + url.PathEscape(sessionID) + "/participants"})
}

// flexTime is a time RingCentral documents as ISO 8601 text; Unix
// milliseconds (as a number or as digits in a string) are read too, and
// null or "" is the zero time.
type flexTime time.Time

func (t flexTime) Time() time.Time { return time.Time(t) }

func (t *flexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
	}
	if ms, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsInf(ms, 0) || math.IsNaN(ms) {
			return fmt.Errorf("time %s is not a time", s)
		}
		*t = flexTime(time.UnixMilli(int64(ms)).UTC())
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"} {
		if v, err := time.Parse(layout, s); err == nil {
			*t = flexTime(v)
			return nil
		}
	}
	return fmt.Errorf("time %q is neither ISO 8601 nor Unix milliseconds", s)
}

// flexSeconds is a whole number of seconds, as a number or as digits.
type flexSeconds time.Duration

func (d *flexSeconds) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "" || s == "null" {
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("%s is not a number of seconds", b)
	}
	*d = flexSeconds(time.Duration(n * float64(time.Second)))
	return nil
}
