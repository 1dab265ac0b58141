package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
	"webinarsync/record"
)

const statusDeleted = "DELETED"

// PutEvent stores a verified delivery durably (fsynced before it returns),
// once per EventKey. stored is false for a redelivery, which changes
// nothing. Concurrent calls share commits (see committer).
func (s *Store) PutEvent(ctx context.Context, d *gotowebinar.Delivery) (stored bool, err error) {
	if d == nil {
		return false, errors.New("store: put event: nil delivery")
	}
	if d.EventKey == "" {
		return false, fmt.Errorf("store: put event %q: no eventKey", d.EventName)
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("store: put event %s: %w", d.EventKey, err)
	}
	if s.writer == nil {
		return false, fmt.Errorf("store: put event %s: the store is open read-only", d.EventKey)
	}
	// Fixed before the commit, which may run the function more than once.
	receivedAt := storableTime(d.ReceivedAt)
	if receivedAt.IsZero() {
		receivedAt = time.Now().UTC()
	}
	var entry LogEntry
	// Straight to the writer: a delivery does not wait for the views.
	err = s.writer.do(func(tx *bolt.Tx) error {
		stored, entry = false, LogEntry{}
		var err error
		entry, stored, err = putEventTx(tx, d, receivedAt)
		if err == nil && stored {
			err = enqueueIfForwarding(tx, entry.Seq, receivedAt) // same commit: stored means queued
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: put event %s: %w", d.EventKey, err)
	}
	if stored {
		s.views.acknowledged(entry.Seq, d)
		s.publish(entry)
	} else {
		s.log.Debug("store: redelivery ignored", "eventKey", string(d.EventKey), "eventName", d.EventName)
	}
	return stored, nil
}

// putEventTx logs one delivery unless its EventKey is already stored; the
// views are applied from the log after (apply.go). It only touches tx, so
// the committer may rerun it safely.
func putEventTx(tx *bolt.Tx, d *gotowebinar.Delivery, receivedAt time.Time) (LogEntry, bool, error) {
	return putLogTx(tx, LogEntry{
		EventKey:     string(d.EventKey),
		EventName:    d.EventName,
		WebinarKey:   string(d.WebinarKey()),
		ReceivedAt:   receivedAt,
		ForwardedFor: d.ForwardedFor,
		Raw:          d.Raw,
	})
}

// putLogTx appends entry to the log (its Seq assigned here) unless a
// delivery of its name and EventKey is stored, whatever its provider.
func putLogTx(tx *bolt.Tx, entry LogEntry) (LogEntry, bool, error) {
	eventKey := []byte(entry.EventKey)
	if dup, err := storedAlready(tx, entry.EventName, eventKey); err != nil || dup {
		return LogEntry{}, false, err
	}
	logB := tx.Bucket([]byte(bucketLog))
	seq, err := logB.NextSequence()
	if err != nil {
		return LogEntry{}, false, fmt.Errorf("next sequence: %w", err)
	}
	entry.Seq = seq
	rec, err := encodeLogRecord(entry)
	if err != nil {
		return LogEntry{}, false, err
	}
	seqKey := u64(seq)
	if err := logB.Put(seqKey, rec); err != nil {
		return LogEntry{}, false, fmt.Errorf("log: %w", err)
	}
	if err := keepEventKey(tx, entry.EventName, eventKey, seqKey); err != nil {
		return LogEntry{}, false, err
	}
	if err := addCounter(tx.Bucket([]byte(bucketMeta)), metaEvents, 1); err != nil {
		return LogEntry{}, false, fmt.Errorf("count events: %w", err)
	}
	// The views follow in the applier's commit (apply.go).
	return entry, true, nil
}

// bucketEventsByName holds what bucketEvents cannot: an eventKey already
// held there by a delivery of another event name (GoTo has sent a
// registrant.joined with the eventKey of a registrant.added). Keys are
// namedEventKey(eventName, eventKey), values the log seq. Created on first
// need, so databases written before it stay valid as they are.
const bucketEventsByName = "eventsbyname"

// namedEventKey is the eventName's length (a uvarint, so no name or key
// can be mistaken for another), the eventName, then the eventKey.
func namedEventKey(eventName string, eventKey []byte) []byte {
	k := binary.AppendUvarint(nil, uint64(len(eventName)))
	k = append(k, eventName...)
	return append(k, eventKey...)
}

// storedAlready reports whether a delivery of eventName with eventKey is
// stored. A delivery is the same event only if both match. bucketEvents
// holds the first delivery of each eventKey, whatever its name, as it
// always has (so databases written before names counted dedupe as before);
// its name is read from the log.
func storedAlready(tx *bolt.Tx, eventName string, eventKey []byte) (bool, error) {
	if seq := tx.Bucket([]byte(bucketEvents)).Get(eventKey); seq != nil {
		v := tx.Bucket([]byte(bucketLog)).Get(seq)
		if v == nil {
			return true, nil // its log record is gone: keep refusing it, as before
		}
		first, err := decodeLogRecord(v, false)
		if err != nil {
			return false, fmt.Errorf("event key %s: %w", eventKey, err)
		}
		if first.EventName == eventName {
			return true, nil
		}
	}
	named := tx.Bucket([]byte(bucketEventsByName))
	return named != nil && named.Get(namedEventKey(eventName, eventKey)) != nil, nil
}

// keepEventKey records a newly stored delivery for storedAlready (and for
// joinSeq): in bucketEvents if its eventKey is free there, else under its
// name as well.
func keepEventKey(tx *bolt.Tx, eventName string, eventKey, seqKey []byte) error {
	events := tx.Bucket([]byte(bucketEvents))
	if events.Get(eventKey) == nil {
		if err := events.Put(eventKey, seqKey); err != nil {
			return fmt.Errorf("event key: %w", err)
		}
		return nil
	}
	named, err := tx.CreateBucketIfNotExists([]byte(bucketEventsByName))
	if err != nil {
		return fmt.Errorf("event key by name: %w", err)
	}
	if err := named.Put(namedEventKey(eventName, eventKey), seqKey); err != nil {
		return fmt.Errorf("event key by name: %w", err)
	}
	return nil
}

// encodeLogRecord stores the entry's fields as JSON, a NUL, then Raw
// verbatim: the body is kept byte for byte as GoTo sent it (json.Marshal
// would compact it), and JSON text never contains a raw NUL.
func encodeLogRecord(e LogEntry) ([]byte, error) {
	raw := e.Raw
	e.Raw = nil
	head, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode log entry: %w", err)
	}
	out := make([]byte, 0, len(head)+1+len(raw))
	out = append(out, head...)
	out = append(out, 0)
	return append(out, raw...), nil
}

func decodeLogRecord(v []byte, withRaw bool) (LogEntry, error) {
	head, raw, _ := bytes.Cut(v, []byte{0})
	var e LogEntry
	if err := json.Unmarshal(head, &e); err != nil {
		return LogEntry{}, fmt.Errorf("decode log entry: %w", err)
	}
	e.Raw = nil
	if withRaw && len(raw) > 0 {
		e.Raw = json.RawMessage(bytes.Clone(raw))
	}
	return e, nil
}

// applyWebinar upserts a webinar from webinar.created or webinar.changed.
// An event older than the stored state only fills fields still empty, so a
// late webinar.created neither undoes a change nor resurrects a deletion.
func applyWebinar(tx *bolt.Tx, e *gotowebinar.WebinarEvent) error {
	key := string(e.WebinarKey)
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
	ts := storableTime(e.Timestamp.Time)
	newer := ts.IsZero() || w.UpdatedAt.IsZero() || !ts.Before(w.UpdatedAt)

	mergeString(&w.Title, e.WebinarTitle, newer)
	mergeString(&w.Description, e.Description, newer)
	mergeString(&w.ExperienceType, e.ExperienceType, newer)
	mergeString(&w.RecurrenceType, e.RecurrenceType, newer)
	mergeString(&w.RecurrenceKey, string(e.RecurrenceKey), newer)
	mergeString(&w.OrganizerKey, string(e.OrganizerKey), newer)
	mergeString(&w.AccountKey, string(e.AccountKey), newer)
	mergeTime(&w.CreatedAt, e.WebinarCreationDate.Time, newer)

	// A deletion is final unless an event provably newer says otherwise; an
	// event without a timestamp, or one from the same instant, cannot.
	statusNewer := newer
	if strings.EqualFold(w.Status, statusDeleted) && !strings.EqualFold(e.Status, statusDeleted) {
		statusNewer = !ts.IsZero() && ts.After(w.UpdatedAt)
	}
	mergeString(&w.Status, e.Status, statusNewer)

	times := make([]gotowebinar.TimeRange, len(e.Times))
	for i, tr := range e.Times {
		times[i] = gotowebinar.TimeRange{
			StartTime: gotowebinar.Time{Time: storableTime(tr.StartTime.Time)},
			EndTime:   gotowebinar.Time{Time: storableTime(tr.EndTime.Time)},
			TimeZone:  tr.TimeZone,
		}
	}
	if len(times) > 0 && (newer || len(w.Times) == 0) {
		w.Times = times
	}
	// Without startTime/endTime, the sessions' span stands in.
	start, end, zone := storableTime(e.StartTime.Time), storableTime(e.EndTime.Time), e.TimeZone
	spanStart, spanEnd := start.IsZero(), end.IsZero()
	for _, tr := range times {
		if spanStart && !tr.StartTime.IsZero() && (start.IsZero() || tr.StartTime.Before(start)) {
			start = tr.StartTime.Time
		}
		if spanEnd && tr.EndTime.After(end) {
			end = tr.EndTime.Time
		}
		if zone == "" {
			zone = tr.TimeZone
		}
	}
	mergeTime(&w.StartTime, start, newer)
	mergeTime(&w.EndTime, end, newer)
	mergeString(&w.TimeZone, zone, newer)

	if ts.After(w.UpdatedAt) {
		w.UpdatedAt = ts
	}
	return putWebinar(tx, w)
}

// applyRegistrantAdded upserts a registrant. Fields from the newer event
// win, but an empty field never erases a known one, and an older event only
// fills gaps.
func applyRegistrantAdded(tx *bolt.Tx, e *gotowebinar.RegistrantAdded, receivedAt time.Time) error {
	w, data, err := ensureWebinar(tx, e.WebinarRef)
	if err != nil {
		return err
	}
	regs := data.Bucket([]byte(subRegistrants))
	r, found, err := getRegistrant(regs, string(e.RegistrantKey))
	if err != nil {
		return err
	}
	if !found {
		r = registrantRecord{Registrant: Registrant{WebinarKey: w.WebinarKey, RegistrantKey: string(e.RegistrantKey)}}
	}
	oldIndex, oldStatus := r.indexKey(), r.Status

	ts := storableTime(e.Timestamp.Time)
	newer := !found || ts.IsZero() || r.UpdatedAt.IsZero() || !ts.Before(r.UpdatedAt)
	mergeProfile(&r.Profile, e.Profile, newer)
	mergeString(&r.Status, e.Status, newer)
	mergeString(&r.RegistrationSource, e.RegistrationSource, newer)
	mergeString(&r.JoinURL, e.JoinURL, newer)
	mergeTime(&r.RegistrationDate, e.RegistrationDate.Time, newer)
	if len(e.Responses) > 0 && (newer || len(r.Responses) == 0) {
		r.Responses = slices.Clone([]gotowebinar.Response(e.Responses))
	}
	if ts.After(r.UpdatedAt) {
		r.UpdatedAt = ts
	}
	if r.IndexTime.IsZero() {
		r.IndexTime = firstNonZero(ts, receivedAt)
	}
	if !r.RegistrationDate.IsZero() {
		r.IndexTime = r.RegistrationDate
	}

	if err := putRegistrant(data, r, oldIndex, found); err != nil {
		return err
	}
	if err := countStatus(data, oldStatus, r.Status); err != nil {
		return err
	}
	if err := addQuestions(tx, data, e.Responses); err != nil {
		return err
	}
	if !found {
		w.Registrants++
		if err := addCounter(tx.Bucket([]byte(bucketMeta)), metaRegistrants, 1); err != nil {
			return fmt.Errorf("count registrants: %w", err)
		}
	}
	return putWebinar(tx, w)
}

// applyRegistrantJoined records a join. A join can arrive before the
// registration it belongs to; the registrant is then created from the
// join's name and email, counted, and completed by registrant.added later.
func applyRegistrantJoined(tx *bolt.Tx, e *gotowebinar.RegistrantJoined, seq uint64, eventKey string, receivedAt time.Time) error {
	ts := storableTime(e.Timestamp.Time)
	return applyJoin(tx, e.WebinarRef, record.Join{
		SessionKey: string(e.SessionKey), RegistrantKey: string(e.RegistrantKey),
		FirstName: e.FirstName, LastName: e.LastName, Email: e.Email,
		At: firstNonZero(e.JoinTime.Time, ts, receivedAt),
	}, seq, eventKey, firstNonZero(ts, receivedAt))
}

// applyJoin writes one join, whatever its provider, into the views: the
// join itself, the registrant's join counts and times (a registrant known
// from nothing else is made from the join), and the webinar's counts.
// indexAt orders a registrant the join makes; seq is the join's log record,
// by which the live boards find the joins after the last they showed.
func applyJoin(tx *bolt.Tx, ref gotowebinar.WebinarRef, rj record.Join, seq uint64, eventKey string, indexAt time.Time) error {
	w, data, err := ensureWebinar(tx, ref)
	if err != nil {
		return err
	}
	joinTime := rj.At
	e := rj // the names the join brought
	j := Join{
		EventKey:      eventKey,
		WebinarKey:    w.WebinarKey,
		SessionKey:    rj.SessionKey,
		RegistrantKey: rj.RegistrantKey,
		FirstName:     rj.FirstName,
		LastName:      rj.LastName,
		Email:         rj.Email,
		JoinTime:      joinTime,
	}
	jv, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("encode join: %w", err)
	}
	joinKey := append(timeKey(joinTime), eventKey...)
	if err := data.Bucket([]byte(subJoins)).Put(joinKey, jv); err != nil {
		return fmt.Errorf("join %s: %w", eventKey, err)
	}
	if err := data.Bucket([]byte(subJoinSeqs)).Put(u64(seq), joinKey); err != nil {
		return fmt.Errorf("join %s: seq index: %w", eventKey, err)
	}

	regs := data.Bucket([]byte(subRegistrants))
	r, found, err := getRegistrant(regs, j.RegistrantKey)
	if err != nil {
		return err
	}
	if !found {
		r = registrantRecord{
			Registrant: Registrant{WebinarKey: w.WebinarKey, RegistrantKey: j.RegistrantKey},
			IndexTime:  indexAt,
		}
	}
	oldIndex := r.indexKey()
	mergeString(&r.FirstName, e.FirstName, false)
	mergeString(&r.LastName, e.LastName, false)
	mergeString(&r.Email, e.Email, false)
	if r.Joins == 0 {
		w.Joined++
	}
	r.Joins++
	if r.FirstJoinTime.IsZero() || joinTime.Before(r.FirstJoinTime) {
		r.FirstJoinTime = joinTime
	}
	if joinTime.After(r.LastJoinTime) {
		r.LastJoinTime = joinTime
	}
	if err := putRegistrant(data, r, oldIndex, found); err != nil {
		return err
	}

	meta := tx.Bucket([]byte(bucketMeta))
	if !found {
		w.Registrants++
		if err := addCounter(meta, metaRegistrants, 1); err != nil {
			return fmt.Errorf("count registrants: %w", err)
		}
	}
	w.Joins++
	if err := addCounter(meta, metaJoins, 1); err != nil {
		return fmt.Errorf("count joins: %w", err)
	}
	return putWebinar(tx, w)
}

