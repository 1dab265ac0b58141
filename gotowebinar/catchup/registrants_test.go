package catchup

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/store"
)

// formClock is a settable Config.Now.
type formClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *formClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *formClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// seriesFixture is a logged-in account whose simulator has announced its
// webinars, among them a series whose form requires its two questions, and
// Registrants on a clock of the test's.
func seriesFixture(t *testing.T) (*fixture, *Registrants, *formClock, gotosim.Webinar) {
	t.Helper()
	f := newFixture(t, fixtureConfig{})
	f.sim.Generator().Next() // the burst announces the webinars
	var series gotosim.Webinar
	for _, w := range f.sim.Generator().Webinars() {
		if w.RecurrenceType == "series" {
			series = w
		}
	}
	if series.Key == "" {
		t.Fatal("the simulator announced no series")
	}
	clock := &formClock{t: time.Now()}
	cfg := f.cfg
	cfg.Now = clock.Now
	return f, NewRegistrants(cfg), clock, series
}

func fieldsPath(f *fixture, webinarKey string) string {
	return "/organizers/" + f.sim.OrganizerKey() + "/webinars/" + webinarKey + "/registrants/fields"
}

func TestRegistrants_FormIsTheWebinarsOwnReadAgainAfterAFewMinutes(t *testing.T) {
	t.Parallel()
	f, regs, clock, series := seriesFixture(t)
	ctx := t.Context()

	form, err := regs.Form(ctx, series.Key)
	if err != nil {
		t.Fatal(err)
	}
	if len(form.Questions) != 2 || !form.Questions[0].Required || !form.Questions[1].MultipleChoice() || len(form.Fields) < 3 {
		t.Errorf("the series' form = %+v, want its two required multiple choices", form)
	}
	if _, err := regs.Form(ctx, series.Key); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Count("GET", fieldsPath(f, series.Key)); n != 1 {
		t.Errorf("GoTo was asked %d times for a form shown twice in a row, want once", n)
	}
	clock.Advance(formTTL)
	if _, err := regs.Form(ctx, series.Key); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Count("GET", fieldsPath(f, series.Key)); n != 2 {
		t.Errorf("GoTo was asked %d times, want twice: the form is read again after %v", n, formTTL)
	}

	_, err = regs.Form(ctx, "123")
	if p := gotowebinar.Classify(err); p.Kind != gotowebinar.ProblemNotFound {
		t.Errorf("the form of a webinar GoTo does not know: %v (%+v), want not found", err, p)
	}
}

func TestRegistrants_FormsKeptAreBounded(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureConfig{pop: gotosim.Population{Webinars: maxForms + 3, Start: time.Now().Add(time.Hour)}})
	clock := &formClock{t: time.Now()}
	cfg := f.cfg
	cfg.Now = clock.Now
	regs := NewRegistrants(cfg)
	for _, w := range f.webinars {
		if _, err := regs.Form(t.Context(), w.Key); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
	}
	regs.mu.Lock()
	n := len(regs.forms)
	_, first := regs.forms[formKey{gotowebinar.Key(f.sim.OrganizerKey()), f.webinars[0].Key}]
	_, last := regs.forms[formKey{gotowebinar.Key(f.sim.OrganizerKey()), f.webinars[len(f.webinars)-1].Key}]
	regs.mu.Unlock()
	if n != maxForms || first || !last {
		t.Errorf("%d forms kept (the first: %v, the last: %v); want %d, the oldest let go", n, first, last, maxForms)
	}
}

