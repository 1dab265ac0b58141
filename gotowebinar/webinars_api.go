package gotowebinar

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Webinar is a webinar as GoTo's REST API describes it: the listing's
// Webinar and the single GET's WebinarByKey, which name a few fields
// differently.
type Webinar struct {
	WebinarKey          Key         `json:"webinarKey"`
	WebinarID           string      `json:"webinarID,omitempty"`
	OrganizerKey        Key         `json:"organizerKey,omitempty"`
	AccountKey          Key         `json:"accountKey,omitempty"`
	Subject             string      `json:"subject"`
	Description         string      `json:"description,omitempty"`
	Times               []TimeRange `json:"times,omitempty"`
	TimeZone            string      `json:"timeZone,omitempty"`
	Locale              string      `json:"locale,omitempty"`
	ApprovalType        string      `json:"approvalType,omitempty"`
	RegistrationURL     string      `json:"registrationUrl,omitempty"`
	Impromptu           bool        `json:"impromptu,omitempty"`
	IsPasswordProtected bool        `json:"isPasswordProtected,omitempty"`
	RecurrenceType      string      `json:"recurrenceType,omitempty"` // single_session, series or sequence
	RecurrenceKey       Key         `json:"recurrenceKey,omitempty"`
	ExperienceType      string      `json:"experienceType,omitempty"`
	InSession           bool        `json:"inSession,omitempty"`
	NumberOfRegistrants int         `json:"numberOfRegistrants,omitempty"`
	OrganizerName       string      `json:"organizerName,omitempty"`
	OrganizerEmail      string      `json:"organizerEmail,omitempty"`
}

// UnmarshalJSON reads either shape: the recurrence type as recurrenceType
// (listing), type or recurrencePeriod (WebinarByKey); keys as numbers or text.
func (w *Webinar) UnmarshalJSON(b []byte) error {
	type plain Webinar
	var raw struct {
		plain
		Type             string `json:"type"`
		RecurrencePeriod string `json:"recurrencePeriod"`
		WebinarId        string `json:"webinarId"` // GoTo spells it both ways
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("webinar: %w", err)
	}
	*w = Webinar(raw.plain)
	w.RecurrenceType = cmp.Or(w.RecurrenceType, raw.Type, raw.RecurrencePeriod)
	w.WebinarID = cmp.Or(w.WebinarID, raw.WebinarId)
	return nil
}

// Period is a start and an end as GoTo's requests take them (DateTimeRange).
type Period struct {
	StartTime time.Time
	EndTime   time.Time
}

// MarshalJSON writes ISO-8601 UTC to the second, as GoTo's examples do.
func (p Period) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{
		"startTime": p.StartTime.UTC().Format(time.RFC3339),
		"endTime":   p.EndTime.UTC().Format(time.RFC3339),
	})
}

// NewWebinar is a webinar to create (the spec's WebinarReqCreate).
type NewWebinar struct {
	Subject             string   `json:"subject"`
	Description         string   `json:"description,omitempty"`
	Times               []Period `json:"times,omitempty"`
	TimeZone            string   `json:"timeZone,omitempty"`
	Type                string   `json:"type,omitempty"` // single_session (default), series or sequence
	Locale              string   `json:"locale,omitempty"`
	IsPasswordProtected bool     `json:"isPasswordProtected,omitempty"`
	ExperienceType      string   `json:"experienceType,omitempty"` // CLASSIC (default), BROADCAST or SIMULIVE
	IsOndemand          bool     `json:"isOndemand,omitempty"`
	IsBreakout          bool     `json:"isBreakout,omitempty"`
	RecordingAssetKey   string   `json:"recordingAssetKey,omitempty"`
	// A sequence gives its first session, a pattern and a last date instead of Times.
	RecurrenceStart   *Period `json:"recurrenceStart,omitempty"`
	RecurrencePattern string  `json:"recurrencePattern,omitempty"` // daily, weekly or monthly
	RecurrenceEnd     string  `json:"recurrenceEnd,omitempty"`     // a date, 2016-12-01
}

// CreatedWebinar is GoTo's answer to creating a webinar.
type CreatedWebinar struct {
	WebinarKey    Key `json:"webinarKey"`
	RecurrenceKey Key `json:"recurrenceKey,omitempty"`
}

// WebinarUpdate replaces a webinar's details (the spec's WebinarReqUpdate);
// empty fields are left out. Times replaces every session.
type WebinarUpdate struct {
	Subject     string   `json:"subject,omitempty"`
	Description string   `json:"description,omitempty"`
	Times       []Period `json:"times,omitempty"`
	TimeZone    string   `json:"timeZone,omitempty"`
	Locale      string   `json:"locale,omitempty"`
}

// CancelWebinarOptions tunes CancelWebinar; the zero value cancels every
// session and sends no e-mail, as GoTo's defaults do.
type CancelWebinarOptions struct {
	SendCancellationEmails bool
	OnlyThisSession        bool // of a series: deleteAll=false
}

// PageInfo is a paged listing's position (the spec's page).
type PageInfo struct {
	Size          int `json:"size"`
	TotalElements int `json:"totalElements"`
	TotalPages    int `json:"totalPages"`
	Number        int `json:"number"`
}

// last reports whether page number is the listing's last one.
func (p PageInfo) last(number, got int) bool {
	return got == 0 || number+1 >= p.TotalPages
}

// WebinarPage is one page of an organizer's webinars.
type WebinarPage struct {
	Webinars []Webinar
	Page     PageInfo
}

// maxPages stops a listing whose pages never end (a GoTo bug would
// otherwise loop for ever): 2,000 pages of 200 is 400,000 items.
const maxPages = 2000