// ensureWebinar returns the webinar a registrant event refers to, creating a
// stub (Status "") from the event's copy of the webinar fields when no
// webinar event has been seen, and its data bucket.
func ensureWebinar(tx *bolt.Tx, ref gotowebinar.WebinarRef) (Webinar, *bolt.Bucket, error) {
	key := string(ref.WebinarKey)
	w, found, err := getWebinar(tx, key)
	if err != nil {
		return Webinar{}, nil, err
	}
	if !found {
		w = Webinar{WebinarKey: key}
		if err := newWebinar(tx, key); err != nil {
			return Webinar{}, nil, err
		}
	}
	// Until a webinar event arrives, the newest registrant event's copy of
	// the webinar fields is the best we know; after, it only fills gaps.
	stub := w.UpdatedAt.IsZero() && w.Status == ""
	mergeString(&w.Title, ref.WebinarTitle, stub)
	mergeString(&w.ExperienceType, ref.ExperienceType, stub)
	mergeString(&w.RecurrenceType, ref.RecurrenceType, stub)
	mergeString(&w.OrganizerKey, string(ref.WebinarCreatorKey), false)
	data, err := webinarData(tx, key, true)
	return w, data, err
}

// newWebinar counts a webinar seen for the first time and creates its data bucket.
func newWebinar(tx *bolt.Tx, key string) error {
	if err := addCounter(tx.Bucket([]byte(bucketMeta)), metaWebinars, 1); err != nil {
		return fmt.Errorf("count webinars: %w", err)
	}
	_, err := webinarData(tx, key, true)
	return err
}