func TestRegistrants_AddAnswersTheWebinarsRequiredQuestions(t *testing.T) {
	t.Parallel()
	f, regs, _, series := seriesFixture(t)
	ctx := t.Context()
	form, err := regs.Form(ctx, series.Key)
	if err != nil {
		t.Fatal(err)
	}
	topics, level := form.Questions[0], form.Questions[1]
	nr := NewRegistrant{FirstName: "Chinedu", LastName: "Eze", Email: "chinedu@globex.com", Organization: "Globex Corporation",
		Industry: "Software", QuestionsAndComments: "See you there",
		Responses: []gotowebinar.RegistrantResponse{
			{QuestionKey: topics.QuestionKey, AnswerKey: topics.Answers[2].AnswerKey},
			{QuestionKey: level.QuestionKey, AnswerKey: level.Answers[0].AnswerKey},
		}}
	key, err := regs.Add(ctx, series.Key, nr)
	if err != nil {
		t.Fatalf("adding with every answer: %v", err)
	}
	stored, err := f.st.Registrant(series.Key, key)
	if err != nil {
		t.Fatal(err)
	}
	var answers []string
	for _, r := range stored.Responses {
		answers = append(answers, r.Question+": "+r.Answer())
	}
	want := []string{topics.Question + ": " + topics.Answers[2].Answer, level.Question + ": " + level.Answers[0].Answer}
	if stored.Organization != nr.Organization || stored.Industry != "Software" || stored.Comments != "See you there" || !slices.Equal(answers, want) {
		t.Errorf("stored %+v with answers %q, want what was sent and %q", stored, answers, want)
	}
	sent := f.srv.Requests("POST", "/organizers/"+f.sim.OrganizerKey()+"/webinars/"+series.Key+"/registrants")
	if len(sent) != 1 || !bytes.Contains(sent[0].Body, []byte(`"answerKey":`+string(level.Answers[0].AnswerKey))) ||
		!bytes.Contains(sent[0].Body, []byte(`"source":"webinarsync (added by the organizer)"`)) {
		t.Errorf("sent %s", sent)
	}
}

func TestRegistrants_AddMissingARequiredAnswerSaysWhichEvenWhenTheFormShownWasOlder(t *testing.T) {
	t.Parallel()
	f, regs, _, series := seriesFixture(t)
	ctx := t.Context()
	// The form shown was read before the organizer made its questions
	// required at GoTo.
	var once sync.Once
	f.srv.SetFront(func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		served := false
		if strings.HasSuffix(r.URL.Path, "/registrants/fields") {
			once.Do(func() {
				rec := httptest.NewRecorder()
				f.sim.Handler().ServeHTTP(rec, r)
				w.Header().Set("Content-Type", "application/json")
				w.Write(bytes.ReplaceAll(rec.Body.Bytes(), []byte(`"required":true`), []byte(`"required":false`)))
				served = true
			})
		}
		return served
	})
	shown, err := regs.Form(ctx, series.Key)
	if err != nil {
		t.Fatal(err)
	}
	if shown.Questions[1].Required {
		t.Fatal("the older form already requires the question")
	}
	topics, level := shown.Questions[0], shown.Questions[1]
	nr := NewRegistrant{FirstName: "Olúwaseun", LastName: "Adébáyọ̀", Email: "seun@tsdigital.in",
		Responses: []gotowebinar.RegistrantResponse{{QuestionKey: topics.QuestionKey, AnswerKey: topics.Answers[0].AnswerKey}}}

	_, err = regs.Add(ctx, series.Key, nr)
	var unanswered *Unanswered
	if !errors.As(err, &unanswered) || !slices.Equal(unanswered.Questions, []string{level.Question}) || len(unanswered.Fields) != 0 {
		t.Fatalf("adding without %q: %v, want Unanswered naming it", level.Question, err)
	}
	if p := gotowebinar.Classify(err); p.Kind != gotowebinar.ProblemRefused || !strings.Contains(p.Reason, level.Question) {
		t.Errorf("GoTo's refusal is not kept underneath: %+v", p)
	}
	if form, err := regs.Form(ctx, series.Key); err != nil || !form.Questions[1].Required {
		t.Errorf("after the refusal the form is %+v (%v), want GoTo's current one", form, err)
	}
	if _, n, _ := f.st.Registrants(series.Key, store.RegistrantQuery{}); n != 0 {
		t.Errorf("%d registrants stored after GoTo refused", n)
	}

	// Refused for something else than a blank: GoTo's refusal as it is.
	nr.Responses = append(nr.Responses, gotowebinar.RegistrantResponse{QuestionKey: level.QuestionKey, AnswerKey: topics.Answers[1].AnswerKey})
	_, err = regs.Add(ctx, series.Key, nr)
	if errors.As(err, &unanswered) || gotowebinar.Classify(err).Kind != gotowebinar.ProblemRefused {
		t.Errorf("an answer of another question: %v, want GoTo's refusal", err)
	}
}

func TestRegistrants_FormAndAddNeedALogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureConfig{loggedOut: true})
	regs := NewRegistrants(f.cfg)
	if _, err := regs.Form(t.Context(), "123"); !errors.Is(err, gotowebinar.ErrNotLoggedIn) {
		t.Errorf("Form logged out: %v", err)
	}
	if _, err := regs.Add(t.Context(), "123", NewRegistrant{FirstName: "A", LastName: "B", Email: "a@b.c"}); !errors.Is(err, gotowebinar.ErrNotLoggedIn) {
		t.Errorf("Add logged out: %v", err)
	}
}
