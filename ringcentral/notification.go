package ringcentral

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is which of the four webinar event filters a notification came by.
type Kind string

// The four webinar event filters, and what a notification by none of them is.
const (
	KindSessions          Kind = "sessions"           // /webinar/configuration/v1/company/sessions
	KindSessionState      Kind = "session_state"      // /webinar/runtime/v1/company/sessions/state
	KindRegistrationState Kind = "registration_state" // /webinar/registration/v1/company/sessions/state
	KindRegistrants       Kind = "registrants"        // /webinar/registration/v1/company/sessions/registrants
	KindUnknown           Kind = "unknown"
)

// Kinds lists the four known kinds, in the order the seed lists their filters.
func Kinds() []Kind {
	return []Kind{KindSessions, KindSessionState, KindRegistrationState, KindRegistrants}
}

// Filter is the event filter a subscription names to receive k, without
// query parameters; "" for KindUnknown.
func (k Kind) Filter() string {
	switch k {
	case KindSessions:
		return "/webinar/configuration/v1/company/sessions"
	case KindSessionState:
		return "/webinar/runtime/v1/company/sessions/state"
	case KindRegistrationState:
		return "/webinar/registration/v1/company/sessions/state"
	case KindRegistrants:
		return "/webinar/registration/v1/company/sessions/registrants"
	}
	return ""
}

// KindOf tells which filter an event came by. Whether RingCentral echoes
// the filter with its query (?webinarId=…) or a normalized path is not
// documented, so it matches by path prefix at a segment boundary, ignoring
// the query, a scheme and host, a trailing slash and letter case.
func KindOf(event string) Kind {
	path, _, _ := strings.Cut(event, "?")
	path, _, _ = strings.Cut(path, "#")
	if _, rest, ok := strings.Cut(path, "://"); ok {
		path = "/"
		if _, p, ok := strings.Cut(rest, "/"); ok {
			path += p
		}
	}
	path = strings.ToLower(strings.TrimRight(path, "/"))
	for _, k := range Kinds() {
		f := k.Filter()
		if strings.HasPrefix(path, f) && (len(path) == len(f) || path[len(f)] == '/') {
			return k
		}
	}
	return KindUnknown
}

// Notification is one webinar notification as RingCentral delivers it: the
// documented envelope, and the ids found in its undocumented body.
type Notification struct {
	UUID           string // RingCentral's, or "sha256:…" of the body when it sent none
	Event          string // the event filter it came by, as sent
	Kind           Kind
	Timestamp      time.Time // when RingCentral sent it; zero when unreadable
	SubscriptionID string
	OwnerID        string

	// Found in the body, "" when absent. RingCentral does not document the
	// bodies, so these are hints to confirm by REST.
	WebinarID, SessionID, RegistrantID string
	SessionStatus                      string // Scheduled | Active | Finished when the body says

	Raw json.RawMessage // the whole request body, byte for byte

	// Undecoded says why only the envelope was read (an unknown event, a
	// body without the ids its kind needs, an id of an odd shape); "" when
	// read in full. When set, the body's fields above are all "".
	Undecoded string
}

// Delivery is a verified notification with what the receiver saw of its arrival.
type Delivery struct {
	Notification
	ReceivedAt   time.Time
	ForwardedFor string // X-Forwarded-For added by the tunnel, if any
}

// ErrMalformed marks a body that is not a JSON object.
var ErrMalformed = errors.New("malformed notification")

// maxNotificationIDLen bounds an id we may index by: RingCentral's are
// digits or UUIDs, and the database refuses keys past 32 KiB, which would
// make a delivery fail for ever.
const maxNotificationIDLen = 128

// maxEventLen bounds the event text kept: filters are under 100 characters.
const maxEventLen = 1024

