package gotosim_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"webinarsync/gotowebinar/gotosim"
)

// registrationForm is the fields endpoint's answer.
type registrationForm struct {
	Fields []struct {
		Field    string   `json:"field"`
		Required bool     `json:"required"`
		MaxSize  int      `json:"maxSize"`
		Answers  []string `json:"answers"`
	} `json:"fields"`
	Questions []struct {
		QuestionKey json.Number `json:"questionKey"`
		Question    string      `json:"question"`
		Type        string      `json:"type"`
		Required    bool        `json:"required"`
		MaxSize     int         `json:"maxSize"`
		Answers     []struct {
			AnswerKey json.Number `json:"answerKey"`
			Answer    string      `json:"answer"`
		} `json:"answers"`
	} `json:"questions"`
}

// announced is a sim whose generator has announced its first webinars,
// by recurrence: the live one and next week's are single sessions (in that
// order), the third a series.
func announced(t *testing.T) (sim *gotosim.Sim, base, tok string, live, nextWeek, series gotosim.Webinar) {
	t.Helper()
	clock := newClock()
	sim, srv := startSim(t, gotosim.Config{Seed: 11, Now: clock.Now})
	sim.Generator().Next()
	ws := sim.Generator().Webinars()
	if len(ws) != 3 || ws[2].RecurrenceType != "series" {
		t.Fatalf("the burst made %+v", ws)
	}
	return sim, srv.URL + "/G2W/rest/v2/organizers/" + sim.OrganizerKey(), sim.IssueToken(), ws[0], ws[1], ws[2]
}

func formOf(t *testing.T, base, tok, webinarKey string) (registrationForm, []byte) {
	t.Helper()
	status, body := call(t, "GET", base+"/webinars/"+webinarKey+"/registrants/fields", tok, nil)
	if status != http.StatusOK {
		t.Fatalf("GET fields of %s: %d %s", webinarKey, status, body)
	}
	var f registrationForm
	mustUnmarshal(t, body, &f)
	return f, body
}

func TestFields_EachWebinarHasItsFormWithKeysThatStay(t *testing.T) {
	t.Parallel()
	_, base, tok, live, nextWeek, series := announced(t)

	f, first := formOf(t, base, tok, series.Key)
	if _, again := formOf(t, base, tok, series.Key); !bytes.Equal(first, again) {
		t.Errorf("the form changed between two reads:\n%s\n%s", first, again)
	}
	if len(f.Fields) < 3 || f.Fields[0].Field != "firstName" || !f.Fields[0].Required || !f.Fields[2].Required {
		t.Errorf("fields = %+v, want the basic three first, required", f.Fields)
	}
	if len(f.Questions) != 2 {
		t.Fatalf("the series asks %+v", f.Questions)
	}
	for _, q := range f.Questions {
		if !q.Required || q.Type != "multipleChoice" || q.QuestionKey == "" || len(q.Answers) < 3 || q.MaxSize <= 0 {
			t.Errorf("series question %+v: want a required multiple choice", q)
		}
		if !bytes.Contains(first, []byte(`"questionKey":`+q.QuestionKey.String())) {
			t.Errorf("questionKey %s is not a bare JSON number", q.QuestionKey)
		}
	}

	f, _ = formOf(t, base, tok, live.Key)
	if len(f.Questions) != 2 || f.Questions[0].Type != "multipleChoice" || f.Questions[1].Type != "shortAnswer" ||
		f.Questions[0].Required || f.Questions[1].Required || f.Questions[1].MaxSize != 1000 || len(f.Questions[1].Answers) != 0 {
		t.Errorf("the live webinar asks %+v, want an optional multiple choice and an optional short answer", f.Questions)
	}
	f, _ = formOf(t, base, tok, nextWeek.Key)
	var names []string
	for _, fd := range f.Fields {
		names = append(names, fd.Field)
	}
	if !slices.Equal(names, []string{"firstName", "lastName", "email", "organization", "country"}) || len(f.Questions) != 0 {
		t.Errorf("next week's short form asks %v and %+v", names, f.Questions)
	}
	if status, _ := call(t, "GET", base+"/webinars/123/registrants/fields", tok, nil); status != http.StatusNotFound {
		t.Errorf("the form of an unknown webinar: %d, want 404", status)
	}
}

