// Package gotowebinar owns everything that speaks GoTo Webinar: the webhook
// event types and their tolerant decoding, signature verification, the
// Receiver that hands verified deliveries to a Sink, the OAuth login and
// the API Client for secret keys, webhooks, user subscriptions, webinars,
// registrants, sessions and attendees, paced by a shared Limiter.
package gotowebinar

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"webinarsync/record"
)

// Key is a GoTo identifier (webinarKey, registrantKey, …) kept as its exact
// decimal text. GoTo sends keys as bare JSON numbers above 2^53 (and its
// samples even above 2^64), so no numeric Go type is safe to hold them.
type Key string

// UnmarshalJSON accepts a key as a JSON number or a JSON string; null and ""
// leave the key empty.
func (k *Key) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*k = ""
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("key: %w", err)
		}
		*k = Key(strings.TrimSpace(s))
		return nil
	}
	// A bare number: keep its digits exactly. Keys are integers; a fraction
	// or exponent would mean we cannot know the key GoTo meant.
	for _, c := range b {
		if c < '0' || c > '9' {
			return fmt.Errorf("key %.40q is not a whole number", b)
		}
	}
	*k = Key(b)
	return nil
}

func (k Key) String() string { return string(k) }

// Time is a moment GoTo sends either as ISO-8601 text or as Unix
// milliseconds (number or digit string), depending on the source.
type Time struct{ time.Time }

// isoLayouts are the ISO-8601 shapes GoTo's documents and APIs use.
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// ParseTime reads a GoTo time in any documented form. Text without a zone
// is taken as UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if isDigits(s) {
		return parseMillis(s)
	}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if y := t.UTC().Year(); y < 1 || y > 9999 {
				return time.Time{}, fmt.Errorf("time %q is outside years 1-9999", s)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is neither ISO-8601 nor Unix milliseconds", s)
}

// maxMillis is 9999-12-31T23:59:59.999Z: later times cannot be written back
// as RFC 3339, so they would make a delivery unstorable.
const maxMillis = 253402300799999

func parseMillis(s string) (time.Time, error) {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms > maxMillis {
		return time.Time{}, fmt.Errorf("time %s ms is beyond the year 9999", s)
	}
	return time.UnixMilli(ms).UTC(), nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// UnmarshalJSON accepts ISO-8601 text, Unix milliseconds as a number or as
// digits in a string, and null.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("time: %w", err)
		}
		v, err := ParseTime(s)
		t.Time = v
		return err
	}
	// Milliseconds may carry a fraction we do not need; the whole part decides.
	whole, _, _ := strings.Cut(string(b), ".")
	if !isDigits(whole) {
		return fmt.Errorf("time %.30q is neither ISO-8601 nor Unix milliseconds", b)
	}
	v, err := parseMillis(whole)
	t.Time = v
	return err
}

// MarshalJSON writes RFC 3339, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Time.Format(time.RFC3339Nano))
}

// Response is one answer to an organizer's custom registration question
// (the provider-neutral record.Response).
type Response = record.Response

// Responses decodes every documented shape of a registrant's answers:
//   - the guide's [questionText, questionType, [answerText…]] tuples,
//   - the AsyncAPI's [{question, answer}] objects,
//   - either of those wrapped in a JSON string (the guide types it "string").
type Responses []Response

// UnmarshalJSON implements the tolerant decoding described on Responses.
func (rs *Responses) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*rs = nil
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("responses: %w", err)
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		if (s[0] == '[' || s[0] == '{') && json.Valid([]byte(s)) {
			return rs.UnmarshalJSON([]byte(s))
		}
		// Text we cannot parse is still the registrant's answers: keep it
		// whole rather than refuse the registration.
		*rs = Responses{{Question: "Responses", Answers: []string{s}}}
		return nil
	}
	if b[0] == '{' {
		r, err := decodeResponse(b)
		if err != nil {
			return fmt.Errorf("responses: %w", err)
		}
		*rs = Responses{r}
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return fmt.Errorf("responses: want a list: %w", err)
	}
	for i, item := range items {
		r, err := decodeResponse(item)
		if err != nil {
			return fmt.Errorf("responses[%d]: %w", i, err)
		}
		*rs = append(*rs, r)
	}
	return nil
}

