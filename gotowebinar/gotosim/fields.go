package gotosim

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"unicode/utf8"
)

// The registration form of every webinar (GET …/registrants/fields), and
// the check createRegistrant makes against it, as GoTo does: a
// registration that leaves a required field or question blank is refused
// with 400, naming what is missing.

// formField is a standard field of a registration form.
type formField struct {
	name     string // as GoTo's API names it
	required bool
	maxSize  int
	answers  []string // choices, for a field GoTo offers as a list
}

// formQuestion is one of the organizer's questions.
type formQuestion struct {
	key      string
	text     string
	kind     string // Answer.Type: MULTIPLE_CHOICE or SHORT_ANSWER
	required bool
	maxSize  int
	answers  []formAnswer
}

type formAnswer struct{ key, text string }

// registrationForm is what a webinar's registration page asks.
type registrationForm struct {
	fields    []formField
	questions []formQuestion
}

// GoTo's limits: 128 characters for a field, 1000 for a short answer.
const (
	fieldMaxSize  = 128
	answerMaxSize = 1000
)

var (
	// basicFields are the three GoTo always asks, and requires.
	basicFields = []formField{{"firstName", true, fieldMaxSize, nil}, {"lastName", true, fieldMaxSize, nil}, {"email", true, fieldMaxSize, nil}}
	// fullFields are what most generated webinars ask besides: what their
	// registrants tell (newRegistrant), all of it optional, since the
	// generator leaves each of these out for some registrants.
	fullFields = []formField{
		{"organization", false, fieldMaxSize, nil}, {"jobTitle", false, fieldMaxSize, nil},
		{"phone", false, fieldMaxSize, nil}, {"country", false, fieldMaxSize, nil},
		{"industry", false, fieldMaxSize, industries}, {"numberOfEmployees", false, fieldMaxSize, employeeCounts},
		{"questionsAndComments", false, fieldMaxSize, nil},
	}
	// shortFields are what a webinar whose form sends unasked fields as ""
	// (emptyFields) asks besides: a short form is why so much is unasked.
	shortFields = []formField{{"organization", false, fieldMaxSize, nil}, {"country", false, fieldMaxSize, nil}}
)

// formOf is ws's registration form. Its questions are the ones the
// generator's registrants answer; a series requires them, since it
// registers people once for every part and its organizer places them by
// their answers. Other webinars leave them optional, so that a
// registration with the basic fields alone still goes through there.
func formOf(ws *webinarState) registrationForm {
	f := registrationForm{fields: append(append([]formField(nil), basicFields...), fullFields...)}
	if ws.emptyFields {
		f.fields = append(append([]formField(nil), basicFields...), shortFields...)
	}
	required := ws.RecurrenceType == "series"
	for _, q := range ws.questions {
		fq := formQuestion{key: formKey(ws.Key, q.text), text: q.text, kind: q.kind, required: required, maxSize: answerMaxSize}
		if q.kind == "MULTIPLE_CHOICE" {
			fq.maxSize = fieldMaxSize
			for _, c := range q.choices {
				fq.answers = append(fq.answers, formAnswer{key: formKey(ws.Key, q.text, c), text: c})
			}
		}
		f.questions = append(f.questions, fq)
	}
	return f
}

// formKey makes a question's or an answer's key from what it belongs to,
// so a webinar's form keeps its keys without the generator storing them.
// Ten digits: a JSON number like GoTo's, and distinct within a form.
func formKey(parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return fmt.Sprint(1_000_000_000 + h.Sum64()%9_000_000_000)
}

// registrationFields serves GET …/registrants/fields as the spec's
// RegistrationFields.
func (s *Sim) registrationFields(w http.ResponseWriter, r *http.Request) {
	if !s.organizer(w, r) {
		return
	}
	g := s.gen
	g.mu.Lock()
	ws := s.webinarFor(w, r)
	if ws == nil {
		g.mu.Unlock()
		return
	}
	f := formOf(ws)
	g.mu.Unlock()
	fields := make([]map[string]any, 0, len(f.fields))
	for _, fd := range f.fields {
		m := map[string]any{"field": fd.name, "required": fd.required, "maxSize": fd.maxSize}
		if len(fd.answers) > 0 {
			m["answers"] = fd.answers
		}
		fields = append(fields, m)
	}
	questions := make([]map[string]any, 0, len(f.questions))
	for _, q := range f.questions {
		m := map[string]any{"questionKey": number(q.key), "question": q.text, "required": q.required, "maxSize": q.maxSize, "type": "shortAnswer"}
		if q.kind == "MULTIPLE_CHOICE" {
			m["type"] = "multipleChoice"
			answers := make([]map[string]any, 0, len(q.answers))
			for _, a := range q.answers {
				answers = append(answers, map[string]any{"answerKey": number(a.key), "answer": a.text})
			}
			m["answers"] = answers
		}
		questions = append(questions, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"fields": fields, "questions": questions})
}