func getWebinar(tx *bolt.Tx, key string) (Webinar, bool, error) {
	b := tx.Bucket([]byte(bucketWebinars))
	if b == nil || key == "" {
		return Webinar{}, false, nil
	}
	v := b.Get([]byte(key))
	if v == nil {
		return Webinar{}, false, nil
	}
	var w Webinar
	if err := json.Unmarshal(v, &w); err != nil {
		return Webinar{}, false, fmt.Errorf("decode webinar %s: %w", key, err)
	}
	return w, true, nil
}

func putWebinar(tx *bolt.Tx, w Webinar) error {
	v, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("encode webinar %s: %w", w.WebinarKey, err)
	}
	if err := tx.Bucket([]byte(bucketWebinars)).Put([]byte(w.WebinarKey), v); err != nil {
		return fmt.Errorf("webinar %s: %w", w.WebinarKey, err)
	}
	return nil
}

// webinarData returns a webinar's data bucket; nil when it does not exist
// and create is false.
func webinarData(tx *bolt.Tx, key string, create bool) (*bolt.Bucket, error) {
	all := tx.Bucket([]byte(bucketWebinarData))
	if all == nil {
		return nil, nil
	}
	if !create {
		return all.Bucket([]byte(key)), nil
	}
	data, err := all.CreateBucketIfNotExists([]byte(key))
	if err != nil {
		return nil, fmt.Errorf("webinar %s data: %w", key, err)
	}
	for _, name := range []string{subRegistrants, subByRegDate, subJoins, subJoinSeqs, subStatuses} {
		if _, err := data.CreateBucketIfNotExists([]byte(name)); err != nil {
			return nil, fmt.Errorf("webinar %s %s: %w", key, name, err)
		}
	}
	return data, nil
}

