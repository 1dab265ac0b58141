package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
	"webinarsync/record"
)

// Merging what GoTo's REST API says (a catch-up sync) with what webhooks
// delivered. The rules, so nothing a webhook brought is lost:
//   - fields only fill gaps: a value a webhook delivered is never replaced,
//     and an empty value never erases one;
//   - custom answers from a webhook are kept; REST's only fill a registrant
//     who has none;
//   - the status is the one exception: it wins by recency. REST's is as of
//     the moment we asked (observedAt), a webhook's as of its timestamp, so
//     a denial or approval made after the registration event replaces it,
//     and an older delivery arriving late does not undo what REST said.
//     REST cannot say "cancelled" (it knows APPROVED, WAITING, DENIED), so
//     its APPROVED or WAITING never replaces a cancellation, unless the
//     registration it lists is newer than the cancellation;
//   - keys are kept as GoTo's exact decimal text;
//   - merging the same answer twice changes nothing and writes nothing.

// Sub-buckets of a webinar's data bucket that only the sync writes.
const (
	subDetailed   = "detailed"   // registrantKey -> when GoTo gave us the whole registration (RFC 3339)
	subSessions   = "sessions"   // sessionKey -> Session JSON
	subAttendance = "attendance" // sessionKey NUL registrantKey -> Attendance JSON
)

// statusCancelled is how a cancelled registration is spelled, as GoTo's
// webhooks spell it.
const statusCancelled = "Cancelled"

// MergeResult counts what a merge did.
type MergeResult struct {
	Added   int // not known before
	Changed int // known, and something changed
}

