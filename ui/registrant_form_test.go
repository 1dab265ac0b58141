package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/catchup"
)

// launchForm is a registration form asking more than the basic fields: a
// required organization, an industry from a list, comments, a field we
// cannot send, a required multiple choice and two short answers.
func launchForm() gotowebinar.RegistrationFields {
	return gotowebinar.RegistrationFields{
		Fields: []gotowebinar.RegistrationField{
			{Field: "firstName", Required: true, MaxSize: 128}, {Field: "lastName", Required: true, MaxSize: 128},
			{Field: "email", Required: true, MaxSize: 128}, {Field: "organization", Required: true, MaxSize: 128},
			{Field: "industry", MaxSize: 128, Answers: []string{"Software", "Retail & Trade"}},
			{Field: "questionsAndComments", MaxSize: 128}, {Field: "favouriteColour", Required: true},
		},
		Questions: []gotowebinar.RegistrationQuestion{
			{QuestionKey: "111", Question: "Your experience level", Type: gotowebinar.QuestionMultipleChoice, Required: true,
				Answers: []gotowebinar.RegistrationAnswer{{AnswerKey: "7", Answer: "Beginner"}, {AnswerKey: "8", Answer: "Expert"}}},
			{QuestionKey: "222", Question: "Your team's name", Type: gotowebinar.QuestionShortAnswer, MaxSize: 100},
			{QuestionKey: "333", Question: "What should we cover?", Type: gotowebinar.QuestionShortAnswer, MaxSize: 1000},
		},
	}
}

func TestAddForm_ShowsTheWebinarsFieldsAndQuestionsWithRequiredMarks(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	rc := &fakeRegistrants{canChange: true, form: launchForm()}
	page := get(t, handler(t, Config{Store: st, Registrants: rc}), "/webinars/"+launchKey).Body.String()
	form := page[strings.Index(page, `<form class="registrant-add"`):]
	form = form[:strings.Index(form, "</form>")]

	mustContain(t, form,
		`<input type="text" name="firstName" required autocomplete="off" maxlength="128">`,
		`<input type="email" name="email" required autocomplete="off" maxlength="128">`,
		`Organization <em class="muted small">required</em>`, `<input type="text" name="organization" required`,
		`<select name="industry"><option value="">—</option> <option value="Software">Software</option><option value="Retail &amp; Trade">`,
		`<textarea name="questionsAndComments" rows="2" maxlength="128"></textarea>`,
		`Your experience level <em class="muted small">required</em>`,
		`<select name="question-111" required><option value="">—</option> <option value="7">Beginner</option><option value="8">Expert</option></select>`,
		`<input type="text" name="question-222" autocomplete="off" maxlength="100">`,
		`What should we cover? </span> <textarea name="question-333" rows="2" maxlength="1000"></textarea>`,
	)
	mustNotContain(t, form, "favouriteColour", `Industry <em`, `Your team&#39;s name <em`)
	if n := strings.Count(form, `<em class="muted small">required</em>`); n != 5 {
		t.Errorf("%d inputs marked required, want 5 (name, surname, e-mail, organization, level)", n)
	}
	if order := []int{strings.Index(form, `name="firstName"`), strings.Index(form, `name="email"`),
		strings.Index(form, `name="organization"`), strings.Index(form, `name="question-111"`)}; !slices.IsSorted(order) {
		t.Errorf("inputs out of order (basic fields, the others, questions): %v", order)
	}
}

func TestAddForm_SendsTheFieldsAndAnswersAsGoToTakesThem(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	rc := &fakeRegistrants{canChange: true, form: launchForm()}
	h := handler(t, Config{Store: st, Registrants: rc})
	rec := post(t, h, "/webinars/"+launchKey+"/registrants", url.Values{
		"firstName": {"Małgorzata"}, "lastName": {"Wójcik"}, "email": {"m.wojcik@sgl.fr"}, "organization": {" Société Générale de Logiciels "},
		"industry": {"Retail & Trade"}, "question-111": {"8"}, "question-333": {"Webhooks\nand SSO"}, "question-222": {"  "},
		"jobTitle": {"not on this form"},
	}, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("adding: %d\n%s", rec.Code, rec.Body)
	}
	got := rc.addedRegistrant
	want := []gotowebinar.RegistrantResponse{{QuestionKey: "111", AnswerKey: "8"}, {QuestionKey: "333", ResponseText: "Webhooks\nand SSO"}}
	if got.FirstName != "Małgorzata" || got.Organization != "Société Générale de Logiciels" || got.Industry != "Retail & Trade" ||
		got.JobTitle != "" || !slices.Equal(got.Responses, want) {
		t.Errorf("sent %+v\nwant the form's fields and answers %+v", got, want)
	}
}

