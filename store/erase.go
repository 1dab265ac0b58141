package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
	"webinarsync/record"
)

// Erasure: a person on request (ErasePerson, EraseRegistrant), or a webinar
// with everything about it (DeleteWebinar), then compaction (compact.go),
// so no copy stays in the file's bytes. What is removed:
//   - registrant records, their registration-date index entries (which hold
//     the search text), status counts, "detailed" marks, joins and
//     attendance rows, with every counter they were part of;
//   - the raw body of every logged delivery that mentions them, replaced by
//     a tombstone. The log record stays, with its seq and eventKey: a
//     redelivery of an erased event (GoTo retries for days) must still be
//     recognized as one and not stored again;
//   - delivery records whose body or headers mention them, and sends of
//     their events still waiting in the forwarding outbox;
//   - the address where it appears in other people's records (an answer
//     naming a colleague), replaced by "[erased]".
// The registrant keys erased (never the address) and the keys of deleted
// webinars are kept, so the catch-up sync does not copy them back from
// GoTo, where they still exist until the organizer removes them there.
// A webhook that brings new news of them (a new registration, a join) is
// stored: that is the person acting again.

// Tombstone is what a raw body was replaced with, and why.
type Tombstone struct {
	Reason string    `json:"reason"` // TombstoneErased, TombstoneWebinarDeleted or TombstoneExpired
	At     time.Time `json:"at"`
	Bytes  int       `json:"bytes"` // the size of the body it replaced
}

// Why a raw body was replaced by a tombstone.
const (
	TombstoneErased         = "erased"          // it mentioned a person erased on request
	TombstoneWebinarDeleted = "webinar-deleted" // its webinar was deleted
	TombstoneExpired        = "expired"         // older than the retention period
)

// tombstoneBody is the raw body a tombstone stands in: a JSON object that
// is no event (no eventName), so nothing applies or forwards it.
func tombstoneBody(t Tombstone) json.RawMessage {
	b, _ := json.Marshal(struct {
		Tombstone Tombstone `json:"tombstone"`
	}{t})
	return b
}

// Erasure counts what an erasure or a deletion removed.
type Erasure struct {
	Webinars    int  `json:"webinars"`    // webinars they were registered for; 1 for a deleted webinar
	Registrants int  `json:"registrants"` // registrant records, one per webinar
	Joins       int  `json:"joins"`
	Attendance  int  `json:"attendance"` // rows of GoTo's attendance report
	Events      int  `json:"events"`     // raw event bodies replaced by a tombstone
	Deliveries  int  `json:"deliveries"` // delivery records dropped
	Outbox      int  `json:"outbox"`     // forwarding sends dropped
	Redacted    int  `json:"redacted"`   // other records that mentioned the address, now with "[erased]" in its place
	Compacted   bool `json:"compacted"`  // the file was rewritten without the old copies
	// Remaining names the places the address is still found in after the
	// erasure (settings, a login of the organizer's own), for the organizer
	// to see; empty when it is found nowhere.
	Remaining []string `json:"remaining,omitempty"`
	// KeptAside are other copies of the database in the data dir (restore
	// keeps the previous file beside it) that still hold what was erased.
	KeptAside []string `json:"keptAside,omitempty"`
}

// Found reports whether anything was erased.
func (e Erasure) Found() bool {
	return e.Webinars+e.Registrants+e.Joins+e.Attendance+e.Events+e.Deliveries+e.Outbox+e.Redacted > 0
}

// ErrNoAddress: an erasure by e-mail address was given none.
var ErrNoAddress = errors.New("no e-mail address given")

// Buckets of what erasures keep so the sync does not bring it back.
const (
	bucketErased         = "erased"         // webinarKey NUL registrantKey -> when (RFC 3339)
	bucketDeletedWebinar = "deletedwebinar" // webinarKey -> when (RFC 3339)
)

// redactedText replaces an erased address in other people's records.
const redactedText = "[erased]"

// NormalizeAddress is an e-mail address as erasures match it: trimmed
// and lower-cased (GoTo's e-mails differ in case from one event to the
// next). It returns ErrNoAddress for text that is no address.
func NormalizeAddress(email string) (string, error) {
	a := strings.ToLower(strings.TrimSpace(email))
	if a == "" || !strings.Contains(a, "@") || strings.ContainsAny(a, " \t\r\n\x00") {
		return "", ErrNoAddress
	}
	return a, nil
}

