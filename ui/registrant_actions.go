package ui

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/catchup"
	"webinarsync/store"
)

// RegistrantControl changes registrations at GoTo during a session: add
// someone by hand with the webinar's own registration form, remove
// someone. Each change is stored here too.
type RegistrantControl interface {
	// CanChange reports whether there is a GoTo login to act with.
	CanChange() bool
	// Form returns a webinar's registration form at GoTo, kept for a few
	// minutes: the page shows it, then the POST reads it again to check
	// what was filled in.
	Form(ctx context.Context, webinarKey string) (gotowebinar.RegistrationFields, error)
	// Add registers someone at GoTo and returns their registrantKey.
	Add(ctx context.Context, webinarKey string, r catchup.NewRegistrant) (string, error)
	// Remove deletes a registration at GoTo and marks it cancelled here.
	Remove(ctx context.Context, webinarKey, registrantKey string) error
}

// registrantActions is what the webinar page needs to offer the changes.
type registrantActions struct {
	Enabled     bool        // a RegistrantControl with a login
	Added       string      // the registrant just added, by name
	Removed     string      // the registrant just removed, by name
	Form        []formInput // the add form
	FormTrouble string      // why Form has the basic fields only, instead of the webinar's own
}

// actionsFor reads what the webinar page offers, with the webinar's
// registration form, and the outcome of the last change (?added= /
// ?removed= after its redirect).
func (s *Server) actionsFor(r *http.Request, webinarKey string) registrantActions {
	a := registrantActions{Enabled: s.registrants != nil && s.registrants.CanChange()}
	name := func(key string) string {
		if key == "" {
			return ""
		}
		reg, err := s.store.Registrant(webinarKey, key)
		if err != nil {
			return key
		}
		return strings.TrimSpace(fullName(reg.FirstName, reg.LastName) + " (" + reg.Email + ")")
	}
	q := r.URL.Query()
	a.Added, a.Removed = name(q.Get("added")), name(q.Get("removed"))
	if a.Enabled {
		a.Form, a.FormTrouble = s.addForm(r, webinarKey)
	}
	return a
}

// formWait bounds how long the webinar page waits for GoTo's form: a slow
// GoTo gets the basic fields shown rather than the page held up.
const formWait = 5 * time.Second

// addForm is the webinar's registration form to show, or the basic fields
// and why when GoTo's could not be read.
func (s *Server) addForm(r *http.Request, webinarKey string) ([]formInput, string) {
	ctx, cancel := context.WithTimeout(r.Context(), formWait)
	defer cancel()
	form, err := s.registrants.Form(ctx, webinarKey)
	if err != nil {
		s.log.Warn("ui: reading a webinar's registration form", "webinar", webinarKey, "err", err)
		return formInputs(gotowebinar.RegistrationFields{}), formTroubleWords(err)
	}
	return formInputs(form), ""
}

// formInput is one input of the add form: a standard field or one of the
// organizer's questions.
type formInput struct {
	Name      string // the form field: GoTo's name for a standard field, "question-" and its key for a question
	Label     string
	Kind      string // "text", "email", "textarea" or "select"
	Required  bool
	MaxLength int          // 0: no limit said
	Options   []formOption // a select's choices

	field    string          // the standard field it fills, "" for a question
	question gotowebinar.Key // the question it answers
	choice   bool            // answered with the key of an Option
}

type formOption struct{ Value, Label string }

// basicFields are the three GoTo requires of every registration, whatever
// a webinar's form says.
var basicFields = []string{"firstName", "lastName", "email"}

// shortAnswerLines: a short answer allowed more than this many characters
// gets a multi-line box.
const shortAnswerLines = 255