// organizerPath is /organizers/{organizerKey}, refusing an unknown key
// rather than asking GoTo about organizer "".
func organizerPath(organizerKey Key) (string, error) {
	if organizerKey == "" {
		return "", errors.New("gotowebinar: the organizer key is not known (GoTo's login named none)")
	}
	return "/organizers/" + url.PathEscape(string(organizerKey)), nil
}

func webinarPath(organizerKey, webinarKey Key) (string, error) {
	p, err := organizerPath(organizerKey)
	if err != nil {
		return "", err
	}
	if webinarKey == "" {
		return "", errors.New("gotowebinar: no webinar key given")
	}
	return p + "/webinars/" + url.PathEscape(string(webinarKey)), nil
}

// WebinarsPage returns one page (from 0) of the organizer's webinars
// scheduled between from and to; size is capped at MaxPageSize.
func (c *Client) WebinarsPage(ctx context.Context, organizerKey Key, from, to time.Time, page, size int) (WebinarPage, error) {
	p, err := organizerPath(organizerKey)
	if err != nil {
		return WebinarPage{}, err
	}
	path := p + "/webinars"
	q := url.Values{
		"fromTime": {from.UTC().Format(time.RFC3339)},
		"toTime":   {to.UTC().Format(time.RFC3339)},
		"page":     {strconv.Itoa(page)},
		"size":     {strconv.Itoa(min(max(size, 1), MaxPageSize))},
	}
	raw, err := c.send(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return WebinarPage{}, err
	}
	var out WebinarPage
	if out.Webinars, out.Page, err = decodePage[Webinar](raw, "webinars"); err != nil {
		return WebinarPage{}, fmt.Errorf("gotowebinar: GET %s: GoTo's answer is not a page of webinars: %w", path, err)
	}
	return out, nil
}

// ListWebinars lists every webinar of the organizer scheduled between from
// and to, walking all pages.
func (c *Client) ListWebinars(ctx context.Context, organizerKey Key, from, to time.Time) ([]Webinar, error) {
	var all []Webinar
	seen := map[Key]bool{}
	for page := 0; page < maxPages; page++ {
		p, err := c.WebinarsPage(ctx, organizerKey, from, to, page, c.pageSize)
		if err != nil {
			return nil, err
		}
		for _, w := range p.Webinars {
			// A webinar created while we page shifts the rest by one.
			if !seen[w.WebinarKey] {
				seen[w.WebinarKey] = true
				all = append(all, w)
			}
		}
		if p.Page.last(page, len(p.Webinars)) {
			break
		}
	}
	return all, nil
}

// GetWebinar returns one webinar; a cancelled one is a 404 (IsNotFound).
func (c *Client) GetWebinar(ctx context.Context, organizerKey, webinarKey Key) (Webinar, error) {
	path, err := webinarPath(organizerKey, webinarKey)
	if err != nil {
		return Webinar{}, err
	}
	var w Webinar
	if err := c.call(ctx, http.MethodGet, path, nil, nil, &w); err != nil {
		return Webinar{}, err
	}
	return w, nil
}

// CreateWebinar schedules a webinar.
func (c *Client) CreateWebinar(ctx context.Context, organizerKey Key, w NewWebinar) (CreatedWebinar, error) {
	p, err := organizerPath(organizerKey)
	if err != nil {
		return CreatedWebinar{}, err
	}
	var out CreatedWebinar
	if err := c.call(ctx, http.MethodPost, p+"/webinars", nil, w, &out); err != nil {
		return CreatedWebinar{}, err
	}
	if out.WebinarKey == "" {
		return CreatedWebinar{}, fmt.Errorf("gotowebinar: POST %s/webinars: GoTo's answer has no webinarKey", p)
	}
	return out, nil
}

// UpdateWebinar changes a webinar; notify sends update e-mails to its
// registrants.
func (c *Client) UpdateWebinar(ctx context.Context, organizerKey, webinarKey Key, u WebinarUpdate, notify bool) error {
	path, err := webinarPath(organizerKey, webinarKey)
	if err != nil {
		return err
	}
	var q url.Values
	if notify {
		q = url.Values{"notifyParticipants": {"true"}}
	}
	return c.call(ctx, http.MethodPut, path, q, u, nil)
}

// CancelWebinar cancels a webinar (GoTo answers 409, IsConflict, while it
// is in session).
func (c *Client) CancelWebinar(ctx context.Context, organizerKey, webinarKey Key, o CancelWebinarOptions) error {
	path, err := webinarPath(organizerKey, webinarKey)
	if err != nil {
		return err
	}
	q := url.Values{}
	if o.SendCancellationEmails {
		q.Set("sendCancellationEmails", "true")
	}
	if o.OnlyThisSession {
		q.Set("deleteAll", "false")
	}
	return c.call(ctx, http.MethodDelete, path, q, nil, nil)
}

// decodePage reads a paged listing, {"_embedded":{field:[…]},"page":{…}}.
// GoTo leaves _embedded out when there is nothing to list.
func decodePage[T any](raw []byte, field string) ([]T, PageInfo, error) {
	raw = bytes.TrimSpace(raw)
	var page PageInfo
	if len(raw) == 0 {
		return nil, page, nil
	}
	items, err := decodeList[T](raw, field)
	if err != nil {
		return nil, page, err
	}
	if raw[0] == '{' {
		var p struct {
			Page *PageInfo `json:"page"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, page, err
		}
		if p.Page != nil {
			page = *p.Page
		}
	}
	return items, page, nil
}