// person is who an erasure removes: everyone whose records carry the
// address, and the registrants named by key.
type person struct {
	email []byte                     // lower-cased; nil when erasing by key only
	keys  map[string]map[string]bool // webinarKey -> registrantKeys
	scan  []byte                     // scratch for lower-casing
}

func (p *person) addKey(webinarKey, registrantKey string) {
	if registrantKey == "" {
		return
	}
	if p.keys == nil {
		p.keys = map[string]map[string]bool{}
	}
	if p.keys[webinarKey] == nil {
		p.keys[webinarKey] = map[string]bool{}
	}
	p.keys[webinarKey][registrantKey] = true
}

// mentions reports whether b holds the address, in any case.
func (p *person) mentions(b []byte) bool {
	if len(p.email) == 0 || len(b) < len(p.email) {
		return false
	}
	p.scan = asciiLower(p.scan[:0], b)
	return bytes.Contains(p.scan, p.email)
}

// is reports whether an e-mail field holds the address.
func (p *person) is(email string) bool {
	return len(p.email) > 0 && strings.EqualFold(strings.TrimSpace(email), string(p.email))
}

// mentionsKey reports whether b (a raw body or a record) may name one of
// the webinar's erased registrants: a cheap filter before decoding.
func (p *person) mentionsKey(webinarKey string, b []byte) bool {
	for k := range p.keys[webinarKey] {
		if bytes.Contains(b, []byte(k)) {
			return true
		}
		// Another provider's body names them by its own id, without our
		// prefix: as a JSON string, so one id is not found inside another.
		if prov := ProviderOf(k); prov != ProviderGoTo {
			id := strings.TrimPrefix(strings.TrimPrefix(k, prov+":"), "participant-")
			if len(id) >= 6 && bytes.Contains(b, []byte(`"`+id+`"`)) { // a shorter id could be anything's
				return true
			}
		}
	}
	return false
}

// event reports whether a delivery's body is about them.
func (p *person) event(webinarKey string, body []byte) bool {
	if p.mentions(body) {
		return true
	}
	if !p.mentionsKey(webinarKey, body) && !(len(p.email) > 0 && bytes.Contains(body, []byte(`\u`))) {
		return false
	}
	// Decode to be sure: a key in another field, or an address written
	// with JSON escapes.
	ev, err := gotowebinar.DecodeEvent(body)
	if err != nil {
		return false
	}
	wk := cmp.Or(webinarKey, string(ev.WebinarKey()))
	switch {
	case ev.RegistrantAdded != nil:
		return p.is(ev.RegistrantAdded.Email) || p.keys[wk][string(ev.RegistrantAdded.RegistrantKey)]
	case ev.RegistrantJoined != nil:
		return p.is(ev.RegistrantJoined.Email) || p.keys[wk][string(ev.RegistrantJoined.RegistrantKey)]
	}
	return false
}

// asciiLower appends b to dst with ASCII letters lower-cased: e-mail
// addresses differ in case only there.
func asciiLower(dst, b []byte) []byte {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// replaceFold replaces every occurrence of lower (lower-cased) in s, in any
// ASCII case, with redactedText.
func replaceFold(s string, lower []byte) (string, bool) {
	if len(lower) == 0 || len(s) < len(lower) {
		return s, false
	}
	low := string(asciiLower(nil, []byte(s)))
	if !strings.Contains(low, string(lower)) {
		return s, false
	}
	var b strings.Builder
	for {
		i := strings.Index(low, string(lower))
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i])
		b.WriteString(redactedText)
		s, low = s[i+len(lower):], low[i+len(lower):]
	}
}

// ErasePerson removes the person with this e-mail address (in any case)
// from every webinar, the event log's raw bodies, the delivery records and
// the forwarding outbox, then compacts the file. When the erasure is done
// but the compaction is not, it returns the counts with an error wrapping
// ErrNotCompacted.
func (s *Store) ErasePerson(ctx context.Context, email string) (Erasure, error) {
	addr, err := NormalizeAddress(email)
	if err != nil {
		return Erasure{}, fmt.Errorf("store: erase: %w", err)
	}
	return s.erase(ctx, &person{email: []byte(addr)})
}

// EraseRegistrant erases a registrant of a webinar: by their e-mail
// address everywhere (as ErasePerson), or, when they have none, that
// registration alone. ErrNotFound for an unknown one.
func (s *Store) EraseRegistrant(ctx context.Context, webinarKey, registrantKey string) (Erasure, error) {
	r, err := s.Registrant(webinarKey, registrantKey)
	if err != nil {
		return Erasure{}, fmt.Errorf("store: erase: %w", err)
	}
	p := &person{}
	if addr, err := NormalizeAddress(r.Email); err == nil {
		p.email = []byte(addr)
	}
	p.addKey(webinarKey, registrantKey)
	return s.erase(ctx, p)
}

