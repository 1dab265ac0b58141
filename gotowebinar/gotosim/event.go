package gotosim

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"webinarsync/gotowebinar"
)

// Webinar is a webinar as the event builders write it.
type Webinar struct {
	Key            string // decimal digits; written as a bare JSON number unless Form.KeysAsStrings
	Title          string
	Description    string
	ExperienceType string // CLASSIC, SIMULIVE or BROADCAST
	RecurrenceType string // single_session, series or sequence
	RecurrenceKey  string // "" is written as null, as the guide says for non-series webinars
	OrganizerKey   string // also written as webinarCreatorKey in registrant events
	AccountKey     string
	TimeZone       string
	Created        time.Time
	Times          []Session // at least one; startTime/endTime are the first session's
}

// Session is one scheduled session of a webinar. Key is GoTo's sessionKey,
// known once the session has started.
type Session struct {
	Key        string
	Start, End time.Time
}

// Registrant is one registration for one webinar.
type Registrant struct {
	Key                 string
	FirstName           string
	LastName            string
	Email               string
	Phone               string
	Address             string
	City                string
	State               string
	Country             string
	ZipCode             string
	Organization        string
	JobTitle            string
	Industry            string
	Comments            string
	NumberOfEmployees   string
	PurchasingRole      string
	PurchasingTimeFrame string
	Status              string // Approved, Waiting, Cancelled or Denied
	RegistrationSource  string
	JoinURL             string // written only when set; GoTo sends it only for Approved registrants
	Registered          time.Time
	Responses           []Answer
}

// Answer is a registrant's answer to one custom question.
type Answer struct {
	Question string
	Type     string // MULTIPLE_CHOICE or SHORT_ANSWER
	Answers  []string
}

// ResponsesForm is how a registrant.added event spells its responses.
type ResponsesForm int

// The documented spellings of responses.
const (
	// ResponsesTuples is the guide's [[questionText, questionType, [answerText…]]].
	ResponsesTuples ResponsesForm = iota
	// ResponsesObjects is the AsyncAPI's [{"question": …, "answer": …}].
	ResponsesObjects
	// ResponsesString is the tuples inside a JSON string, since the guide
	// types the field "string".
	ResponsesString
)

// Form picks among the spellings GoTo's documents disagree on, so a
// receiver can be tested against each of them.
type Form struct {
	KeysAsStrings  bool          // "webinarKey":"123…" (AsyncAPI) instead of a bare number (guide)
	IndustryLower  bool          // "industry" (AsyncAPI) instead of "Industry" (guide)
	EmptyFields    bool          // write unset optional registrant fields as "" instead of leaving them out
	Responses      ResponsesForm // see ResponsesForm
	JoinTimeMillis bool          // joinTime as a Unix-milliseconds number (AsyncAPI) instead of ISO-8601 (guide)
	TimesAsPairs   bool          // times as [[start, end]] (guide) instead of [{startTime, endTime}] (AsyncAPI)
}

// EventVersion and Product are what every GoTo Webinar event carries.
const (
	EventVersion = "1.0.0"
	Product      = "g2w"
)

// RegistrantAddedJSON builds a registrant.added event body.
func RegistrantAddedJSON(eventKey string, at time.Time, w Webinar, r Registrant, f Form) []byte {
	var o object
	o.envelope(gotowebinar.EventRegistrantAdded, eventKey)
	o.str("firstName", r.FirstName)
	o.str("lastName", r.LastName)
	o.str("email", r.Email)
	for _, kv := range [][2]string{
		{"phone", r.Phone}, {"address", r.Address}, {"city", r.City}, {"state", r.State},
		{"country", r.Country}, {"zipCode", r.ZipCode}, {"organization", r.Organization},
		{"jobTitle", r.JobTitle},
	} {
		o.optional(kv[0], kv[1], f.EmptyFields)
	}
	if f.IndustryLower {
		o.optional("industry", r.Industry, f.EmptyFields)
	} else {
		o.optional("Industry", r.Industry, f.EmptyFields)
	}
	o.optional("comments", r.Comments, f.EmptyFields)
	o.time("registrationDate", r.Registered)
	o.optional("numberOfEmployees", r.NumberOfEmployees, f.EmptyFields)
	o.optional("purchasingRole", r.PurchasingRole, f.EmptyFields)
	o.optional("purchasingTimeFrame", r.PurchasingTimeFrame, f.EmptyFields)
	o.str("status", r.Status)
	o.webinarRef(w, f)
	o.optional("registrationSource", r.RegistrationSource, f.EmptyFields)
	o.optional("joinUrl", r.JoinURL, false)
	o.key("registrantKey", r.Key, f.KeysAsStrings)
	o.time("timestamp", at)
	o.raw("responses", responsesJSON(r.Responses, f.Responses))
	return o.close()
}

