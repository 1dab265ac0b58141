package gotowebinar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"webinarsync/record"
)

// The event names GoTo Webinar delivers.
const (
	EventRegistrantAdded  = "registrant.added"
	EventRegistrantJoined = "registrant.joined"
	EventWebinarCreated   = "webinar.created"
	EventWebinarChanged   = "webinar.changed"
)

// EventNames lists the events we register webhooks for, in display order.
func EventNames() []string {
	return []string{EventRegistrantAdded, EventRegistrantJoined, EventWebinarCreated, EventWebinarChanged}
}

// Envelope holds the fields every GoTo event carries.
type Envelope struct {
	EventName    string `json:"eventName"`
	EventVersion string `json:"eventVersion,omitempty"`
	Product      string `json:"product,omitempty"`
	EventKey     Key    `json:"eventKey"`
	Timestamp    Time   `json:"timestamp"`
}

// WebinarRef holds the webinar fields that registrant events repeat.
type WebinarRef struct {
	WebinarKey        Key    `json:"webinarKey"`
	WebinarTitle      string `json:"webinarTitle,omitempty"`
	ExperienceType    string `json:"experienceType,omitempty"`
	RecurrenceType    string `json:"recurrenceType,omitempty"`
	WebinarCreatorKey Key    `json:"webinarCreatorKey,omitempty"`
}

// Profile is what registrants tell about themselves, under the names
// GoTo's events give it: the provider-neutral record.Profile, which the
// store keeps for every provider.
type Profile = record.Profile

// ProfileField is one field of a Profile.
type ProfileField = record.ProfileField

// RegistrantAdded is the registrant.added event: someone registered.
type RegistrantAdded struct {
	Envelope
	WebinarRef
	Profile
	RegistrantKey      Key       `json:"registrantKey"`
	RegistrationDate   Time      `json:"registrationDate"`
	Status             string    `json:"status,omitempty"`
	RegistrationSource string    `json:"registrationSource,omitempty"`
	JoinURL            string    `json:"joinUrl,omitempty"`
	Responses          Responses `json:"responses,omitempty"`
}

// RegistrantJoined is the registrant.joined event: a registrant entered a session.
type RegistrantJoined struct {
	Envelope
	WebinarRef
	SessionKey    Key    `json:"sessionKey"`
	RegistrantKey Key    `json:"registrantKey"`
	FirstName     string `json:"firstName"`
	LastName      string `json:"lastName"`
	Email         string `json:"email"`
	JoinTime      Time   `json:"joinTime"`
}

// WebinarEvent is webinar.created or webinar.changed; they share one shape.
type WebinarEvent struct {
	Envelope
	AccountKey          Key         `json:"accountKey,omitempty"`
	OrganizerKey        Key         `json:"organizerKey,omitempty"`
	WebinarKey          Key         `json:"webinarKey"`
	WebinarTitle        string      `json:"webinarTitle"`
	Description         string      `json:"description,omitempty"`
	ExperienceType      string      `json:"experienceType,omitempty"`
	RecurrenceType      string      `json:"recurrenceType,omitempty"`
	RecurrenceKey       Key         `json:"recurrenceKey,omitempty"`
	WebinarCreationDate Time        `json:"webinarCreationDate"`
	Status              string      `json:"status,omitempty"` // NEW, UPDATED or DELETED
	Times               []TimeRange `json:"times,omitempty"`
	StartTime           Time        `json:"startTime"`
	EndTime             Time        `json:"endTime"`
	TimeZone            string      `json:"timeZone,omitempty"`
}

// Event is one decoded delivery. Exactly one of the typed fields is set for
// a known eventName; none for an unknown one, which is still kept raw.
type Event struct {
	Envelope
	RegistrantAdded  *RegistrantAdded
	RegistrantJoined *RegistrantJoined
	Webinar          *WebinarEvent // webinar.created or webinar.changed
	Raw              json.RawMessage
	// Undecoded says why a known event was kept raw only (a field of an
	// unexpected type, a missing key); "" when it was read in full.
	Undecoded string
}

// maxKeyLen bounds a key we index by: GoTo's are about 20 digits, and the
// database refuses keys past 32 KiB, which would make a delivery fail for
// ever.
const maxKeyLen = 128

// Delivery is a verified event with what the receiver saw of its arrival.
type Delivery struct {
	Event
	ReceivedAt   time.Time
	ForwardedFor string // X-Forwarded-For added by the tunnel, if any
}

// WebinarKey returns the webinar the event is about, if any.
func (e *Event) WebinarKey() Key {
	switch {
	case e.RegistrantAdded != nil:
		return e.RegistrantAdded.WebinarKey
	case e.RegistrantJoined != nil:
		return e.RegistrantJoined.WebinarKey
	case e.Webinar != nil:
		return e.Webinar.WebinarKey
	}
	return ""
}

// ErrMalformed marks a body that is not a GoTo event we can read.
var ErrMalformed = errors.New("malformed event")

