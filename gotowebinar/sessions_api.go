package gotowebinar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
)

// Session is one past (or running) session of a webinar, as GoTo's
// sessions listing describes it (ReportingSession).
type Session struct {
	SessionKey          Key    `json:"sessionKey"`
	WebinarKey          Key    `json:"webinarKey"`
	WebinarName         string `json:"webinarName,omitempty"`
	WebinarID           string `json:"webinarID,omitempty"`
	StartTime           Time   `json:"startTime"`
	EndTime             Time   `json:"endTime"`
	RegistrantsAttended int    `json:"registrantsAttended"`
	RegistrantCount     int    `json:"registrantCount,omitempty"`
	TimeZone            string `json:"timeZone,omitempty"`
	ExperienceType      string `json:"experienceType,omitempty"`
}

// Attendee is one registrant's attendance of one session.
type Attendee struct {
	RegistrantKey           Key                  `json:"registrantKey"`
	SessionKey              Key                  `json:"sessionKey"`
	FirstName               string               `json:"firstName"`
	LastName                string               `json:"lastName"`
	Email                   string               `json:"email"`
	AttendanceTimeInSeconds int64                `json:"attendanceTimeInSeconds"`
	Attendance              []AttendanceInterval `json:"attendance"`
}

// AttendanceInterval is one stretch between joining and leaving.
type AttendanceInterval struct {
	JoinTime  Time `json:"joinTime"`
	LeaveTime Time `json:"leaveTime"`
}