// erasePlan is what the read pass found to remove.
type erasePlan struct {
	registrants map[string]map[string]bool // webinarKey -> registrantKeys to remove
	redact      map[string][]string        // webinarKey -> registrantKeys of others whose record mentions the address
	webinars    []string                   // webinar records that mention it
	seqs        []uint64                   // log records whose raw body to replace
	ring, links [][]byte                   // delivery records to drop
}

func (s *Store) erase(ctx context.Context, p *person) (Erasure, error) {
	if s.writer == nil {
		return Erasure{}, errors.New("store: erase: the store is open read-only")
	}
	if err := s.flushDeliveryLogs(ctx); err != nil {
		return Erasure{}, fmt.Errorf("store: erase: %w", err)
	}
	var plan erasePlan
	if err := s.view(func(tx *bolt.Tx) error {
		var err error
		plan, err = planErasure(tx, p)
		return err
	}); err != nil {
		return Erasure{}, fmt.Errorf("store: erase: %w", err)
	}
	var er Erasure
	var erased map[string]bool // eventKeys whose bodies were replaced
	now := time.Now().UTC()
	err := s.update(func(tx *bolt.Tx) error {
		er, erased = Erasure{}, map[string]bool{}
		return eraseTx(tx, p, plan, now, &er, erased)
	})
	if err != nil {
		return Erasure{}, fmt.Errorf("store: erase: %w", err)
	}
	s.scrubDeliveryLogs(func(o gotowebinar.Outcome) bool {
		return erased[o.EventKey] || p.mentions(o.Body) || p.mentions([]byte(o.Subject))
	})
	return s.finishErasure(ctx, er, p.email)
}

// finishErasure compacts the file after an erasure that changed anything,
// then says where the address is still found and which other copies of the
// database are in the data dir.
func (s *Store) finishErasure(ctx context.Context, er Erasure, email []byte) (Erasure, error) {
	// Also when nothing was found now: an earlier erasure's compaction may
	// be left to do.
	compacted, cerr := s.CompactIfPending(ctx)
	er.Compacted = compacted && cerr == nil
	if len(email) > 0 {
		if err := s.view(func(tx *bolt.Tx) error {
			er.Remaining = findAddress(tx, email)
			return nil
		}); err != nil {
			return er, fmt.Errorf("store: erase: checking what remains: %w", err)
		}
	}
	er.KeptAside, _ = filepath.Glob(filepath.Join(s.dir, FileName+".before-restore-*"))
	if cerr != nil {
		return er, fmt.Errorf("store: %w: %w", ErrNotCompacted, cerr)
	}
	return er, nil
}