func TestAddForm_RequiredLeftBlankIsSaidInWordsAndNothingSent(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	rc := &fakeRegistrants{canChange: true, form: launchForm()}
	h := handler(t, Config{Store: st, Registrants: rc})
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"organization and level blank", url.Values{"firstName": {"Ana"}, "lastName": {"López"}, "email": {"ana@cafeole.es"}, "organization": {" "}},
			"The webinar&#39;s registration form requires “Organization” and “Your experience level”. Go back and complete the form."},
		{"a choice the question does not have", url.Values{"firstName": {"Ana"}, "lastName": {"López"}, "email": {"ana@cafeole.es"},
			"organization": {"Café Olé S.L."}, "question-111": {"9"}},
			"The webinar&#39;s registration form requires “Your experience level”."},
		{"no name, a bad e-mail", url.Values{"email": {"nope"}, "organization": {"Café Olé S.L."}, "question-111": {"7"}},
			"requires “First name” and “Last name”. “nope” is not an e-mail address. Go back and complete the form."},
	} {
		rec := post(t, h, "/webinars/"+launchKey+"/registrants", tc.form, nil)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", tc.name, rec.Code)
		}
		mustContain(t, rec.Body.String(), "Registrant not added", tc.want)
	}
	if len(rc.added) != 0 {
		t.Errorf("sent to GoTo: %v", rc.added)
	}
}

func TestAddForm_WithoutGoTosFormTheBasicFieldsAreShownAndSent(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	rc := &fakeRegistrants{canChange: true, formErr: fmt.Errorf("reading the form: %w", &gotowebinar.APIError{Status: http.StatusServiceUnavailable})}
	h := handler(t, Config{Store: st, Registrants: rc})
	page := get(t, h, "/webinars/"+launchKey).Body.String()
	mustContain(t, page, "The webinar&#39;s own registration form could not be read from GoTo, so only the basic fields are shown",
		"GoTo had a problem on its side (HTTP 503); try again in a moment.",
		`name="firstName" required`, `name="lastName" required`, `name="email" required`, `name="organization" autocomplete`, `name="jobTitle"`)
	mustNotContain(t, page, "503 Service")

	rec := post(t, h, "/webinars/"+launchKey+"/registrants", url.Values{"firstName": {"Loïc"}, "lastName": {"Moreau"}, "email": {"loic@sgl.fr"}, "jobTitle": {"CTO"}}, nil)
	if rec.Code != http.StatusSeeOther || rc.addedRegistrant.JobTitle != "CTO" {
		t.Errorf("adding with the basic fields: %d (%+v)", rec.Code, rc.addedRegistrant)
	}
}

func TestAddForm_NotReadWithoutALogin(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	rc := &fakeRegistrants{}
	mustNotContain(t, get(t, handler(t, Config{Store: st, Registrants: rc}), "/webinars/"+launchKey).Body.String(), "registrant-add")
	if rc.formReads != 0 {
		t.Errorf("the form was read %d times without a login", rc.formReads)
	}
}

func TestActionWords_NameWhatGoTosFormRequires(t *testing.T) {
	t.Parallel()
	refusal := &gotowebinar.APIError{Status: http.StatusBadRequest, Message: "Missing response to required question 111: Your experience level"}
	got := actionWords(fmt.Errorf("registering: %w", &catchup.Unanswered{Fields: []string{"organization"}, Questions: []string{"Your experience level"}, Err: refusal}), true)
	const want = "GoTo refused: the webinar's registration form requires “Organization” and “Your experience level”, left blank. " +
		"The form may have changed at GoTo since the page was shown: go back, reload it and fill them in."
	if got != want {
		t.Errorf("actionWords = %q\nwant %q", got, want)
	}
	if got := listWords([]string{"A", "B", "C"}); got != "“A”, “B” and “C”" {
		t.Errorf("listWords = %q", got)
	}
}