// registrantRecord is a stored registrant with the instant it is indexed
// under: its registration date, or when we first heard of it until then.
type registrantRecord struct {
	Registrant
	IndexTime time.Time `json:"indexTime"`
}

func (r registrantRecord) indexKey() []byte {
	return append(timeKey(r.IndexTime), r.RegistrantKey...)
}

func getRegistrant(regs *bolt.Bucket, key string) (registrantRecord, bool, error) {
	if regs == nil || key == "" {
		return registrantRecord{}, false, nil
	}
	v := regs.Get([]byte(key))
	if v == nil {
		return registrantRecord{}, false, nil
	}
	r, err := decodeRegistrant(v)
	if err != nil {
		return registrantRecord{}, false, fmt.Errorf("registrant %s: %w", key, err)
	}
	return r, true, nil
}

// putRegistrant writes r and moves its registration-date index entry when
// the indexed instant changed.
func putRegistrant(data *bolt.Bucket, r registrantRecord, oldIndex []byte, found bool) error {
	v, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode registrant %s: %w", r.RegistrantKey, err)
	}
	if err := data.Bucket([]byte(subRegistrants)).Put([]byte(r.RegistrantKey), v); err != nil {
		return fmt.Errorf("registrant %s: %w", r.RegistrantKey, err)
	}
	index := data.Bucket([]byte(subByRegDate))
	newIndex := r.indexKey()
	if found && !bytes.Equal(oldIndex, newIndex) {
		if err := index.Delete(oldIndex); err != nil {
			return fmt.Errorf("registrant %s index: %w", r.RegistrantKey, err)
		}
	}
	if err := index.Put(newIndex, r.searchText()); err != nil {
		return fmt.Errorf("registrant %s index: %w", r.RegistrantKey, err)
	}
	return nil
}