// registrationRequest is createRegistrant's body (the spec's
// RegistrantFields).
type registrationRequest struct {
	FirstName            string                 `json:"firstName"`
	LastName             string                 `json:"lastName"`
	Email                string                 `json:"email"`
	Source               string                 `json:"source"`
	Address              string                 `json:"address"`
	City                 string                 `json:"city"`
	State                string                 `json:"state"`
	ZipCode              string                 `json:"zipCode"`
	Country              string                 `json:"country"`
	Phone                string                 `json:"phone"`
	Organization         string                 `json:"organization"`
	JobTitle             string                 `json:"jobTitle"`
	QuestionsAndComments string                 `json:"questionsAndComments"`
	Industry             string                 `json:"industry"`
	NumberOfEmployees    string                 `json:"numberOfEmployees"`
	PurchasingTimeFrame  string                 `json:"purchasingTimeFrame"`
	PurchasingRole       string                 `json:"purchasingRole"`
	Responses            []registrationResponse `json:"responses"`
}

// registrationResponse is the spec's RegistrantQAResponse; json.Number
// takes a key as a number or as digits in a string.
type registrationResponse struct {
	QuestionKey  json.Number `json:"questionKey"`
	ResponseText string      `json:"responseText"`
	AnswerKey    json.Number `json:"answerKey"`
}

// field is the request's value of a standard field, by GoTo's name.
func (req registrationRequest) field(name string) string {
	return map[string]string{
		"firstName": req.FirstName, "lastName": req.LastName, "email": req.Email, "address": req.Address,
		"city": req.City, "state": req.State, "zipCode": req.ZipCode, "country": req.Country, "phone": req.Phone,
		"organization": req.Organization, "jobTitle": req.JobTitle, "questionsAndComments": req.QuestionsAndComments,
		"industry": req.Industry, "numberOfEmployees": req.NumberOfEmployees,
		"purchasingTimeFrame": req.PurchasingTimeFrame, "purchasingRole": req.PurchasingRole,
	}[name]
}

// check holds a registration against the form. It returns the answers to
// keep, in words as events and GetRegistrant give them, or the message of
// GoTo's 400 for the first thing missing or wrong.
func (f registrationForm) check(req registrationRequest) ([]Answer, string) {
	for _, fd := range f.fields {
		v := strings.TrimSpace(req.field(fd.name))
		switch {
		case v == "" && fd.required:
			return nil, "Missing required field: " + fd.name
		case utf8.RuneCountInString(v) > fd.maxSize:
			return nil, fmt.Sprintf("Field %s is longer than %d characters", fd.name, fd.maxSize)
		}
	}
	byKey := map[string]formQuestion{}
	for _, q := range f.questions {
		byKey[q.key] = q
	}
	answered := map[string]bool{}
	var out []Answer
	for _, resp := range req.Responses {
		q, ok := byKey[resp.QuestionKey.String()]
		if !ok {
			return nil, fmt.Sprintf("Unknown questionKey %s: the webinar has no such question", resp.QuestionKey)
		}
		var text string
		if q.kind == "MULTIPLE_CHOICE" {
			if resp.AnswerKey == "" {
				return nil, fmt.Sprintf("Question %s is multiple choice: give an answerKey", q.key)
			}
			for _, a := range q.answers {
				if a.key == resp.AnswerKey.String() {
					text = a.text
				}
			}
			if text == "" {
				return nil, fmt.Sprintf("answerKey %s is not an answer to question %s", resp.AnswerKey, q.key)
			}
		} else {
			text = strings.TrimSpace(resp.ResponseText)
			if utf8.RuneCountInString(text) > q.maxSize {
				return nil, fmt.Sprintf("The response to question %s is longer than %d characters", q.key, q.maxSize)
			}
			if text == "" {
				continue
			}
		}
		answered[q.key] = true
		// Several choices of one question make one answer, as GoTo lists them.
		if n := len(out); n > 0 && out[n-1].Question == q.text {
			out[n-1].Answers = append(out[n-1].Answers, text)
			continue
		}
		out = append(out, Answer{Question: q.text, Type: q.kind, Answers: []string{text}})
	}
	for _, q := range f.questions {
		if q.required && !answered[q.key] {
			return nil, fmt.Sprintf("Missing response to required question %s: %s", q.key, q.text)
		}
	}
	return out, ""
}