// formInputs lays out a registration form: the basic fields first, then
// the other standard fields it asks, then its questions. Without a form
// (GoTo's could not be read) it is the basic fields with the organization
// and job title, which any form may take.
func formInputs(f gotowebinar.RegistrationFields) []formInput {
	asked := map[string]gotowebinar.RegistrationField{}
	for _, fd := range f.Fields {
		asked[fd.Field] = fd
	}
	var out []formInput
	for _, name := range basicFields {
		fd := asked[name]
		fd.Field, fd.Required = name, true
		out = append(out, fieldInput(fd))
	}
	if len(f.Fields) == 0 && len(f.Questions) == 0 {
		return append(out, fieldInput(gotowebinar.RegistrationField{Field: "organization"}),
			fieldInput(gotowebinar.RegistrationField{Field: "jobTitle"}))
	}
	var nr gotowebinar.NewRegistrant
	for _, fd := range f.Fields {
		// A field GoTo knows and we cannot send is left out: should the
		// form require it, GoTo's refusal says so.
		if slices.Contains(basicFields, fd.Field) || nr.Field(fd.Field) == nil {
			continue
		}
		out = append(out, fieldInput(fd))
	}
	for _, q := range f.Questions {
		in := formInput{Name: "question-" + string(q.QuestionKey), Label: q.Question, Kind: "text",
			Required: q.Required, MaxLength: q.MaxSize, question: q.QuestionKey}
		switch {
		case q.MultipleChoice():
			in.Kind, in.MaxLength, in.choice = "select", 0, true
			for _, a := range q.Answers {
				in.Options = append(in.Options, formOption{Value: string(a.AnswerKey), Label: a.Answer})
			}
		case q.MaxSize > shortAnswerLines:
			in.Kind = "textarea"
		}
		out = append(out, in)
	}
	return out
}

// fieldInput is the input of one standard field.
func fieldInput(fd gotowebinar.RegistrationField) formInput {
	in := formInput{Name: fd.Field, Label: fieldLabel(fd.Field), Kind: "text", Required: fd.Required, MaxLength: fd.MaxSize, field: fd.Field}
	switch {
	case len(fd.Answers) > 0:
		in.Kind, in.MaxLength = "select", 0
		for _, a := range fd.Answers {
			in.Options = append(in.Options, formOption{Value: a, Label: a})
		}
	case fd.Field == "email":
		in.Kind = "email"
	case fd.Field == "questionsAndComments":
		in.Kind = "textarea"
	}
	return in
}

// fieldLabels name GoTo's standard fields as its registration page does.
var fieldLabels = map[string]string{
	"firstName": "First name", "lastName": "Last name", "email": "E-mail", "address": "Address",
	"city": "City", "state": "State", "zipCode": "Postal code", "country": "Country", "phone": "Phone",
	"organization": "Organization", "jobTitle": "Job title", "questionsAndComments": "Questions and comments",
	"industry": "Industry", "numberOfEmployees": "Number of employees",
	"purchasingTimeFrame": "Purchasing time frame", "purchasingRole": "Role in purchasing",
}

// fieldLabel is a standard field's label; a field we have no label for
// shows GoTo's name.
func fieldLabel(name string) string { return cmp.Or(fieldLabels[name], name) }

// incomplete is what a posted add form lacks, for incompleteWords.
type incomplete struct {
	Missing  []string // the labels of required inputs left blank
	BadEmail string   // an e-mail address without an @
}

// fill reads the posted add form into a registration, and says what it
// lacks that GoTo would refuse it for.
func fill(r *http.Request, inputs []formInput) (catchup.NewRegistrant, incomplete) {
	var nr catchup.NewRegistrant
	var in incomplete
	for _, input := range inputs {
		v := strings.TrimSpace(r.PostFormValue(input.Name))
		if input.Kind == "select" && !slices.ContainsFunc(input.Options, func(o formOption) bool { return o.Value == v }) {
			v = "" // not one of the choices: a form older than GoTo's, or not ours
		}
		if v == "" {
			if input.Required {
				in.Missing = append(in.Missing, input.Label)
			}
			continue
		}
		switch {
		case input.field != "":
			*nr.Field(input.field) = v
		case input.choice:
			nr.Responses = append(nr.Responses, gotowebinar.RegistrantResponse{QuestionKey: input.question, AnswerKey: gotowebinar.Key(v)})
		default:
			nr.Responses = append(nr.Responses, gotowebinar.RegistrantResponse{QuestionKey: input.question, ResponseText: v})
		}
	}
	if nr.Email != "" && !strings.Contains(nr.Email, "@") {
		in.BadEmail = nr.Email
	}
	return nr, in
}