func decodeResponse(b json.RawMessage) (Response, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return Response{}, fmt.Errorf("empty answer")
	}
	switch b[0] {
	case '{':
		var o struct {
			Question     string          `json:"question"`
			QuestionText string          `json:"questionText"`
			Type         string          `json:"questionType"`
			Answer       json.RawMessage `json:"answer"`
			Answers      json.RawMessage `json:"answers"`
			ResponseText string          `json:"responseText"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return Response{}, err
		}
		r := Response{Question: cmp.Or(o.Question, o.QuestionText), Type: o.Type}
		for _, raw := range []json.RawMessage{o.Answer, o.Answers} {
			as, err := answerTexts(raw)
			if err != nil {
				return Response{}, err
			}
			r.Answers = append(r.Answers, as...)
		}
		if o.ResponseText != "" {
			r.Answers = append(r.Answers, o.ResponseText)
		}
		return r, nil
	case '[':
		var tuple []json.RawMessage
		if err := json.Unmarshal(b, &tuple); err != nil {
			return Response{}, err
		}
		var r Response
		for i, part := range tuple {
			switch i {
			case 0:
				s, err := scalarText(part)
				if err != nil {
					return Response{}, fmt.Errorf("question: %w", err)
				}
				r.Question = s
			case 1:
				s, err := scalarText(part)
				if err != nil {
					return Response{}, fmt.Errorf("question type: %w", err)
				}
				r.Type = s
			default:
				as, err := answerTexts(part)
				if err != nil {
					return Response{}, err
				}
				r.Answers = append(r.Answers, as...)
			}
		}
		return r, nil
	}
	return Response{}, fmt.Errorf("answer is neither an object nor a list")
}

// answerTexts reads an answer given as text, number, or list of those.
func answerTexts(b json.RawMessage) ([]string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	if b[0] == '[' {
		var parts []json.RawMessage
		if err := json.Unmarshal(b, &parts); err != nil {
			return nil, fmt.Errorf("answers: %w", err)
		}
		var out []string
		for _, p := range parts {
			as, err := answerTexts(p)
			if err != nil {
				return nil, err
			}
			out = append(out, as...)
		}
		return out, nil
	}
	s, err := scalarText(b)
	if err != nil {
		return nil, fmt.Errorf("answer: %w", err)
	}
	return []string{s}, nil
}

// scalarText reads a JSON string, number or bool as text.
func scalarText(b json.RawMessage) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return "", nil
	}
	switch b[0] {
	case '"':
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	case '{', '[':
		return "", fmt.Errorf("want text, got %.20s", b)
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		return n.String(), nil
	}
	var v bool
	if err := json.Unmarshal(b, &v); err != nil {
		return "", fmt.Errorf("want text, got %.20s", b)
	}
	return strconv.FormatBool(v), nil
}

// TimeRange is one scheduled session of a webinar.
type TimeRange struct {
	StartTime Time   `json:"startTime"`
	EndTime   Time   `json:"endTime"`
	TimeZone  string `json:"timeZone,omitempty"`
}

// UnmarshalJSON accepts {startTime, endTime[, timeZone]} or the guide's
// [startTime, endTime] pair.
func (tr *TimeRange) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var pair []Time
		if err := json.Unmarshal(b, &pair); err != nil {
			return fmt.Errorf("times: %w", err)
		}
		*tr = TimeRange{}
		if len(pair) > 0 {
			tr.StartTime = pair[0]
		}
		if len(pair) > 1 {
			tr.EndTime = pair[1]
		}
		return nil
	}
	type plain TimeRange
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("times: %w", err)
	}
	*tr = TimeRange(p)
	return nil
}