// searchText is what Registrants filters on, kept in the index entry so a
// search or status filter reads no registrant records except the page's:
// lower-cased "first last", email and organization, then the status, NUL-separated.
func (r registrantRecord) searchText() []byte {
	clean := func(s string) string { return strings.ReplaceAll(s, "\x00", "") }
	return []byte(strings.Join([]string{
		clean(strings.ToLower(r.FirstName + " " + r.LastName)),
		clean(strings.ToLower(r.Email)),
		clean(strings.ToLower(r.Organization)),
		clean(r.Status),
	}, "\x00"))
}

// countStatus keeps per-status registrant counts, so Statuses and the
// status filter's total need no scan. Empty statuses are not counted.
func countStatus(data *bolt.Bucket, old, cur string) error {
	if old == cur {
		return nil
	}
	b := data.Bucket([]byte(subStatuses))
	if old != "" {
		if err := addCounter(b, old, -1); err != nil {
			return fmt.Errorf("status count: %w", err)
		}
	}
	if cur != "" {
		if err := addCounter(b, cur, 1); err != nil {
			return fmt.Errorf("status count: %w", err)
		}
	}
	return nil
}

// addQuestions appends question texts not seen before to the webinar's list
// and to the store-wide list, which orders the all-webinars CSV columns.
func addQuestions(tx *bolt.Tx, data *bolt.Bucket, rs []record.Response) error {
	if len(rs) == 0 {
		return nil
	}
	qs, err := decodeStrings(data.Get([]byte(keyQuestions)))
	if err != nil {
		return fmt.Errorf("webinar questions: %w", err)
	}
	var added []string
	for _, r := range rs {
		if r.Question != "" && !slices.Contains(qs, r.Question) {
			qs = append(qs, r.Question)
			added = append(added, r.Question)
		}
	}
	if len(added) == 0 {
		return nil
	}
	if err := putStrings(data, keyQuestions, qs); err != nil {
		return fmt.Errorf("webinar questions: %w", err)
	}
	meta := tx.Bucket([]byte(bucketMeta))
	all, err := decodeStrings(meta.Get([]byte(metaQuestions)))
	if err != nil {
		return fmt.Errorf("questions: %w", err)
	}
	n := len(all)
	for _, q := range added {
		if !slices.Contains(all, q) {
			all = append(all, q)
		}
	}
	if len(all) == n {
		return nil
	}
	if err := putStrings(meta, metaQuestions, all); err != nil {
		return fmt.Errorf("questions: %w", err)
	}
	return nil
}