// addRegistrant serves POST /webinars/{webinarKey}/registrants: the
// webinar's form as filled in, checked for what it requires, sent to GoTo.
func (s *Server) addRegistrant(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("webinarKey")
	if _, err := s.store.Webinar(key); err != nil {
		return fmt.Errorf("webinar %s: %w", key, err)
	}
	ctx, cancel := accountContext(r)
	defer cancel()
	form, err := s.registrants.Form(ctx, key)
	if err != nil {
		// The basic fields are checked, and GoTo's refusal says what else
		// its form needs.
		s.log.Warn("ui: reading a webinar's registration form to check a registration", "webinar", key, "err", err)
	}
	nr, lacks := fill(r, formInputs(form))
	if len(lacks.Missing) > 0 || lacks.BadEmail != "" {
		return &userError{status: http.StatusBadRequest, title: "Registrant not added", msg: incompleteWords(lacks)}
	}
	regKey, err := s.registrants.Add(ctx, key, nr)
	if err != nil {
		return actionFailed("Registrant not added", err, true)
	}
	s.log.Info("ui: registrant added at GoTo", "webinar", key, "registrant", regKey)
	http.Redirect(w, r, webinarURL(key)+"?added="+url.QueryEscape(regKey)+"#registrants-h", http.StatusSeeOther)
	return nil
}

// removeView is the confirmation page for removing a registrant.
type removeView struct {
	chrome
	Webinar    store.Webinar
	Registrant store.Registrant
	Ended      bool // GoTo refuses changes to an ended webinar: nothing to offer
}

// confirmRemove serves GET /webinars/{webinarKey}/registrants/{registrantKey}/remove:
// the step that asks before anything is deleted at GoTo.
func (s *Server) confirmRemove(w http.ResponseWriter, r *http.Request) error {
	key, regKey := r.PathValue("webinarKey"), r.PathValue("registrantKey")
	wb, reg, err := s.pathRegistrant(key, regKey)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, removePage(removeView{
		chrome: s.chrome("Remove "+fullName(reg.FirstName, reg.LastName), "home"), Webinar: wb, Registrant: reg,
		Ended: webinarEnded(wb, s.now()),
	}))
}

// removeRegistrant serves POST /webinars/{webinarKey}/registrants/{registrantKey}/remove.
func (s *Server) removeRegistrant(w http.ResponseWriter, r *http.Request) error {
	key, regKey := r.PathValue("webinarKey"), r.PathValue("registrantKey")
	if _, err := s.store.Registrant(key, regKey); err != nil {
		return fmt.Errorf("registrant %s of %s: %w", regKey, key, err)
	}
	ctx, cancel := accountContext(r)
	defer cancel()
	if err := s.registrants.Remove(ctx, key, regKey); err != nil {
		return actionFailed("Registrant not removed", err, false)
	}
	s.log.Info("ui: registrant removed at GoTo", "webinar", key, "registrant", regKey)
	http.Redirect(w, r, webinarURL(key)+"?removed="+url.QueryEscape(regKey)+"#registrants-h", http.StatusSeeOther)
	return nil
}

// actionFailed turns a failed change into a page that says why.
func actionFailed(title string, err error, added bool) error {
	return &userError{status: http.StatusBadGateway, title: title, msg: actionWords(err, added), err: err}
}

// minutes says an attendance time in whole minutes: "42 min".
func minutes(seconds int64) string {
	if seconds > 0 && seconds < 60 {
		return "under a minute"
	}
	return num(int(seconds/60)) + " min"
}

// isCancelledStatus reports whether a registration is cancelled already.
func isCancelledStatus(status string) bool {
	return strings.EqualFold(status, "cancelled") || strings.EqualFold(status, "canceled")
}

// removeURL is a registrant's remove confirmation page.
func removeURL(webinarKey, registrantKey string) string {
	return webinarURL(webinarKey) + "/registrants/" + url.PathEscape(registrantKey) + "/remove"
}

// attendeesCSVURL is a webinar's attendees-per-session download.
func attendeesCSVURL(key string) string { return webinarURL(key) + "/attendees.csv" }