// planErasure reads who and what to remove, so the write that removes it is
// short: the scan of the whole log is done in a read transaction, while
// deliveries go on.
func planErasure(tx *bolt.Tx, p *person) (erasePlan, error) {
	plan := erasePlan{registrants: map[string]map[string]bool{}, redact: map[string][]string{}}
	all := tx.Bucket([]byte(bucketWebinarData))
	// Everyone carrying the address, by key: registrants, and the people
	// joins and attendance rows name (their record may hold another address).
	err := all.ForEachBucket(func(wk []byte) error {
		data := all.Bucket(wk)
		webinarKey := string(wk)
		for _, name := range []string{subRegistrants, subJoins, subAttendance} {
			b := data.Bucket([]byte(name))
			if b == nil {
				continue
			}
			err := b.ForEach(func(k, v []byte) error {
				if !p.mentions(v) {
					return nil
				}
				var rec struct {
					RegistrantKey string `json:"registrantKey"`
					Email         string `json:"email"`
				}
				if err := json.Unmarshal(v, &rec); err != nil {
					return fmt.Errorf("webinar %s %s %q: %w", webinarKey, name, k, err)
				}
				if p.is(rec.Email) {
					p.addKey(webinarKey, rec.RegistrantKey)
				} else if name == subRegistrants {
					plan.redact[webinarKey] = append(plan.redact[webinarKey], string(k))
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return plan, err
	}
	for wk, keys := range p.keys {
		plan.registrants[wk] = maps.Clone(keys)
		plan.redact[wk] = slices.DeleteFunc(plan.redact[wk], func(k string) bool { return keys[k] })
	}
	if err := tx.Bucket([]byte(bucketWebinars)).ForEach(func(k, v []byte) error {
		if p.mentions(v) {
			plan.webinars = append(plan.webinars, string(k))
		}
		return nil
	}); err != nil {
		return plan, err
	}
	err = tx.Bucket([]byte(bucketLog)).ForEach(func(k, v []byte) error {
		head, raw, _ := bytes.Cut(v, []byte{0})
		var e struct {
			Provider   string       `json:"provider"`
			WebinarKey string       `json:"webinarKey"`
			Tombstone  *Tombstone   `json:"tombstone"`
			Join       *record.Join `json:"join"`
		}
		if err := json.Unmarshal(head, &e); err != nil {
			return fmt.Errorf("log %x: %w", k, err)
		}
		// Another provider's join names them by key in the record itself.
		joined := e.Join != nil && (p.keys[e.WebinarKey][e.Join.RegistrantKey] || p.is(e.Join.Email))
		if e.Tombstone == nil && (joined || p.event(e.WebinarKey, raw) || (e.Provider != "" && p.mentionsKey(e.WebinarKey, raw))) {
			plan.seqs = append(plan.seqs, binary.BigEndian.Uint64(k))
		}
		return nil
	})
	if err != nil {
		return plan, err
	}
	plan.ring, plan.links = deliveriesAbout(tx, func(rec DeliveryRecord, v []byte) bool {
		if p.mentions(v) {
			return true
		}
		return len(rec.Body) > 0 && p.event("", rec.Body)
	})
	return plan, nil
}

// deliveriesAbout lists the ids of the delivery records match picks.
func deliveriesAbout(tx *bolt.Tx, match func(rec DeliveryRecord, v []byte) bool) (ring, links [][]byte) {
	for _, name := range []string{bucketDeliveryRing, bucketDeliveryLinks} {
		b := tx.Bucket([]byte(name))
		if b == nil {
			continue
		}
		_ = b.ForEach(func(k, v []byte) error {
			var rec DeliveryRecord
			if json.Unmarshal(v, &rec) != nil {
				return nil
			}
			if match(rec, v) {
				if name == bucketDeliveryRing {
					ring = append(ring, bytes.Clone(k))
				} else {
					links = append(links, bytes.Clone(k))
				}
			}
			return nil
		})
	}
	return ring, links
}

// eraseTx removes what the plan names, checking each thing again (the
// plan was read in an earlier transaction).
func eraseTx(tx *bolt.Tx, p *person, plan erasePlan, now time.Time, er *Erasure, erased map[string]bool) error {
	meta := tx.Bucket([]byte(bucketMeta))
	for _, wk := range slices.Sorted(maps.Keys(plan.registrants)) {
		n, err := eraseRegistrants(tx, wk, plan.registrants[wk], p, er)
		if err != nil {
			return err
		}
		if n > 0 {
			er.Webinars++
		}
		if err := rememberErased(tx, wk, plan.registrants[wk], now); err != nil {
			return err
		}
	}
	for wk, keys := range plan.redact {
		if err := redactRegistrants(tx, wk, keys, p, er); err != nil {
			return err
		}
	}
	for _, wk := range plan.webinars {
		w, found, err := getWebinar(tx, wk)
		if err != nil || !found {
			return err
		}
		changed := false
		for _, f := range []*string{&w.Title, &w.Description} {
			var c bool
			*f, c = replaceFold(*f, p.email)
			changed = changed || c
		}
		if changed {
			er.Redacted++
			if err := putWebinar(tx, w); err != nil {
				return err
			}
		}
	}
	if err := tombstoneLog(tx, plan.seqs, Tombstone{Reason: TombstoneErased, At: now}, nil, er, erased); err != nil {
		return err
	}
	if err := dropDeliveries(tx, plan.ring, plan.links, er); err != nil {
		return err
	}
	if er.Found() {
		return meta.Put([]byte(metaCompactPending), []byte(now.Format(time.RFC3339)))
	}
	return nil
}

// eraseRegistrants removes the registrants keys names from one webinar,
// with their index entries, status counts, joins and attendance rows, and
// brings every counter along. It returns how many records it removed.
func eraseRegistrants(tx *bolt.Tx, webinarKey string, keys map[string]bool, p *person, er *Erasure) (int, error) {
	data, err := webinarData(tx, webinarKey, false)
	if err != nil || data == nil {
		return 0, err
	}
	w, found, err := getWebinar(tx, webinarKey)
	if err != nil {
		return 0, err
	}
	meta := tx.Bucket([]byte(bucketMeta))
	regs := data.Bucket([]byte(subRegistrants))
	removed := 0
	for key := range keys {
		r, ok, err := getRegistrant(regs, key)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		if err := regs.Delete([]byte(key)); err != nil {
			return 0, fmt.Errorf("registrant %s: %w", key, err)
		}
		if err := countStatus(data, r.Status, ""); err != nil {
			return 0, err
		}
		if err := addCounter(meta, metaRegistrants, -1); err != nil {
			return 0, err
		}
		w.Registrants--
		if r.Joins > 0 {
			w.Joined--
		}
		if r.Attended {
			w.Attended--
		}
		removed++
		er.Registrants++
	}
	// Index entries by their key's tail, whatever instant they sit at.
	if index := data.Bucket([]byte(subByRegDate)); index != nil {
		if err := deleteWhere(index, func(k, _ []byte) bool { return len(k) > 8 && keys[string(k[8:])] }); err != nil {
			return 0, fmt.Errorf("registration index: %w", err)
		}
	}
	if b := data.Bucket([]byte(subDetailed)); b != nil {
		for key := range keys {
			if err := b.Delete([]byte(key)); err != nil {
				return 0, err
			}
		}
	}
	if b := data.Bucket([]byte(subAttendance)); b != nil {
		n := 0
		err := deleteWhere(b, func(k, v []byte) bool {
			i := bytes.IndexByte(k, 0)
			if (i >= 0 && keys[string(k[i+1:])]) || p.mentions(v) {
				n++
				return true
			}
			return false
		})
		if err != nil {
			return 0, fmt.Errorf("attendance: %w", err)
		}
		er.Attendance += n
	}
	if b := data.Bucket([]byte(subJoins)); b != nil {
		n := 0
		var derr error
		err := deleteWhere(b, func(k, v []byte) bool {
			if !p.mentions(v) && !p.mentionsKey(webinarKey, v) {
				return false
			}
			var j Join
			if err := json.Unmarshal(v, &j); err != nil {
				derr = fmt.Errorf("join %q: %w", k, err)
				return false
			}
			if keys[j.RegistrantKey] || p.is(j.Email) {
				n++
				return true
			}
			return false
		})
		if err = errors.Join(err, derr); err != nil {
			return 0, fmt.Errorf("joins: %w", err)
		}
		w.Joins -= n
		if err := addCounter(meta, metaJoins, -n); err != nil {
			return 0, err
		}
		if seqs := data.Bucket([]byte(subJoinSeqs)); seqs != nil && n > 0 {
			if err := deleteWhere(seqs, func(_, jk []byte) bool { return b.Get(jk) == nil }); err != nil {
				return 0, fmt.Errorf("join seq index: %w", err)
			}
		}
		er.Joins += n
	}
	if found {
		w.Registrants, w.Joined, w.Joins, w.Attended = max(w.Registrants, 0), max(w.Joined, 0), max(w.Joins, 0), max(w.Attended, 0)
		if err := putWebinar(tx, w); err != nil {
			return 0, err
		}
	}
	return removed, nil
}

// redactRegistrants replaces the address in the records of other people
// that mention it (an answer naming a colleague).
func redactRegistrants(tx *bolt.Tx, webinarKey string, keys []string, p *person, er *Erasure) error {
	data, err := webinarData(tx, webinarKey, false)
	if err != nil || data == nil {
		return err
	}
	regs := data.Bucket([]byte(subRegistrants))
	for _, key := range keys {
		r, ok, err := getRegistrant(regs, key)
		if err != nil || !ok {
			return err
		}
		changed := false
		fold := func(s *string) {
			var c bool
			*s, c = replaceFold(*s, p.email)
			changed = changed || c
		}
		for _, f := range r.Profile.Fields() {
			fold(f.Value)
		}
		fold(&r.JoinURL)
		fold(&r.RegistrationSource)
		r.Responses = slices.Clone(r.Responses)
		for i := range r.Responses {
			fold(&r.Responses[i].Question)
			r.Responses[i].Answers = slices.Clone(r.Responses[i].Answers)
			for j := range r.Responses[i].Answers {
				fold(&r.Responses[i].Answers[j])
			}
		}
		if !changed {
			continue
		}
		if err := putRegistrant(data, r, r.indexKey(), true); err != nil {
			return err
		}
		er.Redacted++
	}
	return nil
}

// rememberErased keeps the registrant keys erased, so the sync does not
// copy them back from GoTo.
func rememberErased(tx *bolt.Tx, webinarKey string, keys map[string]bool, now time.Time) error {
	b, err := tx.CreateBucketIfNotExists([]byte(bucketErased))
	if err != nil {
		return err
	}
	for key := range keys {
		if err := b.Put(erasedKey(webinarKey, key), []byte(now.Format(time.RFC3339))); err != nil {
			return err
		}
	}
	return nil
}

func erasedKey(webinarKey, registrantKey string) []byte {
	return append(append([]byte(webinarKey), 0), registrantKey...)
}

// registrantErased reports whether the sync must leave a registrant out:
// erased here, and not brought back since by a webhook.
func registrantErased(tx *bolt.Tx, webinarKey, registrantKey string) bool {
	b := tx.Bucket([]byte(bucketErased))
	if b == nil || b.Get(erasedKey(webinarKey, registrantKey)) == nil {
		return false
	}
	data, _ := webinarData(tx, webinarKey, false)
	return data == nil || data.Bucket([]byte(subRegistrants)).Get([]byte(registrantKey)) == nil
}

// webinarDeleted reports whether the sync must leave a webinar out:
// deleted here, and not brought back since by a webhook.
func webinarDeleted(tx *bolt.Tx, webinarKey string) bool {
	b := tx.Bucket([]byte(bucketDeletedWebinar))
	if b == nil || b.Get([]byte(webinarKey)) == nil {
		return false
	}
	return tx.Bucket([]byte(bucketWebinars)).Get([]byte(webinarKey)) == nil
}

// tombstoneLog replaces the raw bodies of the log records seqs names,
// keeping each record (seq, eventKey, eventName, when): a redelivery is
// still known as one. keep, when set, may spare a record. Sends of them
// still queued for forwarding are dropped.
func tombstoneLog(tx *bolt.Tx, seqs []uint64, t Tombstone, keep func(LogEntry) bool, er *Erasure, erased map[string]bool) error {
	if len(seqs) == 0 {
		return nil
	}
	logB := tx.Bucket([]byte(bucketLog))
	done := map[uint64]bool{}
	for _, seq := range seqs {
		v := logB.Get(u64(seq))
		if v == nil {
			continue
		}
		e, err := decodeLogRecord(v, true)
		if err != nil {
			return err
		}
		if e.Tombstone != nil || (keep != nil && keep(e)) {
			continue
		}
		ts := t
		ts.Bytes = len(e.Raw)
		e.Tombstone, e.Raw, e.Join = &ts, tombstoneBody(ts), nil
		rec, err := encodeLogRecord(e)
		if err != nil {
			return err
		}
		if err := logB.Put(u64(seq), rec); err != nil {
			return fmt.Errorf("log %d: %w", seq, err)
		}
		done[seq] = true
		if erased != nil {
			erased[e.EventKey] = true
		}
		er.Events++
	}
	if out := tx.Bucket([]byte(bucketOutbox)); out != nil && len(done) > 0 {
		n := 0
		err := deleteWhere(out, func(_, v []byte) bool {
			var it OutboxItem
			if json.Unmarshal(v, &it) == nil && done[it.Seq] {
				n++
				return true
			}
			return false
		})
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		er.Outbox += n
	}
	return nil
}

// dropDeliveries deletes delivery records, keeping the record's counters.
func dropDeliveries(tx *bolt.Tx, ring, links [][]byte, er *Erasure) error {
	meta := tx.Bucket([]byte(bucketDeliveryMeta))
	for _, ids := range []struct {
		b      *bolt.Bucket
		keys   [][]byte
		isRing bool
	}{{tx.Bucket([]byte(bucketDeliveryRing)), ring, true}, {tx.Bucket([]byte(bucketDeliveryLinks)), links, false}} {
		if ids.b == nil {
			continue
		}
		for _, k := range ids.keys {
			v := ids.b.Get(k)
			if v == nil {
				continue
			}
			size := len(v)
			if err := ids.b.Delete(k); err != nil {
				return fmt.Errorf("delivery record: %w", err)
			}
			var err error
			if ids.isRing {
				err = errors.Join(addCounter(meta, metaRingCount, -1), addCounter(meta, metaRingBytes, -size))
			} else {
				err = addCounter(meta, metaLinkCount, -1)
			}
			if err != nil {
				return fmt.Errorf("delivery record: %w", err)
			}
			er.Deliveries++
		}
	}
	return nil
}

// deleteWhere deletes the keys of b that del picks (not sub-buckets).
func deleteWhere(b *bolt.Bucket, del func(k, v []byte) bool) error {
	var keys [][]byte
	if err := b.ForEach(func(k, v []byte) error {
		if v != nil && del(k, v) {
			keys = append(keys, bytes.Clone(k))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// findAddress names the buckets in which the address (lower-cased) is
// still found, in a key or a value, in any case.
func findAddress(tx *bolt.Tx, email []byte) []string {
	p := &person{email: email}
	found := map[string]bool{}
	var walk func(path string, b *bolt.Bucket)
	walk = func(path string, b *bolt.Bucket) {
		_ = b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(path+"/"+string(k), b.Bucket(k))
				return nil
			}
			if p.mentions(k) || p.mentions(v) {
				found[path] = true
			}
			return nil
		})
	}
	_ = tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		walk(string(name), b)
		return nil
	})
	return slices.Sorted(maps.Keys(found))
}

// flushDeliveryLogs writes the outcomes the delivery records still queue,
// so an erasure finds them.
func (s *Store) flushDeliveryLogs(ctx context.Context) error {
	s.upkeep.mu.Lock()
	logs := slices.Clone(s.upkeep.logs)
	s.upkeep.mu.Unlock()
	for _, l := range logs {
		if err := l.Flush(ctx); err != nil {
			return fmt.Errorf("writing the delivery record: %w", err)
		}
	}
	return nil
}

// scrubDeliveryLogs blanks what the delivery records' in-memory summaries
// keep of the outcomes match picks.
func (s *Store) scrubDeliveryLogs(match func(gotowebinar.Outcome) bool) {
	s.upkeep.mu.Lock()
	logs := slices.Clone(s.upkeep.logs)
	s.upkeep.mu.Unlock()
	for _, l := range logs {
		l.mem.Scrub(match)
		l.scrubOthers(match)
	}
}

// keepDeliveryLog registers a delivery record for erasures; Close
// unregisters it.
func (s *Store) keepDeliveryLog(l *DeliveryLog, keep bool) {
	s.upkeep.mu.Lock()
	defer s.upkeep.mu.Unlock()
	s.upkeep.logs = slices.DeleteFunc(s.upkeep.logs, func(o *DeliveryLog) bool { return o == l })
	if keep {
		s.upkeep.logs = append(s.upkeep.logs, l)
	}
}

// DeleteWebinar removes a webinar with everything about it: its record,
// registrants, joins, attendance, sessions and counts, the raw bodies of
// its events (tombstones), its delivery records and queued sends, then
// compacts the file. ErrNotFound for an unknown webinar. When the deletion
// is done but the compaction is not, it returns the counts with an error
// wrapping ErrNotCompacted.
func (s *Store) DeleteWebinar(ctx context.Context, webinarKey string) (Erasure, error) {
	if s.writer == nil {
		return Erasure{}, errors.New("store: delete webinar: the store is open read-only")
	}
	if _, err := s.Webinar(webinarKey); err != nil {
		return Erasure{}, fmt.Errorf("store: delete webinar: %w", err)
	}
	if err := s.flushDeliveryLogs(ctx); err != nil {
		return Erasure{}, fmt.Errorf("store: delete webinar %s: %w", webinarKey, err)
	}
	var seqs []uint64
	eventKeys := map[string]bool{}
	var ring, links [][]byte
	err := s.view(func(tx *bolt.Tx) error {
		err := tx.Bucket([]byte(bucketLog)).ForEach(func(k, v []byte) error {
			head, _, _ := bytes.Cut(v, []byte{0})
			if !bytes.Contains(head, []byte(webinarKey)) {
				return nil
			}
			e, err := decodeLogRecord(v, false)
			if err != nil {
				return err
			}
			if e.WebinarKey == webinarKey {
				seqs = append(seqs, binary.BigEndian.Uint64(k))
				eventKeys[e.EventKey] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		ring, links = deliveriesAbout(tx, func(rec DeliveryRecord, _ []byte) bool {
			if eventKeys[rec.EventKey] {
				return true
			}
			if len(rec.Body) == 0 || !bytes.Contains(rec.Body, []byte(webinarKey)) {
				return false
			}
			ev, err := gotowebinar.DecodeEvent(rec.Body)
			return err == nil && string(ev.WebinarKey()) == webinarKey
		})
		return nil
	})
	if err != nil {
		return Erasure{}, fmt.Errorf("store: delete webinar %s: %w", webinarKey, err)
	}
	var er Erasure
	now := time.Now().UTC()
	err = s.update(func(tx *bolt.Tx) error {
		er = Erasure{}
		if err := deleteWebinarTx(tx, webinarKey, now, &er); err != nil {
			return err
		}
		if err := tombstoneLog(tx, seqs, Tombstone{Reason: TombstoneWebinarDeleted, At: now},
			func(e LogEntry) bool { return e.WebinarKey != webinarKey }, &er, nil); err != nil {
			return err
		}
		if err := dropDeliveries(tx, ring, links, &er); err != nil {
			return err
		}
		return tx.Bucket([]byte(bucketMeta)).Put([]byte(metaCompactPending), []byte(now.Format(time.RFC3339)))
	})
	if err != nil {
		return Erasure{}, fmt.Errorf("store: delete webinar %s: %w", webinarKey, err)
	}
	s.scrubDeliveryLogs(func(o gotowebinar.Outcome) bool {
		return eventKeys[o.EventKey] || bytes.Contains(o.Body, []byte(webinarKey))
	})
	return s.finishErasure(ctx, er, nil)
}

// deleteWebinarTx removes the webinar's record and data bucket, with the
// counters they were part of, and remembers its key for the sync.
func deleteWebinarTx(tx *bolt.Tx, webinarKey string, now time.Time, er *Erasure) error {
	meta := tx.Bucket([]byte(bucketMeta))
	if tx.Bucket([]byte(bucketWebinars)).Get([]byte(webinarKey)) != nil {
		if err := tx.Bucket([]byte(bucketWebinars)).Delete([]byte(webinarKey)); err != nil {
			return err
		}
		if err := addCounter(meta, metaWebinars, -1); err != nil {
			return err
		}
		er.Webinars = 1
	}
	data, err := webinarData(tx, webinarKey, false)
	if err != nil {
		return err
	}
	if data != nil {
		count := func(name string) int {
			if b := data.Bucket([]byte(name)); b != nil {
				return b.Stats().KeyN
			}
			return 0
		}
		er.Registrants, er.Joins, er.Attendance = count(subRegistrants), count(subJoins), count(subAttendance)
		if err := errors.Join(addCounter(meta, metaRegistrants, -er.Registrants), addCounter(meta, metaJoins, -er.Joins)); err != nil {
			return err
		}
		if err := tx.Bucket([]byte(bucketWebinarData)).DeleteBucket([]byte(webinarKey)); err != nil {
			return fmt.Errorf("webinar %s data: %w", webinarKey, err)
		}
	}
	if err := pruneQuestions(tx); err != nil {
		return err
	}
	if b := tx.Bucket([]byte(bucketErased)); b != nil {
		prefix := append([]byte(webinarKey), 0)
		if err := deleteWhere(b, func(k, _ []byte) bool { return bytes.HasPrefix(k, prefix) }); err != nil {
			return err
		}
	}
	b, err := tx.CreateBucketIfNotExists([]byte(bucketDeletedWebinar))
	if err != nil {
		return err
	}
	return b.Put([]byte(webinarKey), []byte(now.Format(time.RFC3339)))
}

// pruneQuestions keeps in the store-wide list of questions (the columns of
// the all-webinars export) only those some webinar still asks.
func pruneQuestions(tx *bolt.Tx) error {
	meta := tx.Bucket([]byte(bucketMeta))
	all, err := decodeStrings(meta.Get([]byte(metaQuestions)))
	if err != nil || len(all) == 0 {
		return err
	}
	asked := map[string]bool{}
	data := tx.Bucket([]byte(bucketWebinarData))
	err = data.ForEachBucket(func(k []byte) error {
		qs, err := decodeStrings(data.Bucket(k).Get([]byte(keyQuestions)))
		for _, q := range qs {
			asked[q] = true
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("questions: %w", err)
	}
	kept := slices.DeleteFunc(all, func(q string) bool { return !asked[q] })
	if len(kept) == 0 {
		return meta.Delete([]byte(metaQuestions))
	}
	return putStrings(meta, metaQuestions, kept)
}

// FindPerson lists the registrations whose e-mail address is email (in any
// case), in every webinar: what an erasure of it would remove.
func (s *Store) FindPerson(email string) ([]PersonMatch, error) {
	addr, err := NormalizeAddress(email)
	if err != nil {
		return nil, fmt.Errorf("store: find person: %w", err)
	}
	matches, _, err := s.SearchPeople(addr, 1000)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(matches, func(m PersonMatch) bool { return !strings.EqualFold(strings.TrimSpace(m.Registrant.Email), addr) }), nil
}