// UnmarshalJSON reads attendanceTimeInSeconds whether GoTo sends it whole,
// with a fraction, or as text.
func (a *Attendee) UnmarshalJSON(b []byte) error {
	type plain Attendee
	var raw struct {
		plain
		AttendanceTimeInSeconds json.RawMessage `json:"attendanceTimeInSeconds"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("attendee: %w", err)
	}
	*a = Attendee(raw.plain)
	s, err := scalarText(raw.AttendanceTimeInSeconds)
	if err != nil {
		return fmt.Errorf("attendee: attendanceTimeInSeconds: %w", err)
	}
	if s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f > math.MaxInt32 {
			return fmt.Errorf("attendee: attendanceTimeInSeconds %q is not a number of seconds", s)
		}
		a.AttendanceTimeInSeconds = int64(f)
	}
	return nil
}

func sessionPath(organizerKey, webinarKey, sessionKey Key) (string, error) {
	p, err := webinarPath(organizerKey, webinarKey)
	if err != nil {
		return "", err
	}
	if sessionKey == "" {
		return "", errors.New("gotowebinar: no session key given")
	}
	return p + "/sessions/" + url.PathEscape(string(sessionKey)), nil
}

// SessionPage is one page of a webinar's sessions.
type SessionPage struct {
	Sessions []Session
	Page     PageInfo
}

// SessionsPage returns one page (from 0) of a webinar's past sessions.
func (c *Client) SessionsPage(ctx context.Context, organizerKey, webinarKey Key, page, size int) (SessionPage, error) {
	p, err := webinarPath(organizerKey, webinarKey)
	if err != nil {
		return SessionPage{}, err
	}
	path := p + "/sessions"
	q := url.Values{"page": {strconv.Itoa(page)}, "size": {strconv.Itoa(min(max(size, 1), MaxPageSize))}}
	raw, err := c.send(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return SessionPage{}, err
	}
	var out SessionPage
	if out.Sessions, out.Page, err = decodePage[Session](raw, "sessionInfoResources"); err != nil {
		return SessionPage{}, fmt.Errorf("gotowebinar: GET %s: GoTo's answer is not a page of sessions: %w", path, err)
	}
	return out, nil
}

// ListSessions lists every past session of a webinar, walking all pages.
func (c *Client) ListSessions(ctx context.Context, organizerKey, webinarKey Key) ([]Session, error) {
	var all []Session
	seen := map[Key]bool{}
	for page := 0; page < maxPages; page++ {
		p, err := c.SessionsPage(ctx, organizerKey, webinarKey, page, c.pageSize)
		if err != nil {
			return nil, err
		}
		for _, s := range p.Sessions {
			if !seen[s.SessionKey] {
				seen[s.SessionKey] = true
				all = append(all, s)
			}
		}
		if p.Page.last(page, len(p.Sessions)) {
			break
		}
	}
	return all, nil
}

// ListSessionAttendees lists who attended a session, with their join and
// leave times. GoTo answers with a bare array, unpaged.
func (c *Client) ListSessionAttendees(ctx context.Context, organizerKey, webinarKey, sessionKey Key) ([]Attendee, error) {
	p, err := sessionPath(organizerKey, webinarKey, sessionKey)
	if err != nil {
		return nil, err
	}
	path := p + "/attendees"
	raw, err := c.send(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, err
	}
	out, err := decodeList[Attendee](raw, "attendees")
	if err != nil {
		return nil, fmt.Errorf("gotowebinar: GET %s: GoTo's answer is not a list of attendees: %w", path, err)
	}
	for i := range out {
		if out[i].SessionKey == "" {
			out[i].SessionKey = sessionKey
		}
	}
	return out, nil
}

// AttendeePage is one page of the attendees of all of a webinar's
// sessions: a row per registrant and session.
type AttendeePage struct {
	Attendees []Attendee
	Page      PageInfo
}

// WebinarAttendeesPage returns one page (from 0) of who attended any
// session of a webinar (getAttendeesForAllWebinarSessions), each row
// naming its session. A GoTo without this listing answers 404 or 405;
// ListSessionAttendees asks session by session instead.
func (c *Client) WebinarAttendeesPage(ctx context.Context, organizerKey, webinarKey Key, page, size int) (AttendeePage, error) {
	p, err := webinarPath(organizerKey, webinarKey)
	if err != nil {
		return AttendeePage{}, err
	}
	path := p + "/attendees"
	q := url.Values{"page": {strconv.Itoa(page)}, "size": {strconv.Itoa(min(max(size, 1), MaxPageSize))}}
	raw, err := c.send(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return AttendeePage{}, err
	}
	var out AttendeePage
	if out.Attendees, out.Page, err = decodePage[Attendee](raw, "attendeeParticipationResponses"); err != nil {
		return AttendeePage{}, fmt.Errorf("gotowebinar: GET %s: GoTo's answer is not a page of attendees: %w", path, err)
	}
	return out, nil
}

// Last reports whether page number is the listing's last one.
func (p AttendeePage) Last(number int) bool { return p.Page.last(number, len(p.Attendees)) }

// ListWebinarAttendees lists who attended each session of a webinar,
// walking all pages: one row per registrant and session.
func (c *Client) ListWebinarAttendees(ctx context.Context, organizerKey, webinarKey Key) ([]Attendee, error) {
	var all []Attendee
	type row struct{ session, registrant Key }
	seen := map[row]bool{}
	for page := 0; page < maxPages; page++ {
		p, err := c.WebinarAttendeesPage(ctx, organizerKey, webinarKey, page, c.pageSize)
		if err != nil {
			return nil, err
		}
		for _, a := range p.Attendees {
			// A session ending while we page shifts the rest.
			if k := (row{a.SessionKey, a.RegistrantKey}); !seen[k] {
				seen[k] = true
				all = append(all, a)
			}
		}
		if p.Last(page) {
			break
		}
	}
	return all, nil
}

// GetSessionAttendee returns one registrant's attendance of a session.
func (c *Client) GetSessionAttendee(ctx context.Context, organizerKey, webinarKey, sessionKey, registrantKey Key) (Attendee, error) {
	p, err := sessionPath(organizerKey, webinarKey, sessionKey)
	if err != nil {
		return Attendee{}, err
	}
	if registrantKey == "" {
		return Attendee{}, errors.New("gotowebinar: no registrant key given")
	}
	var a Attendee
	if err := c.call(ctx, http.MethodGet, p+"/attendees/"+url.PathEscape(string(registrantKey)), nil, nil, &a); err != nil {
		return Attendee{}, err
	}
	if a.SessionKey == "" {
		a.SessionKey = sessionKey
	}
	if a.RegistrantKey == "" {
		a.RegistrantKey = registrantKey
	}
	return a, nil
}

// GetWebhook returns one of the application's webhooks.
func (c *Client) GetWebhook(ctx context.Context, webhookKey Key) (Webhook, error) {
	if webhookKey == "" {
		return Webhook{}, errors.New("gotowebinar: no webhook key given")
	}
	var w Webhook
	err := c.call(ctx, http.MethodGet, "/webhooks/"+url.PathEscape(string(webhookKey)), nil, nil, &w)
	return w, err
}

// GetUserSubscription returns one of the organizer's subscriptions.
func (c *Client) GetUserSubscription(ctx context.Context, userSubscriptionKey Key) (UserSubscription, error) {
	if userSubscriptionKey == "" {
		return UserSubscription{}, errors.New("gotowebinar: no user subscription key given")
	}
	var s UserSubscription
	err := c.call(ctx, http.MethodGet, "/userSubscriptions/"+url.PathEscape(string(userSubscriptionKey)), nil, nil, &s)
	return s, err
}