// DecodeEvent parses a delivery body. It fails (wrapping ErrMalformed) only
// when the body is not a JSON object. An unknown eventName, or a known one
// whose fields have unexpected types, decodes to an Event with only the
// envelope and Raw set (Undecoded says why for the latter). An event without an eventKey gets one derived from
// its body, so redeliveries of it still deduplicate.
func DecodeEvent(body []byte) (*Event, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: body is not a JSON object", ErrMalformed)
	}
	if !json.Valid(trimmed) {
		return nil, fmt.Errorf("%w: body is not valid JSON", ErrMalformed)
	}
	ev := &Event{Raw: json.RawMessage(bytes.Clone(trimmed)), Envelope: lenientEnvelope(trimmed)}
	var err error
	switch ev.EventName {
	case EventRegistrantAdded:
		ev.RegistrantAdded = new(RegistrantAdded)
		err = json.Unmarshal(trimmed, ev.RegistrantAdded)
		ev.Envelope = ev.RegistrantAdded.Envelope
	case EventRegistrantJoined:
		ev.RegistrantJoined = new(RegistrantJoined)
		err = json.Unmarshal(trimmed, ev.RegistrantJoined)
		ev.Envelope = ev.RegistrantJoined.Envelope
	case EventWebinarCreated, EventWebinarChanged:
		ev.Webinar = new(WebinarEvent)
		err = json.Unmarshal(trimmed, ev.Webinar)
		ev.Envelope = ev.Webinar.Envelope
	}
	if err == nil {
		if missing := ev.missingKey(); missing != "" {
			err = fmt.Errorf("no %s", missing)
		} else if long := ev.oversizedKey(); long != "" {
			err = fmt.Errorf("%s longer than %d characters", long, maxKeyLen)
		}
	}
	if err != nil {
		// Signed, valid JSON, but not in the shape we know (a number where
		// the guide says text, a key missing): keep it raw rather than
		// refuse it, since GoTo never redelivers what we answered 4xx.
		ev.RegistrantAdded, ev.RegistrantJoined, ev.Webinar = nil, nil, nil
		ev.Envelope = lenientEnvelope(trimmed)
		ev.Undecoded = fmt.Sprintf("%s kept as received, not applied: %v", ev.EventName, err)
	}
	if len(ev.EventKey) > maxKeyLen {
		ev.EventKey = "" // too long to index: derived from the body below
	}
	if ev.EventKey == "" {
		sum := sha256.Sum256(trimmed)
		ev.EventKey = Key("sha256:" + hex.EncodeToString(sum[:16]))
	}
	return ev, nil
}

// oversizedKey names a key too long to index.
func (e *Event) oversizedKey() string {
	switch {
	case e.RegistrantAdded != nil && (len(e.RegistrantAdded.WebinarKey) > maxKeyLen || len(e.RegistrantAdded.RegistrantKey) > maxKeyLen):
		return "a registrant.added key"
	case e.RegistrantJoined != nil && (len(e.RegistrantJoined.WebinarKey) > maxKeyLen || len(e.RegistrantJoined.RegistrantKey) > maxKeyLen ||
		len(e.RegistrantJoined.SessionKey) > maxKeyLen):
		return "a registrant.joined key"
	case e.Webinar != nil && len(e.Webinar.WebinarKey) > maxKeyLen:
		return "webinarKey"
	}
	return ""
}

// missingKey names the first key a known event needs but lacks: without it
// the event cannot be attached to a webinar or registrant.
func (e *Event) missingKey() string {
	switch {
	case e.RegistrantAdded != nil && e.RegistrantAdded.WebinarKey == "",
		e.RegistrantJoined != nil && e.RegistrantJoined.WebinarKey == "",
		e.Webinar != nil && e.Webinar.WebinarKey == "":
		return "webinarKey"
	case e.RegistrantAdded != nil && e.RegistrantAdded.RegistrantKey == "",
		e.RegistrantJoined != nil && e.RegistrantJoined.RegistrantKey == "":
		return "registrantKey"
	}
	return ""
}

// lenientEnvelope reads what it can of the common fields. An event we do not
// know must still be kept, whatever odd types its envelope has; for known
// events the typed decoding that follows is strict.
func lenientEnvelope(body []byte) Envelope {
	var raw struct {
		EventName    json.RawMessage `json:"eventName"`
		EventVersion json.RawMessage `json:"eventVersion"`
		Product      json.RawMessage `json:"product"`
		EventKey     json.RawMessage `json:"eventKey"`
		Timestamp    json.RawMessage `json:"timestamp"`
	}
	var env Envelope
	if json.Unmarshal(body, &raw) != nil {
		return env
	}
	env.EventName, _ = scalarText(raw.EventName)
	env.EventVersion, _ = scalarText(raw.EventVersion)
	env.Product, _ = scalarText(raw.Product)
	if env.EventKey.UnmarshalJSON(raw.EventKey) != nil {
		env.EventKey = ""
	}
	if env.Timestamp.UnmarshalJSON(raw.Timestamp) != nil {
		env.Timestamp = Time{}
	}
	return env
}