// DecodeNotification parses a delivery body. It fails (wrapping
// ErrMalformed) only when the body is not a JSON object: an unknown event,
// or a body it cannot read, still gives a Notification with the envelope
// and Raw set and Undecoded saying why, since a notification we refused
// would be lost. One without a uuid gets one derived from its body, so its
// redeliveries still de-duplicate.
func DecodeNotification(body []byte) (*Notification, error) {
	// JSON's own whitespace only: Raw must stay valid JSON for the store.
	trimmed := bytes.Trim(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: body is not a JSON object", ErrMalformed)
	}
	if !json.Valid(trimmed) {
		return nil, fmt.Errorf("%w: body is not valid JSON", ErrMalformed)
	}
	var env struct {
		UUID           json.RawMessage `json:"uuid"`
		Event          json.RawMessage `json:"event"`
		Timestamp      json.RawMessage `json:"timestamp"`
		SubscriptionID json.RawMessage `json:"subscriptionId"`
		OwnerID        json.RawMessage `json:"ownerId"`
		Body           json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	n := &Notification{
		Raw:            json.RawMessage(bytes.Clone(body)),
		UUID:           envelopeText(env.UUID, maxNotificationIDLen),
		Event:          envelopeText(env.Event, maxEventLen),
		Timestamp:      notificationTime(env.Timestamp),
		SubscriptionID: envelopeText(env.SubscriptionID, maxNotificationIDLen),
		OwnerID:        envelopeText(env.OwnerID, maxNotificationIDLen),
	}
	n.Kind = KindOf(n.Event)
	if err := n.readBody(env.Body); err != nil {
		n.WebinarID, n.SessionID, n.RegistrantID, n.SessionStatus = "", "", "", ""
		n.Undecoded = fmt.Sprintf("%s kept as received, not applied: %v", n.Kind, err)
	}
	if n.UUID == "" {
		sum := sha256.Sum256(trimmed)
		n.UUID = "sha256:" + hex.EncodeToString(sum[:16])
	}
	return n, nil
}

// notificationBody holds every place of the body an id may be in.
type notificationBody struct {
	ID           json.RawMessage `json:"id"`
	SessionID    json.RawMessage `json:"sessionId"`
	WebinarID    json.RawMessage `json:"webinarId"`
	RegistrantID json.RawMessage `json:"registrantId"`
	Status       json.RawMessage `json:"status"`
	Session      json.RawMessage `json:"session"`
	Webinar      json.RawMessage `json:"webinar"`
	Registrant   json.RawMessage `json:"registrant"`
}

// nestedRef is the part of a nested object (session, webinar, registrant) we read.
type nestedRef struct {
	ID     json.RawMessage `json:"id"`
	Status json.RawMessage `json:"status"`
}

// readBody fills the ids from the body, or says why it cannot: the kind is
// unknown, the body is no object, an id has an odd shape, or the ids the
// kind needs (a session; a registrant and its session) are missing.
func (n *Notification) readBody(raw json.RawMessage) error {
	if n.Kind == KindUnknown {
		if n.Event == "" {
			return errors.New("no event filter in the envelope")
		}
		return fmt.Errorf("event %.200q is not one of the four webinar filters", n.Event)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return errors.New("no body")
	}
	if raw[0] != '{' {
		return errors.New("body is not a JSON object")
	}
	var b notificationBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return fmt.Errorf("reading body: %w", err)
	}
	session, webinar, registrant := nested(b.Session), nested(b.Webinar), nested(b.Registrant)
	var err error
	if n.WebinarID, err = firstID(idPlace{"webinarId", b.WebinarID}, idPlace{"webinar.id", webinar.ID}); err != nil {
		return err
	}
	if n.Kind == KindRegistrants {
		if n.RegistrantID, err = firstID(idPlace{"registrantId", b.RegistrantID}, idPlace{"registrant.id", registrant.ID}, idPlace{"id", b.ID}); err != nil {
			return err
		}
		if n.SessionID, err = firstID(idPlace{"sessionId", b.SessionID}, idPlace{"session.id", session.ID}); err != nil {
			return err
		}
		n.SessionStatus = sessionStatus(session.Status)
		switch {
		case n.RegistrantID == "":
			return errors.New("no registrant id in the body")
		case n.SessionID == "":
			return errors.New("no session id in the body")
		}
		return nil
	}
	if n.SessionID, err = firstID(idPlace{"sessionId", b.SessionID}, idPlace{"session.id", session.ID}, idPlace{"id", b.ID}); err != nil {
		return err
	}
	if n.SessionStatus = sessionStatus(b.Status); n.SessionStatus == "" {
		n.SessionStatus = sessionStatus(session.Status)
	}
	if n.SessionID == "" {
		return errors.New("no session id in the body")
	}
	return nil
}

