package gotowebinar

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// RegistrationFields is a webinar's registration form as GoTo describes it
// (the spec's RegistrationFields): the standard fields the organizer chose
// and the organizer's own questions, each saying whether it must be filled
// in. GoTo refuses a registration that leaves a required one blank.
type RegistrationFields struct {
	Fields    []RegistrationField    `json:"fields"`
	Questions []RegistrationQuestion `json:"questions"`
}

// RegistrationField is one standard field of a registration form.
type RegistrationField struct {
	Field    string // as NewRegistrant.Fields names it: firstName, organization, questionsAndComments, …
	Required bool
	MaxSize  int      // in characters; 0 when GoTo did not say
	Answers  []string // the choices, for a field GoTo offers as a list
}

// The types of RegistrationQuestion.
const (
	QuestionShortAnswer    = "shortAnswer"
	QuestionMultipleChoice = "multipleChoice"
)

// RegistrationQuestion is one of the organizer's own questions.
type RegistrationQuestion struct {
	QuestionKey Key
	Question    string // the organizer's words
	Type        string // QuestionShortAnswer or QuestionMultipleChoice
	Required    bool
	MaxSize     int // in characters; 0 when GoTo did not say
	Answers     []RegistrationAnswer
}

// MultipleChoice reports whether q is answered with the key of one of its
// Answers rather than with text.
func (q RegistrationQuestion) MultipleChoice() bool { return q.Type == QuestionMultipleChoice }

// Answer finds one of q's choices by its key.
func (q RegistrationQuestion) Answer(key Key) (RegistrationAnswer, bool) {
	for _, a := range q.Answers {
		if a.AnswerKey == key {
			return a, true
		}
	}
	return RegistrationAnswer{}, false
}

// RegistrationAnswer is one choice of a multiple-choice question.
type RegistrationAnswer struct {
	AnswerKey Key
	Answer    string
}

// RegistrationFields returns a webinar's registration form.
func (c *Client) RegistrationFields(ctx context.Context, organizerKey, webinarKey Key) (RegistrationFields, error) {
	p, err := registrantsPath(organizerKey, webinarKey)
	if err != nil {
		return RegistrationFields{}, err
	}
	var out RegistrationFields
	if err := c.call(ctx, http.MethodGet, p+"/fields", nil, nil, &out); err != nil {
		return RegistrationFields{}, err
	}
	return out, nil
}

// Question finds one of the form's questions by its key.
func (f RegistrationFields) Question(key Key) (RegistrationQuestion, bool) {
	for _, q := range f.Questions {
		if q.QuestionKey == key {
			return q, true
		}
	}
	return RegistrationQuestion{}, false
}

// Missing lists what r leaves blank that the form requires: standard
// fields by name, questions by key. GoTo would refuse r for any of them.
func (f RegistrationFields) Missing(r NewRegistrant) (fields []string, questions []Key) {
	for _, fd := range f.Fields {
		if !fd.Required {
			continue
		}
		if v := r.Field(fd.Field); v == nil || strings.TrimSpace(*v) == "" {
			fields = append(fields, fd.Field)
		}
	}
	answered := map[Key]bool{}
	for _, a := range r.Responses {
		if a.AnswerKey != "" || strings.TrimSpace(a.ResponseText) != "" {
			answered[a.QuestionKey] = true
		}
	}
	for _, q := range f.Questions {
		if q.Required && !answered[q.QuestionKey] {
			questions = append(questions, q.QuestionKey)
		}
	}
	return fields, questions
}

// Describe puts answers given by key into words, as registrant events and
// GetRegistrant give them; answers to questions the form does not have are
// left out.
func (f RegistrationFields) Describe(rs []RegistrantResponse) Responses {
	var out Responses
	for _, a := range rs {
		q, ok := f.Question(a.QuestionKey)
		if !ok {
			continue
		}
		if !q.MultipleChoice() {
			if t := strings.TrimSpace(a.ResponseText); t != "" {
				out = append(out, Response{Question: q.Question, Type: "SHORT_ANSWER", Answers: []string{t}})
			}
			continue
		}
		choice, ok := q.Answer(a.AnswerKey)
		if !ok {
			continue
		}
		// Several choices of one question are one response, as events have it.
		if n := len(out); n > 0 && out[n-1].Question == q.Question {
			out[n-1].Answers = append(out[n-1].Answers, choice.Answer)
			continue
		}
		out = append(out, Response{Question: q.Question, Type: "MULTIPLE_CHOICE", Answers: []string{choice.Answer}})
	}
	return out
}

