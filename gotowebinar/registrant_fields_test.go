package gotowebinar_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
)

// announcedClient is a sim whose generator has announced its first
// webinars (a live one asking an optional multiple choice and an optional
// short answer, and a series requiring its answers) and a Client logged in
// to it.
func announcedClient(t *testing.T) (c *gotowebinar.Client, org gotowebinar.Key, live, series gotosim.Webinar) {
	t.Helper()
	env := startSim(t, nil)
	env.sim.Generator().Next() // the burst creates the webinars
	for _, w := range env.sim.Generator().Webinars() {
		switch {
		case w.RecurrenceType == "series":
			series = w
		case live.Key == "" && len(w.Times) > 0 && w.Times[0].Key != "": // started: the live one
			live = w
		}
	}
	if live.Key == "" || series.Key == "" {
		t.Fatalf("the generator announced no live webinar or no series: %+v", env.sim.Generator().Webinars())
	}
	c = newClient(env, oauth2.StaticTokenSource(env.login(t)))
	return c, gotowebinar.Key(env.sim.OrganizerKey()), live, series
}

func TestClient_RegistrationFieldsAreTheWebinarsOwnForm(t *testing.T) {
	t.Parallel()
	c, org, live, series := announcedClient(t)

	form, err := c.RegistrationFields(t.Context(), org, gotowebinar.Key(series.Key))
	if err != nil {
		t.Fatal(err)
	}
	var required []string
	for _, f := range form.Fields {
		if f.Required {
			required = append(required, f.Field)
		}
		if f.MaxSize <= 0 {
			t.Errorf("field %s has no maxSize", f.Field)
		}
	}
	if !slices.Equal(required, []string{"firstName", "lastName", "email"}) {
		t.Errorf("required fields %v, want the basic three", required)
	}
	if len(form.Questions) != 2 {
		t.Fatalf("the series asks %d questions, want 2: %+v", len(form.Questions), form.Questions)
	}
	for _, q := range form.Questions {
		if !q.Required || !q.MultipleChoice() || q.QuestionKey == "" || len(q.Answers) < 3 || q.Answers[0].AnswerKey == "" || q.Answers[0].Answer == "" {
			t.Errorf("series question %+v: want a required multiple choice with keyed answers", q)
		}
	}

	form, err = c.RegistrationFields(t.Context(), org, gotowebinar.Key(live.Key))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, q := range form.Questions {
		kinds = append(kinds, q.Type)
		if q.Required {
			t.Errorf("live question %q is required; the live webinar leaves its questions optional", q.Question)
		}
	}
	if !slices.Equal(kinds, []string{gotowebinar.QuestionMultipleChoice, gotowebinar.QuestionShortAnswer}) {
		t.Errorf("live question types %v, want a multiple choice and a short answer", kinds)
	}
	if i := slices.IndexFunc(form.Fields, func(f gotowebinar.RegistrationField) bool { return f.Field == "industry" }); i < 0 || len(form.Fields[i].Answers) == 0 {
		t.Errorf("the live form's industry is not offered as a list: %+v", form.Fields)
	}

	if _, err := c.RegistrationFields(t.Context(), org, "123"); !gotowebinar.IsNotFound(err) {
		t.Errorf("the form of an unknown webinar: %v, want 404", err)
	}
}

func TestClient_CreateRegistrantAnswersTheRequiredQuestions(t *testing.T) {
	t.Parallel()
	c, org, _, series := announcedClient(t)
	ctx, key := t.Context(), gotowebinar.Key(series.Key)
	form, err := c.RegistrationFields(ctx, org, key)
	if err != nil {
		t.Fatal(err)
	}
	topics, level := form.Questions[0], form.Questions[1]
	nr := gotowebinar.NewRegistrant{FirstName: "Adaeze", LastName: "Nwosu", Email: "adaeze@umbrella.health",
		Responses: []gotowebinar.RegistrantResponse{{QuestionKey: topics.QuestionKey, AnswerKey: topics.Answers[1].AnswerKey}}}

	// One required question unanswered: GoTo refuses, naming it.
	_, err = c.CreateRegistrant(ctx, org, key, nr, false)
	var apiErr *gotowebinar.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || !strings.Contains(apiErr.Message, level.Question) {
		t.Fatalf("registering without %q: %v, want a 400 naming it", level.Question, err)
	}
	if p := gotowebinar.Classify(err); p.Kind != gotowebinar.ProblemRefused || !strings.Contains(p.Reason, level.Question) {
		t.Errorf("classified as %+v", p)
	}
	if fields, questions := form.Missing(nr); len(fields) != 0 || !slices.Equal(questions, []gotowebinar.Key{level.QuestionKey}) {
		t.Errorf("Missing = %v, %v; want the level question only", fields, questions)
	}

	// Answered: registered, with the answers in words.
	nr.Responses = append(nr.Responses, gotowebinar.RegistrantResponse{QuestionKey: level.QuestionKey, AnswerKey: level.Answers[2].AnswerKey})
	created, err := c.CreateRegistrant(ctx, org, key, nr, false)
	if err != nil {
		t.Fatalf("registering with every answer: %v", err)
	}
	got, err := c.GetRegistrant(ctx, org, key, created.RegistrantKey)
	if err != nil {
		t.Fatal(err)
	}
	want := gotowebinar.Responses{
		{Question: topics.Question, Answers: []string{topics.Answers[1].Answer}},
		{Question: level.Question, Answers: []string{level.Answers[2].Answer}},
	}
	described := form.Describe(nr.Responses)
	for i := range described {
		described[i].Type = "" // GetRegistrant does not say the type
	}
	if !slices.EqualFunc(got.Responses, want, equalResponse) || !slices.EqualFunc(described, want, equalResponse) {
		t.Errorf("GetRegistrant answers %+v, Describe %+v; want %+v", got.Responses, described, want)
	}

	// A choice that is not one of the question's is refused too.
	nr.Email = "other@umbrella.health"
	nr.Responses[1].AnswerKey = topics.Answers[0].AnswerKey
	if _, err := c.CreateRegistrant(ctx, org, key, nr, false); !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
		t.Errorf("an answer of another question: %v, want 400", err)
	}
}