// nested reads a nested object; anything else is not the place we
// thought, so it counts as absent rather than odd.
func nested(raw json.RawMessage) nestedRef {
	var ref nestedRef
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		_ = json.Unmarshal(raw, &ref) // valid JSON already; fields stay raw
	}
	return ref
}

// idPlace is one place of the body an id may be in, named for errors.
type idPlace struct {
	name string
	raw  json.RawMessage
}

// firstID returns the first id found among places, in order. A place
// holding something that is not an id stops the search: we cannot tell
// which id RingCentral meant, so the body is not applied.
func firstID(places ...idPlace) (string, error) {
	for _, p := range places {
		id, err := idText(p.raw)
		if err != nil {
			return "", fmt.Errorf("%s: %w", p.name, err)
		}
		if id != "" {
			return id, nil
		}
	}
	return "", nil
}

// idText reads an id sent as text or as a whole number (kept digit for
// digit); null or absence is "".
func idText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var id string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &id); err != nil {
			return "", fmt.Errorf("reading id: %w", err)
		}
		id = strings.TrimSpace(id)
	} else {
		if !allDigits(string(raw)) {
			return "", fmt.Errorf("%.40s is neither text nor a whole number", raw)
		}
		id = string(raw)
	}
	if len(id) > maxNotificationIDLen {
		return "", fmt.Errorf("id longer than %d characters", maxNotificationIDLen)
	}
	return id, nil
}

// envelopeText reads an envelope field sent as text or number; anything
// else, or text longer than limit, is "": the envelope is read leniently,
// since what it lacks is derived or left blank, never refused.
func envelopeText(raw json.RawMessage, limit int) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var s string
	switch {
	case raw[0] == '"':
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		s = strings.TrimSpace(s)
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		s = string(raw) // a number: json.Valid vouched for it
	}
	if len(s) > limit {
		return ""
	}
	return s
}

// sessionStatus reads a session status, in RingCentral's spelling, from
// any letter case; anything else (a runtimeStatus, a number) is "".
func sessionStatus(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	for _, known := range [...]string{"Scheduled", "Active", "Finished"} {
		if strings.EqualFold(strings.TrimSpace(s), known) {
			return known
		}
	}
	return ""
}

// notificationTime reads a time sent as ISO-8601 text or as Unix
// milliseconds (a number or a digit string); zero when it is neither, or
// outside years 1 to 9999, which no RFC 3339 text can hold.
func notificationTime(raw json.RawMessage) time.Time {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}
	}
	text := string(raw)
	if raw[0] == '"' {
		if json.Unmarshal(raw, &text) != nil {
			return time.Time{}
		}
		text = strings.TrimSpace(text)
	}
	var t time.Time
	if whole, _, _ := strings.Cut(text, "."); allDigits(whole) {
		ms, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return time.Time{}
		}
		t = time.UnixMilli(ms).UTC()
	} else {
		t = parseISOTime(text)
	}
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}
	}
	return t
}

// parseISOTime accepts RFC 3339 and its common relatives (no colon in
// the offset, or no zone at all, read as UTC).
func parseISOTime(s string) time.Time {
	for _, layout := range [...]string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07:00",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