// fieldAliases are the other names GoTo's documents give standard fields.
var fieldAliases = map[string]string{
	"comments":                "questionsAndComments",
	"employeecount":           "numberOfEmployees",
	"implementationtimeframe": "purchasingTimeFrame",
	"zip":                     "zipCode",
}

// canonicalField is a standard field's name as NewRegistrant.Fields spells
// it, whatever case GoTo gave it in (its guide writes "Industry"); an
// unknown name is returned as it is.
func canonicalField(name string) string {
	name = strings.TrimSpace(name)
	lower := strings.ToLower(name)
	if a, ok := fieldAliases[lower]; ok {
		return a
	}
	var r NewRegistrant
	for _, f := range r.Fields() {
		if strings.ToLower(f.Name) == lower {
			return f.Name
		}
	}
	return name
}

// UnmarshalJSON reads a field whatever GoTo types its flags and sizes as
// (booleans and numbers, or text), under the name NewRegistrant uses.
func (f *RegistrationField) UnmarshalJSON(b []byte) error {
	var raw struct {
		Field    string          `json:"field"`
		Required flexBool        `json:"required"`
		MaxSize  flexInt         `json:"maxSize"`
		Answers  json.RawMessage `json:"answers"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("registration field: %w", err)
	}
	answers, err := answerTexts(raw.Answers)
	if err != nil {
		return fmt.Errorf("registration field %s: %w", raw.Field, err)
	}
	*f = RegistrationField{Field: canonicalField(raw.Field), Required: bool(raw.Required), MaxSize: int(raw.MaxSize), Answers: answers}
	return nil
}

// UnmarshalJSON reads a question with its keys as numbers or text, its
// flags and sizes as GoTo types them, and its type in either spelling GoTo
// uses (multipleChoice, MULTIPLE_CHOICE).
func (q *RegistrationQuestion) UnmarshalJSON(b []byte) error {
	var raw struct {
		QuestionKey Key                  `json:"questionKey"`
		Question    string               `json:"question"`
		Type        string               `json:"type"`
		Required    flexBool             `json:"required"`
		MaxSize     flexInt              `json:"maxSize"`
		Answers     []RegistrationAnswer `json:"answers"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("registration question: %w", err)
	}
	*q = RegistrationQuestion{
		QuestionKey: raw.QuestionKey, Question: raw.Question, Required: bool(raw.Required),
		MaxSize: int(raw.MaxSize), Answers: raw.Answers, Type: QuestionShortAnswer,
	}
	switch strings.ToLower(strings.ReplaceAll(raw.Type, "_", "")) {
	case "multiplechoice":
		q.Type = QuestionMultipleChoice
	case "shortanswer":
	default:
		// A type we do not know: its choices, if it has any, are the only
		// answers GoTo can take.
		if len(raw.Answers) > 0 {
			q.Type = QuestionMultipleChoice
		}
	}
	return nil
}

// UnmarshalJSON reads an answer with its key as a number or text, and its
// words as text or a number.
func (a *RegistrationAnswer) UnmarshalJSON(b []byte) error {
	var raw struct {
		AnswerKey Key             `json:"answerKey"`
		Answer    json.RawMessage `json:"answer"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("registration answer: %w", err)
	}
	text, err := scalarText(raw.Answer)
	if err != nil {
		return fmt.Errorf("registration answer %s: %w", raw.AnswerKey, err)
	}
	*a = RegistrationAnswer{AnswerKey: raw.AnswerKey, Answer: text}
	return nil
}

// flexBool is a flag GoTo sends as a JSON boolean or as text ("true").
type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		return err
	}
	if s = strings.TrimSpace(s); s == "" {
		*v = false
		return nil
	}
	parsed, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false, got %q", s)
	}
	*v = flexBool(parsed)
	return nil
}

// flexInt is a count GoTo sends as a JSON number or as digits in text.
type flexInt int

func (v *flexInt) UnmarshalJSON(b []byte) error {
	s, err := scalarText(bytes.TrimSpace(b))
	if err != nil {
		return err
	}
	if s = strings.TrimSpace(s); s == "" {
		*v = 0
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 || n > 1<<31 {
		return fmt.Errorf("want a size, got %q", s)
	}
	*v = flexInt(n)
	return nil
}