// MergeWebinars applies webinars as a provider's REST API listed them at
// observedAt.
func (s *Store) MergeWebinars(ws []record.Webinar, observedAt time.Time) (MergeResult, error) {
	observedAt = storableTime(observedAt)
	var res MergeResult
	err := s.batch(func(tx *bolt.Tx) error {
		res = MergeResult{}
		for _, rw := range ws {
			if err := mergeWebinarTx(tx, rw, observedAt, &res); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return MergeResult{}, fmt.Errorf("store: merge webinars: %w", err)
	}
	return res, nil
}

func mergeWebinarTx(tx *bolt.Tx, rw record.Webinar, observedAt time.Time, res *MergeResult) error {
	key := rw.Key
	if key == "" || webinarDeleted(tx, key) { // deleted here: not copied back (erase.go)
		return nil
	}
	w, found, err := getWebinar(tx, key)
	if err != nil {
		return err
	}
	if !found {
		w = Webinar{WebinarKey: key}
		if err := newWebinar(tx, key); err != nil {
			return err
		}
	}
	before, err := json.Marshal(w)
	if err != nil {
		return err
	}
	// A webinar GoTo lists now is as it is now: what it says is newer than
	// any event we applied before, unless a timestamp lies ahead of our clock.
	newer := !found || w.UpdatedAt.IsZero() || !observedAt.Before(w.UpdatedAt)
	mergeString(&w.Title, rw.Title, newer)
	mergeString(&w.Description, rw.Description, newer)
	mergeFold(&w.ExperienceType, strings.ToUpper(rw.ExperienceType), newer)
	mergeFold(&w.RecurrenceType, rw.RecurrenceType, newer)
	mergeString(&w.RecurrenceKey, rw.RecurrenceKey, false)
	mergeString(&w.OrganizerKey, rw.OrganizerKey, false)
	mergeString(&w.AccountKey, rw.AccountKey, false)
	mergeString(&w.TimeZone, rw.TimeZone, newer)

	times := make([]gotowebinar.TimeRange, 0, len(rw.Times))
	var start, end time.Time
	for _, tr := range rw.Times {
		t := gotowebinar.TimeRange{
			StartTime: gotowebinar.Time{Time: storableTime(tr.Start)},
			EndTime:   gotowebinar.Time{Time: storableTime(tr.End)},
			TimeZone:  tr.TimeZone,
		}
		times = append(times, t)
		if !t.StartTime.IsZero() && (start.IsZero() || t.StartTime.Before(start)) {
			start = t.StartTime.Time
		}
		if t.EndTime.After(end) {
			end = t.EndTime.Time
		}
	}
	if len(times) > 0 && (newer || len(w.Times) == 0) && !sameTimes(w.Times, times) {
		w.Times = times
		mergeTime(&w.StartTime, start, true)
		mergeTime(&w.EndTime, end, true)
	}
	after, err := json.Marshal(w)
	if err != nil {
		return err
	}
	switch {
	case !found:
		res.Added++
	case bytes.Equal(before, after):
		return nil // nothing new: no write
	default:
		res.Changed++
	}
	if observedAt.After(w.UpdatedAt) {
		w.UpdatedAt = observedAt
	}
	return putWebinar(tx, w)
}

func sameTimes(a, b []gotowebinar.TimeRange) bool {
	return slices.EqualFunc(a, b, func(x, y gotowebinar.TimeRange) bool {
		return x.StartTime.Equal(y.StartTime.Time) && x.EndTime.Equal(y.EndTime.Time)
	})
}

// MergeRegistrants applies registrants of one webinar as a provider's REST
// API gave them at observedAt: from the listing (the basic fields) or, with
// detailed, from GetRegistrant (every field; recorded so it is not asked
// for again). The webinar is created as a stub when unknown.
func (s *Store) MergeRegistrants(webinarKey string, rs []record.Registrant, observedAt time.Time, detailed bool) (MergeResult, error) {
	if webinarKey == "" {
		return MergeResult{}, errors.New("store: merge registrants: no webinar key")
	}
	observedAt = storableTime(observedAt)
	var res MergeResult
	err := s.batch(func(tx *bolt.Tx) error {
		res = MergeResult{}
		if webinarDeleted(tx, webinarKey) {
			return nil
		}
		_, known, err := getWebinar(tx, webinarKey)
		if err != nil {
			return err
		}
		w, data, err := ensureWebinar(tx, gotowebinar.WebinarRef{WebinarKey: gotowebinar.Key(webinarKey)})
		if err != nil {
			return err
		}
		counts := w.Registrants
		for _, rr := range rs {
			if err := mergeRegistrantTx(tx, data, &w, rr, observedAt, detailed, &res); err != nil {
				return err
			}
		}
		if !known || w.Registrants != counts {
			return putWebinar(tx, w)
		}
		return nil
	})
	if err != nil {
		return MergeResult{}, fmt.Errorf("store: merge registrants of %s: %w", webinarKey, err)
	}
	return res, nil
}

func mergeRegistrantTx(tx *bolt.Tx, data *bolt.Bucket, w *Webinar, rr record.Registrant, observedAt time.Time, detailed bool, res *MergeResult) error {
	key := rr.Key
	if key == "" || registrantErased(tx, w.WebinarKey, key) { // erased here: not copied back
		return nil
	}
	if detailed {
		if err := markDetailed(data, key, observedAt); err != nil {
			return err
		}
	}
	r, found, err := getRegistrant(data.Bucket([]byte(subRegistrants)), key)
	if err != nil {
		return err
	}
	if !found {
		r = registrantRecord{Registrant: Registrant{WebinarKey: w.WebinarKey, RegistrantKey: key}}
	}
	before, err := json.Marshal(r)
	if err != nil {
		return err
	}
	oldIndex, oldStatus := r.indexKey(), r.Status

	// Fields fill gaps only: what a webhook delivered stays.
	p := rr.Profile
	for _, f := range p.Fields() {
		*f.Value = strings.TrimSpace(*f.Value)
	}
	mergeProfile(&r.Profile, p, false)
	mergeString(&r.RegistrationSource, strings.TrimSpace(rr.Source), false)
	mergeString(&r.JoinURL, strings.TrimSpace(rr.JoinURL), false)
	registered := storableTime(rr.RegisteredAt)
	mergeTime(&r.RegistrationDate, registered, false)
	var newQuestions []record.Response
	if len(r.Responses) == 0 && len(rr.Responses) > 0 {
		r.Responses = slices.Clone(rr.Responses)
		newQuestions = rr.Responses
	}

	statusChanged := false
	if st := restStatus(data, rr.Status); st != "" && !strings.EqualFold(st, r.Status) {
		cancelled := isCancelled(r.Status)
		switch {
		case r.Status == "":
			r.Status, statusChanged = st, true
		case cancelled && !strings.EqualFold(st, "denied") && !registered.After(r.UpdatedAt):
			// REST cannot say cancelled: its APPROVED or WAITING for a
			// registration no newer than the cancellation does not undo it.
			// A denial is the organizer's later decision, and wins.
		case !observedAt.Before(r.UpdatedAt):
			r.Status, statusChanged = st, true
		}
	}

	if r.IndexTime.IsZero() {
		r.IndexTime = observedAt
	}
	if !r.RegistrationDate.IsZero() {
		r.IndexTime = r.RegistrationDate
	}
	after, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if found && bytes.Equal(before, after) {
		return nil
	}
	// A new record, or a status REST changed, is as of now: a webhook
	// older than this that arrives late only fills gaps (put.go).
	if (!found || statusChanged) && observedAt.After(r.UpdatedAt) {
		r.UpdatedAt = observedAt
	}
	if err := putRegistrant(data, r, oldIndex, found); err != nil {
		return err
	}
	if err := countStatus(data, oldStatus, r.Status); err != nil {
		return err
	}
	if err := addQuestions(tx, data, newQuestions); err != nil {
		return err
	}
	if found {
		res.Changed++
		return nil
	}
	res.Added++
	w.Registrants++
	if err := addCounter(tx.Bucket([]byte(bucketMeta)), metaRegistrants, 1); err != nil {
		return fmt.Errorf("count registrants: %w", err)
	}
	return nil
}

// restStatus spells a status from REST (APPROVED) as this webinar already
// spells it (Approved, from webhooks), or capitalized when new, so one
// status is counted and filtered as one.
func restStatus(data *bolt.Bucket, status string) string {
	status = strings.TrimSpace(status)
	if status == "" {
		return ""
	}
	if b := data.Bucket([]byte(subStatuses)); b != nil {
		var known string
		_ = b.ForEach(func(k, _ []byte) error {
			if known == "" && strings.EqualFold(string(k), status) {
				known = string(k)
			}
			return nil
		})
		if known != "" {
			return known
		}
	}
	first, size := utf8.DecodeRuneInString(status)
	return string(unicode.ToUpper(first)) + strings.ToLower(status[size:])
}

func isCancelled(status string) bool {
	return strings.EqualFold(status, "cancelled") || strings.EqualFold(status, "canceled")
}

// mergeFold is mergeString that keeps the stored spelling of a value that
// differs only in case (GoTo writes "CLASSIC" in one place, "classic" in
// another), so a sync does not flip it back and forth.
func mergeFold(dst *string, src string, newer bool) {
	if strings.EqualFold(*dst, src) {
		return
	}
	mergeString(dst, src, newer)
}

func markDetailed(data *bolt.Bucket, key string, at time.Time) error {
	b, err := data.CreateBucketIfNotExists([]byte(subDetailed))
	if err != nil {
		return fmt.Errorf("detailed: %w", err)
	}
	if b.Get([]byte(key)) != nil {
		return nil
	}
	if err := b.Put([]byte(key), []byte(at.UTC().Format(time.RFC3339))); err != nil {
		return fmt.Errorf("detailed %s: %w", key, err)
	}
	return nil
}

// MarkDetailed records that GoTo has nothing more to tell about a
// registrant (it answered 404: the registration is gone), so a sync does
// not ask again.
func (s *Store) MarkDetailed(webinarKey, registrantKey string, at time.Time) error {
	err := s.batch(func(tx *bolt.Tx) error {
		if webinarDeleted(tx, webinarKey) {
			return nil
		}
		data, err := webinarData(tx, webinarKey, true)
		if err != nil {
			return err
		}
		return markDetailed(data, registrantKey, storableTime(at))
	})
	if err != nil {
		return fmt.Errorf("store: mark %s of %s detailed: %w", registrantKey, webinarKey, err)
	}
	return nil
}

// NeedsDetail lists, of keys (registrants GoTo lists), those we know only
// the basic fields of: never fetched one by one, and no field of the
// registration form known (a webhook would have brought them).
func (s *Store) NeedsDetail(webinarKey string, keys []string) ([]string, error) {
	var out []string
	err := s.view(func(tx *bolt.Tx) error {
		if webinarDeleted(tx, webinarKey) {
			return nil // never merged again: nothing to ask GoTo for
		}
		data, _ := webinarData(tx, webinarKey, false)
		if data == nil {
			out = slices.Clone(keys)
			return nil
		}
		regs, detailed := data.Bucket([]byte(subRegistrants)), data.Bucket([]byte(subDetailed))
		for _, k := range keys {
			if detailed != nil && detailed.Get([]byte(k)) != nil || registrantErased(tx, webinarKey, k) {
				continue
			}
			r, found, err := getRegistrant(regs, k)
			if err != nil {
				return err
			}
			if !found || !r.hasFormFields() {
				out = append(out, k)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: registrants of %s needing detail: %w", webinarKey, err)
	}
	return out, nil
}

// hasFormFields reports whether any field beyond the listing's (name,
// e-mail, status, join link) is known.
func (r registrantRecord) hasFormFields() bool {
	form := r.Profile
	form.FirstName, form.LastName, form.Email = "", "", ""
	return form != gotowebinar.Profile{} || r.RegistrationSource != "" || len(r.Responses) > 0
}

// MarkRegistrantRemoved records that the organizer removed a registrant at
// GoTo at the moment at: the status becomes Cancelled, as of then.
func (s *Store) MarkRegistrantRemoved(webinarKey, registrantKey string, at time.Time) error {
	at = storableTime(at)
	err := s.batch(func(tx *bolt.Tx) error {
		data, err := webinarData(tx, webinarKey, false)
		if err != nil {
			return err
		}
		if data == nil {
			return ErrNotFound
		}
		r, found, err := getRegistrant(data.Bucket([]byte(subRegistrants)), registrantKey)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		old := r.Status
		if isCancelled(old) {
			return nil
		}
		r.Status = restStatus(data, statusCancelled)
		if at.After(r.UpdatedAt) {
			r.UpdatedAt = at
		}
		if err := putRegistrant(data, r, r.indexKey(), true); err != nil {
			return err
		}
		return countStatus(data, old, r.Status)
	})
	if err != nil {
		return fmt.Errorf("store: mark %s of %s removed: %w", registrantKey, webinarKey, err)
	}
	return nil
}