func decodeStrings(v []byte) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	var ss []string
	err := json.Unmarshal(v, &ss)
	return ss, err
}

func putStrings(b *bolt.Bucket, key string, ss []string) error {
	v, err := json.Marshal(ss)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), v)
}

// mergeString sets *dst to a non-empty src when src is from a newer event or
// *dst is still empty: an empty field never erases a known one.
func mergeString(dst *string, src string, newer bool) {
	if src != "" && (newer || *dst == "") {
		*dst = src
	}
}

// mergeProfile is mergeString for each field of a profile.
func mergeProfile(dst *gotowebinar.Profile, src gotowebinar.Profile, newer bool) {
	from := src.Fields()
	for i, f := range dst.Fields() {
		mergeString(f.Value, *from[i].Value, newer)
	}
}

// mergeTime is mergeString for instants, stored in UTC.
func mergeTime(dst *time.Time, src time.Time, newer bool) {
	if src = storableTime(src); !src.IsZero() && (newer || dst.IsZero()) {
		*dst = src
	}
}

// firstNonZero returns the first storable instant of ts, in UTC.
func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if t = storableTime(t); !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// storableTime returns t in UTC, or the zero time (unknown) when t is
// outside years 1..9999, which JSON cannot hold: a delivery carrying such a
// time would otherwise fail to store on every retry, for ever.
func storableTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	t = t.UTC()
	if y := t.Year(); y < 1 || y > 9999 {
		return time.Time{}
	}
	return t
}