// RegistrantJoinedJSON builds a registrant.joined event body for a
// registrant entering the session with sessionKey.
func RegistrantJoinedJSON(eventKey string, at time.Time, w Webinar, sessionKey string, r Registrant, joined time.Time, f Form) []byte {
	var o object
	o.envelope(gotowebinar.EventRegistrantJoined, eventKey)
	o.str("firstName", r.FirstName)
	o.str("lastName", r.LastName)
	o.str("email", r.Email)
	o.key("webinarKey", w.Key, f.KeysAsStrings)
	o.key("sessionKey", sessionKey, f.KeysAsStrings)
	o.str("webinarTitle", w.Title)
	o.str("experienceType", w.ExperienceType)
	o.str("recurrenceType", w.RecurrenceType)
	o.key("registrantKey", r.Key, f.KeysAsStrings)
	o.key("webinarCreatorKey", w.OrganizerKey, f.KeysAsStrings)
	if f.JoinTimeMillis {
		o.raw("joinTime", strconv.AppendInt(nil, joined.UnixMilli(), 10))
	} else {
		o.time("joinTime", joined)
	}
	o.time("timestamp", at)
	return o.close()
}

// WebinarCreatedJSON builds a webinar.created event body (status NEW).
func WebinarCreatedJSON(eventKey string, at time.Time, w Webinar, f Form) []byte {
	return webinarJSON(gotowebinar.EventWebinarCreated, "NEW", eventKey, at, w, f)
}

// WebinarChangedJSON builds a webinar.changed event body; status is UPDATED
// or DELETED.
func WebinarChangedJSON(eventKey string, at time.Time, w Webinar, status string, f Form) []byte {
	return webinarJSON(gotowebinar.EventWebinarChanged, status, eventKey, at, w, f)
}

func webinarJSON(eventName, status, eventKey string, at time.Time, w Webinar, f Form) []byte {
	var o object
	o.envelope(eventName, eventKey)
	o.key("accountKey", w.AccountKey, f.KeysAsStrings)
	o.key("organizerKey", w.OrganizerKey, f.KeysAsStrings)
	o.key("webinarKey", w.Key, f.KeysAsStrings)
	o.str("webinarTitle", w.Title)
	o.str("description", w.Description)
	o.str("experienceType", w.ExperienceType)
	o.str("recurrenceType", w.RecurrenceType)
	if eventName == gotowebinar.EventWebinarCreated {
		// The guide lists recurrenceKey and webinarCreationDate only for webinar.created.
		o.key("recurrenceKey", w.RecurrenceKey, f.KeysAsStrings)
		o.time("webinarCreationDate", w.Created)
	}
	o.str("status", status)
	var times []byte
	times = append(times, '[')
	for i, s := range w.Times {
		if i > 0 {
			times = append(times, ',')
		}
		if f.TimesAsPairs {
			times = append(times, '[')
			times = appendString(times, isoSeconds(s.Start))
			times = append(times, ',')
			times = appendString(times, isoSeconds(s.End))
			times = append(times, ']')
			continue
		}
		var t object
		t.str("startTime", isoSeconds(s.Start))
		t.str("endTime", isoSeconds(s.End))
		times = append(times, t.close()...)
	}
	times = append(times, ']')
	o.raw("times", times)
	if len(w.Times) > 0 {
		o.str("startTime", isoSeconds(w.Times[0].Start))
		o.str("endTime", isoSeconds(w.Times[0].End))
	}
	o.str("timeZone", w.TimeZone)
	o.time("timestamp", at)
	return o.close()
}