func equalResponse(a, b gotowebinar.Response) bool {
	return a.Question == b.Question && a.Type == b.Type && slices.Equal(a.Answers, b.Answers)
}

func TestRegistrationFields_ReadEverySpellingGoToUses(t *testing.T) {
	t.Parallel()
	const body = `{
		"fields": [
			{"field": "firstName", "required": true, "maxSize": 128},
			{"field": "Industry", "required": "false", "maxSize": "128", "answers": ["Software", 42]},
			{"field": "employeeCount", "required": "TRUE"},
			{"field": "favouriteColour", "required": false, "maxSize": 20}
		],
		"questions": [
			{"questionKey": 12345678901234567890, "question": "Level?", "type": "MULTIPLE_CHOICE", "required": "true", "maxSize": 128,
			 "answers": [{"answerKey": "98765432109876543210", "answer": "Expert"}, {"answerKey": 7, "answer": 3}]},
			{"questionKey": "42", "question": "Anything else?", "type": "shortAnswer", "required": false, "maxSize": 1000},
			{"questionKey": 43, "question": "Pick", "type": "dropdown", "answers": [{"answerKey": 1, "answer": "A"}]},
			{"questionKey": 44, "question": "Say", "type": null}
		]
	}`
	var f gotowebinar.RegistrationFields
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	wantFields := []gotowebinar.RegistrationField{
		{Field: "firstName", Required: true, MaxSize: 128},
		{Field: "industry", MaxSize: 128, Answers: []string{"Software", "42"}},
		{Field: "numberOfEmployees", Required: true},
		{Field: "favouriteColour", MaxSize: 20},
	}
	if len(f.Fields) != len(wantFields) {
		t.Fatalf("fields = %+v", f.Fields)
	}
	for i, w := range wantFields {
		if g := f.Fields[i]; g.Field != w.Field || g.Required != w.Required || g.MaxSize != w.MaxSize || !slices.Equal(g.Answers, w.Answers) {
			t.Errorf("field %d = %+v, want %+v", i, g, w)
		}
	}
	q := f.Questions
	if len(q) != 4 {
		t.Fatalf("questions = %+v", q)
	}
	if q[0].QuestionKey != "12345678901234567890" || !q[0].Required || !q[0].MultipleChoice() || q[0].MaxSize != 128 ||
		q[0].Answers[0] != (gotowebinar.RegistrationAnswer{AnswerKey: "98765432109876543210", Answer: "Expert"}) ||
		q[0].Answers[1] != (gotowebinar.RegistrationAnswer{AnswerKey: "7", Answer: "3"}) {
		t.Errorf("question 0 = %+v", q[0])
	}
	if q[1].QuestionKey != "42" || q[1].Required || q[1].MultipleChoice() || q[1].MaxSize != 1000 {
		t.Errorf("question 1 = %+v", q[1])
	}
	if !q[2].MultipleChoice() || q[3].Type != gotowebinar.QuestionShortAnswer {
		t.Errorf("a type we do not know: %+v and %+v, want a multiple choice when it has choices, text otherwise", q[2], q[3])
	}

	for _, bad := range []string{
		`{"fields": [{"field": "email", "required": "perhaps"}]}`,
		`{"questions": [{"questionKey": 1.5, "question": "?"}]}`,
		`{"fields": [{"field": "email", "maxSize": -3}]}`,
	} {
		if err := json.Unmarshal([]byte(bad), &f); err == nil {
			t.Errorf("decoding %s: no error", bad)
		}
	}
}

func TestNewRegistrant_FieldReachesEveryStandardFieldByGoTosNames(t *testing.T) {
	t.Parallel()
	var nr gotowebinar.NewRegistrant
	for _, f := range nr.Fields() {
		*nr.Field(strings.ToUpper(f.Name)) = f.Name
	}
	*nr.Field("comments") = "comments"
	*nr.Field("implementationTimeFrame") = "timeFrame"
	b, err := json.Marshal(nr)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"firstName":"firstName"`, `"zipCode":"zipCode"`, `"questionsAndComments":"comments"`, `"purchasingTimeFrame":"timeFrame"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	if nr.Field("favouriteColour") != nil || nr.Field("source") != nil {
		t.Error("Field reaches a field no registration form has")
	}
}

func TestRegistrantResponse_WritesKeysAsNumbers(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal([]gotowebinar.RegistrantResponse{
		{QuestionKey: "12345678901234567890", AnswerKey: "98765432109876543210"},
		{QuestionKey: "42", ResponseText: "Nothing \"special\""},
	})
	if err != nil {
		t.Fatal(err)
	}
	const want = `[{"questionKey":12345678901234567890,"answerKey":98765432109876543210},{"questionKey":42,"responseText":"Nothing \"special\""}]`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}