func TestFields_RegistrationMustAnswerWhatTheFormRequires(t *testing.T) {
	t.Parallel()
	sim, base, tok, live, _, series := announced(t)
	f, _ := formOf(t, base, tok, series.Key)
	topics, level := f.Questions[0], f.Questions[1]
	path := base + "/webinars/" + series.Key + "/registrants"
	person := func(responses ...map[string]any) map[string]any {
		return map[string]any{"firstName": "Søren", "lastName": "Løvås", "email": "soren@nordlys.no", "responses": responses}
	}
	for _, tc := range []struct {
		name, want string
		body       map[string]any
	}{
		{"no answers", "Missing response to required question " + topics.QuestionKey.String() + ": " + topics.Question, person()},
		{"one answer", "Missing response to required question " + level.QuestionKey.String() + ": " + level.Question,
			person(map[string]any{"questionKey": topics.QuestionKey, "answerKey": topics.Answers[0].AnswerKey})},
		{"text for a multiple choice", "is multiple choice",
			person(map[string]any{"questionKey": topics.QuestionKey, "responseText": "Reporting"})},
		{"an answer of another question", "is not an answer to question " + level.QuestionKey.String(),
			person(map[string]any{"questionKey": level.QuestionKey, "answerKey": topics.Answers[0].AnswerKey})},
		{"an unknown question", "Unknown questionKey 1",
			person(map[string]any{"questionKey": 1, "responseText": "?"})},
	} {
		status, body := call(t, "POST", path, tok, tc.body)
		var e struct{ ErrorCode, Description string }
		mustUnmarshal(t, body, &e)
		if status != http.StatusBadRequest || e.ErrorCode != "InvalidRequest" || !strings.Contains(e.Description, tc.want) {
			t.Errorf("%s: %d %s, want 400 saying %q", tc.name, status, body, tc.want)
		}
	}

	// Keys as digits in strings are GoTo's keys all the same.
	status, body := call(t, "POST", path, tok, person(
		map[string]any{"questionKey": topics.QuestionKey.String(), "answerKey": topics.Answers[0].AnswerKey.String()},
		map[string]any{"questionKey": topics.QuestionKey, "answerKey": topics.Answers[3].AnswerKey},
		map[string]any{"questionKey": level.QuestionKey, "answerKey": level.Answers[2].AnswerKey},
	))
	var created struct {
		RegistrantKey json.Number `json:"registrantKey"`
	}
	mustUnmarshal(t, body, &created)
	if status != http.StatusCreated {
		t.Fatalf("registering with every answer: %d %s", status, body)
	}
	want := []gotosim.Answer{
		{Question: topics.Question, Type: "MULTIPLE_CHOICE", Answers: []string{topics.Answers[0].Answer, topics.Answers[3].Answer}},
		{Question: level.Question, Type: "MULTIPLE_CHOICE", Answers: []string{level.Answers[2].Answer}},
	}
	var kept gotosim.Registrant
	for _, r := range sim.Generator().Registrants(series.Key) {
		if r.Key == created.RegistrantKey.String() {
			kept = r
		}
	}
	if !slices.EqualFunc(kept.Responses, want, func(a, b gotosim.Answer) bool {
		return a.Question == b.Question && a.Type == b.Type && slices.Equal(a.Answers, b.Answers)
	}) {
		t.Errorf("the generator keeps %+v, want %+v", kept.Responses, want)
	}
	_, got := call(t, "GET", path+"/"+created.RegistrantKey.String(), tok, nil)
	if !strings.Contains(string(got), `"answer":"`+topics.Answers[0].Answer+", "+topics.Answers[3].Answer+`"`) ||
		!strings.Contains(string(got), `"question":"`+level.Question+`"`) {
		t.Errorf("GET the registrant: %s, want the answers in words", got)
	}
	// The registrant.added event carries them too.
	found := false
	for range 40 {
		if ev := sim.Generator().Next(); bytes.Contains(ev, []byte(created.RegistrantKey.String())) {
			found = bytes.Contains(ev, []byte(level.Answers[2].Answer))
			break
		}
	}
	if !found {
		t.Error("no registrant.added event with the answers")
	}

	// The live webinar's questions are optional, and its short answer has a limit.
	f, _ = formOf(t, base, tok, live.Key)
	livePath := base + "/webinars/" + live.Key + "/registrants"
	if status, body := call(t, "POST", livePath, tok, map[string]any{"firstName": "Ana", "lastName": "Muñoz", "email": "ana@cafeole.es"}); status != http.StatusCreated {
		t.Errorf("registering for the live webinar without answers: %d %s", status, body)
	}
	long := map[string]any{"firstName": "Ana", "lastName": "Muñoz", "email": "ana2@cafeole.es",
		"responses": []map[string]any{{"questionKey": f.Questions[1].QuestionKey, "responseText": strings.Repeat("é", 1001)}}}
	if status, body := call(t, "POST", livePath, tok, long); status != http.StatusBadRequest || !strings.Contains(string(body), "longer than 1000 characters") {
		t.Errorf("a short answer over its limit: %d %s", status, body)
	}
}