func responsesJSON(answers []Answer, form ResponsesForm) []byte {
	out := []byte{'['}
	for i, a := range answers {
		if i > 0 {
			out = append(out, ',')
		}
		if form == ResponsesObjects {
			var o object
			o.str("question", a.Question)
			o.str("answer", joinAnswers(a.Answers))
			out = append(out, o.close()...)
			continue
		}
		out = append(out, '[')
		out = appendString(out, a.Question)
		out = append(out, ',')
		out = appendString(out, a.Type)
		out = append(out, ',', '[')
		for j, s := range a.Answers {
			if j > 0 {
				out = append(out, ',')
			}
			out = appendString(out, s)
		}
		out = append(out, ']', ']')
	}
	out = append(out, ']')
	if form == ResponsesString {
		return appendString(nil, string(out))
	}
	return out
}

func joinAnswers(as []string) string {
	var b bytes.Buffer
	for i, s := range as {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s)
	}
	return b.String()
}

// object writes a JSON object by hand, in the field order of GoTo's guide,
// so keys keep every digit and spellings stay exactly as chosen.
type object struct{ buf []byte }

func (o *object) field(name string) {
	if len(o.buf) == 0 {
		o.buf = append(o.buf, '{')
	} else {
		o.buf = append(o.buf, ',')
	}
	o.buf = appendString(o.buf, name)
	o.buf = append(o.buf, ':')
}

func (o *object) str(name, v string) {
	o.field(name)
	o.buf = appendString(o.buf, v)
}

// optional writes v when it is set, or "" when empty is asked for.
func (o *object) optional(name, v string, empty bool) {
	if v != "" || empty {
		o.str(name, v)
	}
}

func (o *object) raw(name string, v []byte) {
	o.field(name)
	o.buf = append(o.buf, v...)
}

// key writes a GoTo key as a bare number (its digits exactly), as a string
// when asked or when it is not all digits, and as null when empty.
func (o *object) key(name, v string, asString bool) {
	o.field(name)
	switch {
	case v == "":
		o.buf = append(o.buf, "null"...)
	case asString || !allDigits(v):
		o.buf = appendString(o.buf, v)
	default:
		o.buf = append(o.buf, v...)
	}
}

func (o *object) time(name string, t time.Time) {
	o.str(name, isoMillis(t))
}

func (o *object) envelope(eventName, eventKey string) {
	o.str("eventName", eventName)
	o.str("eventVersion", EventVersion)
	o.str("product", Product)
	o.str("eventKey", eventKey)
}

func (o *object) webinarRef(w Webinar, f Form) {
	o.key("webinarKey", w.Key, f.KeysAsStrings)
	o.str("webinarTitle", w.Title)
	o.str("experienceType", w.ExperienceType)
	o.str("recurrenceType", w.RecurrenceType)
	o.key("webinarCreatorKey", w.OrganizerKey, f.KeysAsStrings)
}

func (o *object) close() []byte {
	if len(o.buf) == 0 {
		return []byte("{}")
	}
	return append(o.buf, '}')
}

// appendString appends s as a JSON string without HTML escaping, so URLs
// and "&" read as GoTo would send them.
func appendString(dst []byte, s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(dst, bytes.TrimSuffix(b.Bytes(), []byte{'\n'})...)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isoMillis is the shape of GoTo's event timestamps: 2020-06-11T09:27:35.245Z.
func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// isoSeconds is the shape of GoTo's scheduled times: 2020-06-16T16:00:00Z.
func isoSeconds(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
