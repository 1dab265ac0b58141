package catchup

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/record"
	"webinarsync/store"
)

// Registrants makes the registrant changes an organizer asks for during a
// session: at GoTo first, then here, so this computer never shows a
// change GoTo did not make. It keeps the webinars' registration forms a
// few minutes, since the webinar page shows one every time it is viewed.
type Registrants struct {
	store  *store.Store
	client *gotowebinar.Client
	login  Login
	log    *slog.Logger
	now    func() time.Time

	mu    sync.Mutex
	forms map[formKey]keptForm
}

// NewRegistrants builds Registrants over the same store, client and login
// as the sync.
func NewRegistrants(c Config) *Registrants {
	r := &Registrants{
		store: c.Store, client: c.Client, login: c.Login, log: cmp.Or(c.Logger, slog.New(slog.DiscardHandler)),
		now: c.Now, forms: make(map[formKey]keptForm),
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// NewRegistrant is a webinar's registration form as the organizer filled
// it in: the standard fields and the answers to its questions, by key.
type NewRegistrant = gotowebinar.NewRegistrant

// SavedAtGoToOnly: GoTo made the change, but keeping it here failed; the
// next sync brings it.
type SavedAtGoToOnly struct{ Err error }

func (e *SavedAtGoToOnly) Error() string {
	return "GoTo made the change, but storing it here failed: " + e.Err.Error()
}
func (e *SavedAtGoToOnly) Unwrap() error { return e.Err }

// Unanswered: GoTo refused a registration that leaves blank what the
// webinar's form, read again after the refusal, requires. The form
// changed since it was shown, or the registration skipped it.
type Unanswered struct {
	Fields    []string // standard fields, by GoTo's name (firstName, organization, …)
	Questions []string // the organizer's questions, in their words
	Err       error    // GoTo's refusal
}

func (e *Unanswered) Error() string {
	return fmt.Sprintf("the registration leaves required fields %v and questions %q blank: %v", e.Fields, e.Questions, e.Err)
}
func (e *Unanswered) Unwrap() error { return e.Err }

// CanChange reports whether a login can make changes at GoTo.
func (r *Registrants) CanChange() bool {
	_, ok := r.login.OrganizerKey()
	return ok
}

// organizer is the organizer key to act as.
func (r *Registrants) organizer() (gotowebinar.Key, error) {
	org, ok := r.login.OrganizerKey()
	if !ok {
		return "", gotowebinar.ErrNotLoggedIn
	}
	return org, nil
}

// How long and how many registration forms are kept. An organizer rarely
// edits a form during a session, and when GoTo refuses a registration the
// form is read again; the bound keeps a long session's memory flat.
const (
	formTTL  = 5 * time.Minute
	maxForms = 64
)

// formKey is whose form of which webinar: a login as another organizer
// sees other webinars.
type formKey struct {
	organizer gotowebinar.Key
	webinar   string
}

type keptForm struct {
	form gotowebinar.RegistrationFields
	read time.Time
}

// Form returns a webinar's registration form at GoTo: the standard fields
// it asks, its questions, which of them are required. The error is
// gotowebinar.ErrNotLoggedIn or GoTo's, for gotowebinar.Classify.
func (r *Registrants) Form(ctx context.Context, webinarKey string) (gotowebinar.RegistrationFields, error) {
	org, err := r.organizer()
	if err != nil {
		return gotowebinar.RegistrationFields{}, err
	}
	k := formKey{org, webinarKey}
	r.mu.Lock()
	kept, ok := r.forms[k]
	r.mu.Unlock()
	if ok && r.now().Sub(kept.read) < formTTL {
		return kept.form, nil
	}
	return r.readForm(ctx, k)
}

// readForm asks GoTo for a form and keeps it, in place of the oldest one
// kept when there are too many.
func (r *Registrants) readForm(ctx context.Context, k formKey) (gotowebinar.RegistrationFields, error) {
	form, err := r.client.RegistrationFields(ctx, k.organizer, gotowebinar.Key(k.webinar))
	if err != nil {
		return gotowebinar.RegistrationFields{}, fmt.Errorf("reading the registration form of webinar %s at GoTo: %w", k.webinar, err)
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.forms[k]; !ok && len(r.forms) >= maxForms {
		var oldest formKey
		first := true
		for key, f := range r.forms {
			if first || f.read.Before(r.forms[oldest].read) {
				oldest, first = key, false
			}
		}
		delete(r.forms, oldest)
	}
	r.forms[k] = keptForm{form: form, read: now}
	return form, nil
}

// Add registers someone at GoTo, then stores them with what GoTo answers
// for them (status, join link, registration time, answers in words).
func (r *Registrants) Add(ctx context.Context, webinarKey string, nr NewRegistrant) (string, error) {
	org, err := r.organizer()
	if err != nil {
		return "", err
	}
	nr.Source = cmp.Or(nr.Source, "webinarsync (added by the organizer)")
	created, err := r.client.CreateRegistrant(ctx, org, gotowebinar.Key(webinarKey), nr, false)
	if err != nil {
		err = fmt.Errorf("registering at GoTo: %w", err)
		if gotowebinar.Classify(err).Kind == gotowebinar.ProblemRefused {
			return "", r.refused(ctx, formKey{org, webinarKey}, nr, err)
		}
		return "", err
	}
	now := r.now()
	reg, err := r.client.GetRegistrant(ctx, org, gotowebinar.Key(webinarKey), created.RegistrantKey)
	detailed := err == nil
	if !detailed {
		// Registered at GoTo all the same: store what we sent; the next
		// sync completes it.
		r.log.Warn("reading back a registrant we added", "webinar", webinarKey, "registrant", created.RegistrantKey, "err", err)
		reg = nr.Registrant(created, now)
		r.mu.Lock()
		reg.Responses = r.forms[formKey{org, webinarKey}].form.Describe(nr.Responses)
		r.mu.Unlock()
	}
	if _, err := r.store.MergeRegistrants(webinarKey, []record.Registrant{reg.Record()}, now, detailed); err != nil {
		return "", &SavedAtGoToOnly{Err: err}
	}
	r.log.Info("registrant added at GoTo", "webinar", webinarKey, "registrant", created.RegistrantKey)
	return string(created.RegistrantKey), nil
}

// refused reads the form again after GoTo refused a registration, since
// it may have changed since it was shown, and says what the registration
// leaves blank that it requires, if anything; otherwise GoTo's refusal
// stands as it is.
func (r *Registrants) refused(ctx context.Context, k formKey, nr NewRegistrant, refusal error) error {
	form, err := r.readForm(ctx, k)
	if err != nil {
		r.log.Warn("reading a registration form again after GoTo refused a registration", "webinar", k.webinar, "err", err)
		return refusal
	}
	fields, keys := form.Missing(nr)
	if len(fields) == 0 && len(keys) == 0 {
		return refusal
	}
	u := &Unanswered{Fields: fields, Err: refusal}
	for _, key := range keys {
		q, _ := form.Question(key)
		u.Questions = append(u.Questions, q.Question)
	}
	return u
}

// Remove deletes a registration at GoTo, then marks it cancelled here
// (everything known about them stays).
func (r *Registrants) Remove(ctx context.Context, webinarKey, registrantKey string) error {
	org, err := r.organizer()
	if err != nil {
		return err
	}
	err = r.client.DeleteRegistrant(ctx, org, gotowebinar.Key(webinarKey), gotowebinar.Key(registrantKey))
	if err != nil && !gotowebinar.IsNotFound(err) { // already gone at GoTo: mark it here too
		return fmt.Errorf("removing at GoTo: %w", err)
	}
	if err := r.store.MarkRegistrantRemoved(webinarKey, registrantKey, time.Now()); err != nil {
		return &SavedAtGoToOnly{Err: err}
	}
	r.log.Info("registrant removed at GoTo", "webinar", webinarKey, "registrant", registrantKey)
	return nil
}
