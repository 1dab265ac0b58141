package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
)

// The delivery record's buckets: every request to the webhook path, by id
// (8-byte big-endian, one sequence for both, so they merge newest first).
const (
	bucketDeliveryLinks = "deliverylinks" // id -> record of a stored or duplicate delivery, no body
	bucketDeliveryRing  = "deliveryring"  // id -> record of a refused or failed one, body kept
	bucketDeliveryMeta  = "deliverymeta"  // ring count and bytes, link count
	metaRingCount       = "ringcount"
	metaRingBytes       = "ringbytes"
	metaLinkCount       = "linkcount"
)

// DeliveryLimits bound the delivery record. The zero value is what the
// app uses.
type DeliveryLimits struct {
	RingCount  int   // refused and failed records kept; 0: 2,000
	RingBytes  int64 // their encoded bytes, bodies included; 0: 32 MiB
	LinkCount  int   // stored and duplicate records kept; 0: 100,000 (~30 MB)
	Queue      int   // outcomes waiting for the writer; 0: 1,024
	QueueBytes int64 // their body bytes; 0: 4 MiB
}

func (l DeliveryLimits) withDefaults() DeliveryLimits {
	if l.RingCount <= 0 {
		l.RingCount = 2000
	}
	if l.RingBytes <= 0 {
		l.RingBytes = 32 << 20
	}
	if l.LinkCount <= 0 {
		l.LinkCount = 100_000
	}
	if l.Queue <= 0 {
		l.Queue = 1024
	}
	if l.QueueBytes <= 0 {
		l.QueueBytes = 4 << 20
	}
	return l
}

// DeliveryRecord is one request to the webhook path as the record keeps it.
type DeliveryRecord struct {
	ID uint64 `json:"-"`
	// Provider is whose webhook path it came to: "" for GoTo's (every
	// record written before a second provider), "ringcentral" for
	// RingCentral's, whose Check is ringcentral.CheckCode's.
	Provider     string              `json:"provider,omitempty"`
	At           time.Time           `json:"at"`
	Result       gotowebinar.Result  `json:"result"`
	Check        string              `json:"check,omitempty"` // gotowebinar.CheckCode of the failed check
	EventName    string              `json:"eventName,omitempty"`
	EventKey     string              `json:"eventKey,omitempty"`
	Bytes        int                 `json:"bytes"`
	Took         time.Duration       `json:"took"`
	Method       string              `json:"method,omitempty"`
	RemoteAddr   string              `json:"remoteAddr,omitempty"`
	ForwardedFor string              `json:"forwardedFor,omitempty"`
	Header       map[string][]string `json:"header,omitempty"`
	Body         []byte              `json:"body,omitempty"`
	Signature    string              `json:"signature,omitempty"` // whole, for Verify again
	// Quarantined: refused, but shaped like GoTo's (eventName and
	// eventKey); kept, never applied unless it verifies later.
	Quarantined bool `json:"quarantined,omitempty"`
	// Rescued is when Verify again found it genuine and stored it.
	Rescued time.Time `json:"rescued,omitzero"`
	// Seq is the event's place in the log for a stored or duplicate one
	// (looked up when read, so it links to the event); 0 otherwise.
	Seq uint64 `json:"-"`
}

// Outcome is the record as the receiver reported it.
func (r DeliveryRecord) Outcome() gotowebinar.Outcome {
	return gotowebinar.Outcome{At: r.At, Result: r.Result, Check: gotowebinar.CheckFromCode(r.Check),
		EventName: r.EventName, EventKey: r.EventKey, Bytes: r.Bytes, Took: r.Took, Method: r.Method,
		RemoteAddr: r.RemoteAddr, ForwardedFor: r.ForwardedFor, Header: http.Header(r.Header),
		Body: r.Body, Signature: r.Signature}
}

// Kept reports whether the record is in the ring (refused or failed).
func (r DeliveryRecord) Kept() bool {
	return r.Result != gotowebinar.Stored && r.Result != gotowebinar.Duplicate
}

// DeliveryLog is the durable record of every request to the webhook path:
// stored and duplicate deliveries as small links to their event, refused
// and failed ones in a ring capped in count and bytes, oldest out first.
// It is the Receiver's Observer, and keeps the in-memory summary for the
// status, seeded from disk at start so refusals before a restart show.
//
// Observe never blocks and never writes: the Receiver calls it before a
// delivery's answer leaves, and GoTo's acknowledgements must not wait for
// a second fsync (nor a flood of strangers for one each). Outcomes go into
// a bounded queue (count and body bytes) that one writer drains, many per
// bbolt transaction and at most one transaction every recordEvery under
// load; when the queue is full the outcome is dropped and
// counted, so a flood costs a bounded amount of memory and never the
// receiver's time. Build it with NewDeliveryLog; Close it before the Store.
type DeliveryLog struct {
	st   *Store
	keys func() [][]byte
	lim  DeliveryLimits
	log  *slog.Logger
	mem  gotowebinar.Deliveries

	queue       chan DeliveryRecord // as recordOf made it, or another provider's
	queuedBytes atomic.Int64
	dropped     atomic.Int64
	done        chan struct{}
	closeOnce   sync.Once
	flushReq    chan chan struct{}

	subsMu sync.Mutex
	subs   map[chan uint64]struct{}
	closed bool

	scrubMu   sync.Mutex
	scrubbers []func(match func(eventKey string, body []byte) bool) // AlsoScrub
}

// AlsoScrub has erasures and webinar deletions also blank what another
// provider's in-memory summary keeps (RingCentral's refused bodies):
// scrub is handed a match over a delivery's event key and body.
func (l *DeliveryLog) AlsoScrub(scrub func(match func(eventKey string, body []byte) bool)) {
	l.scrubMu.Lock()
	defer l.scrubMu.Unlock()
	l.scrubbers = append(l.scrubbers, scrub)
}

// scrubOthers runs the AlsoScrub functions with match.
func (l *DeliveryLog) scrubOthers(match func(gotowebinar.Outcome) bool) {
	l.scrubMu.Lock()
	scrubbers := slices.Clone(l.scrubbers)
	l.scrubMu.Unlock()
	for _, scrub := range scrubbers {
		scrub(func(eventKey string, body []byte) bool {
			return match(gotowebinar.Outcome{EventKey: eventKey, Body: body})
		})
	}
}

// NewDeliveryLog opens the record in st and starts its writer. keys
// returns today's secret keys, for Verify again.
func NewDeliveryLog(st *Store, keys func() [][]byte, lim DeliveryLimits) (*DeliveryLog, error) {
	lim = lim.withDefaults()
	l := &DeliveryLog{st: st, keys: keys, lim: lim, log: st.log,
		queue: make(chan DeliveryRecord, lim.Queue), done: make(chan struct{}),
		flushReq: make(chan chan struct{}), subs: make(map[chan uint64]struct{})}
	err := st.update(func(tx *bolt.Tx) error {
		for _, name := range []string{bucketDeliveryLinks, bucketDeliveryRing, bucketDeliveryMeta} {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: delivery record: %w", err)
	}
	if err := l.seed(); err != nil {
		return nil, err
	}
	st.keepDeliveryLog(l, true) // an erasure flushes and scrubs it
	go l.write()
	return l, nil
}

// seedKept is how many of the latest records seed the summary: as many
// as it keeps in memory.
const seedKept = 256

// seed replays the latest records into the in-memory summary, so the last
// hour's counts and the last refusal survive a restart.
func (l *DeliveryLog) seed() error {
	recs, err := l.List(DeliveryQuery{Limit: seedKept})
	if err != nil {
		return fmt.Errorf("store: delivery record: seeding the summary: %w", err)
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Provider != "" {
			continue // another provider's: its own summary counts it
		}
		l.mem.Observe(recs[i].Outcome())
	}
	return nil
}

// Observe queues an outcome for the record, or drops and counts it when
// the queue is full. It never blocks.
func (l *DeliveryLog) Observe(o gotowebinar.Outcome) {
	l.mem.Observe(o)
	l.enqueue(recordOf(o))
}

// ObserveRecord queues another provider's delivery (rec.Provider set) as
// Observe does GoTo's. It never blocks.
func (l *DeliveryLog) ObserveRecord(rec DeliveryRecord) {
	if !rec.Kept() {
		rec.Body = nil // the event keeps it
	}
	rec.Body = rec.Body[:min(len(rec.Body), gotowebinar.KeptBodyBytes)]
	rec.At = rec.At.UTC()
	l.enqueue(rec)
}

// enqueue queues a record for the writer, or drops and counts it when the
// queue is full.
func (l *DeliveryLog) enqueue(o DeliveryRecord) {
	size := int64(len(o.Body))
	if l.queuedBytes.Add(size) > l.lim.QueueBytes && size > 0 {
		l.queuedBytes.Add(-size)
		l.dropped.Add(1)
		return
	}
	select {
	case l.queue <- o:
	case <-l.done:
		l.queuedBytes.Add(-size)
	default:
		l.queuedBytes.Add(-size)
		l.dropped.Add(1)
	}
}

// Dropped counts the outcomes the queue had no room for.
func (l *DeliveryLog) Dropped() int64 { return l.dropped.Load() }

// Summary is the deliveries of the hour before now, for the status.
func (l *DeliveryLog) Summary(now time.Time) gotowebinar.DeliverySummary {
	s := l.mem.Summary(now)
	return s
}

// Flush waits until every outcome queued before it is on disk (tests and
// shutdown use it), or ctx ends.
func (l *DeliveryLog) Flush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case l.flushReq <- ack:
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close writes what is queued and stops the writer; later outcomes are
// dropped. Call it before closing the Store.
func (l *DeliveryLog) Close() {
	l.closeOnce.Do(func() {
		ack := make(chan struct{})
		l.flushReq <- ack
		<-ack
		l.st.keepDeliveryLog(l, false)
		close(l.done)
		l.subsMu.Lock()
		l.closed = true
		for ch := range l.subs {
			close(ch)
		}
		clear(l.subs)
		l.subsMu.Unlock()
	})
}

// maxWriteBatch bounds the outcomes written in one transaction: as many
// as the default queue holds, so a paced writer empties it in one commit.
const maxWriteBatch = 1024

// recordEvery is the least time between two commits of records under
// load: each commit holds bbolt's one writer through its fsync, and one
// after every acknowledged commit cost 8 senders a third of their rate
// (issue 15). A lone record still goes at once; a flush does not wait.
const recordEvery = 50 * time.Millisecond

// write is the one writer: it takes what is queued, up to maxWriteBatch
// a transaction, at most one round of commits every recordEvery; a round
// and a flush drain the whole queue.
func (l *DeliveryLog) write() {
	batch := make([]DeliveryRecord, 0, maxWriteBatch)
	var last time.Time
	for {
		var ack chan struct{}
		select {
		case <-l.done:
			return
		case o := <-l.queue:
			batch = append(batch, o)
		case ack = <-l.flushReq:
		}
		if rest := recordEvery - time.Since(last); ack == nil && rest > 0 {
			select {
			case <-l.done:
				// Close writes nothing more: what is queued now is lost
				// as it would have been a moment later.
				return
			case ack = <-l.flushReq:
			case <-time.After(rest):
			}
		}
		last = time.Now()
		for {
		more:
			for len(batch) < maxWriteBatch {
				select {
				case o := <-l.queue:
					batch = append(batch, o)
				default:
					break more
				}
			}
			if len(batch) == 0 {
				break
			}
			l.writeBatch(batch)
			full := len(batch) == maxWriteBatch
			batch = batch[:0]
			if ack == nil && !full {
				break // a full batch may have left more queued: on at once
			}
		}
		if ack != nil {
			close(ack)
		}
	}
}

// writeBatch commits a batch and tells the live pages.
func (l *DeliveryLog) writeBatch(batch []DeliveryRecord) {
	ids, err := l.commit(batch)
	var bodies int64
	for _, o := range batch {
		bodies += int64(len(o.Body))
	}
	l.queuedBytes.Add(-bodies)
	if err != nil {
		// Nobody to return it to: the deliveries were answered already.
		l.log.Error("store: delivery record: writing failed; these outcomes are lost", "count", len(batch), "err", err)
	}
	for _, id := range ids {
		l.notify(id)
	}
}

// commit writes a batch and prunes the ring and the links to their caps.
func (l *DeliveryLog) commit(batch []DeliveryRecord) ([]uint64, error) {
	var ids []uint64
	// write, not update: delivery records touch no view, so they need not
	// wait for the views to catch up with a flood.
	err := l.st.write(func(tx *bolt.Tx) error {
		ids = ids[:0]
		links, ring, meta := tx.Bucket([]byte(bucketDeliveryLinks)), tx.Bucket([]byte(bucketDeliveryRing)), tx.Bucket([]byte(bucketDeliveryMeta))
		for _, rec := range batch {
			id, err := meta.NextSequence()
			if err != nil {
				return err
			}
			v, err := json.Marshal(rec)
			if err != nil {
				return fmt.Errorf("encode delivery: %w", err)
			}
			if rec.Kept() {
				if err := ring.Put(idKey(id), v); err != nil {
					return err
				}
				if err := addCounter(meta, metaRingCount, 1); err != nil {
					return err
				}
				if err := addCounter(meta, metaRingBytes, len(v)); err != nil {
					return err
				}
			} else {
				if err := links.Put(idKey(id), v); err != nil {
					return err
				}
				if err := addCounter(meta, metaLinkCount, 1); err != nil {
					return err
				}
			}
			ids = append(ids, id)
		}
		return l.prune(links, ring, meta)
	})
	if err != nil {
		return nil, fmt.Errorf("store: delivery record: %w", err)
	}
	return ids, nil
}

// prune deletes the oldest records while the ring is over either cap, and
// the oldest links while they are over theirs. It only touches these
// buckets: a flood of refusals never pushes out a stored event.
func (l *DeliveryLog) prune(links, ring, meta *bolt.Bucket) error {
	c := ring.Cursor()
	for k, v := c.First(); k != nil; k, v = c.First() {
		if counter(meta, metaRingCount) <= uint64(l.lim.RingCount) && counter(meta, metaRingBytes) <= uint64(l.lim.RingBytes) {
			break
		}
		size := len(v)
		if err := c.Delete(); err != nil {
			return err
		}
		if err := addCounter(meta, metaRingCount, -1); err != nil {
			return err
		}
		if err := addCounter(meta, metaRingBytes, -size); err != nil {
			return err
		}
	}
	lc := links.Cursor()
	for k, _ := lc.First(); k != nil && counter(meta, metaLinkCount) > uint64(l.lim.LinkCount); k, _ = lc.First() {
		if err := lc.Delete(); err != nil {
			return err
		}
		if err := addCounter(meta, metaLinkCount, -1); err != nil {
			return err
		}
	}
	return nil
}

// recordOf is the record of an outcome: a stored one without body or
// signature (the event keeps the body), a refused one marked quarantined
// when it is shaped like GoTo's.
func recordOf(o gotowebinar.Outcome) DeliveryRecord {
	r := DeliveryRecord{At: o.At.UTC(), Result: o.Result, Check: gotowebinar.CheckCode(o.Check),
		EventName: o.EventName, EventKey: o.EventKey, Bytes: o.Bytes, Took: o.Took, Method: o.Method,
		RemoteAddr: o.RemoteAddr, ForwardedFor: o.ForwardedFor, Header: o.Header}
	if !r.Kept() {
		return r
	}
	r.Body = o.Body[:min(len(o.Body), gotowebinar.KeptBodyBytes)]
	r.Signature = o.Signature
	if name, key, ok := gotowebinar.LooksLikeGoTo(r.Body); ok {
		r.EventName, r.EventKey = name, key
		r.Quarantined = o.Result == gotowebinar.Refused
	}
	return r
}

func idKey(id uint64) []byte { return binary.BigEndian.AppendUint64(nil, id) }

// DeliveryQuery picks records, newest first.
type DeliveryQuery struct {
	Kept      *bool              // only refused and failed (true) or only stored and duplicate (false)
	Result    gotowebinar.Result // only this result
	EventName string             // only this event name
	Before    uint64             // only ids below it (paging); 0: from the newest
	After     uint64             // only ids above it (a live stream's catch-up)
	Limit     int                // 0: 100
}

// List returns the records the query picks, newest first, bodies left out.
func (l *DeliveryLog) List(q DeliveryQuery) ([]DeliveryRecord, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	var out []DeliveryRecord
	err := l.st.view(func(tx *bolt.Tx) error {
		events := tx.Bucket([]byte(bucketEvents))
		var cursors []*bolt.Cursor
		if q.Kept == nil || !*q.Kept {
			cursors = append(cursors, tx.Bucket([]byte(bucketDeliveryLinks)).Cursor())
		}
		if q.Kept == nil || *q.Kept {
			cursors = append(cursors, tx.Bucket([]byte(bucketDeliveryRing)).Cursor())
		}
		heads := make([][2][]byte, len(cursors))
		for i, c := range cursors {
			k, v := c.Last()
			if q.Before > 0 {
				k, v = c.Seek(idKey(q.Before))
				if k == nil {
					k, v = c.Last()
				} else {
					k, v = c.Prev()
				}
			}
			heads[i] = [2][]byte{k, v}
		}
		for len(out) < q.Limit {
			best := -1
			for i, h := range heads {
				if h[0] != nil && (best < 0 || bytes.Compare(h[0], heads[best][0]) > 0) {
					best = i
				}
			}
			if best < 0 {
				break
			}
			k, v := heads[best][0], heads[best][1]
			nk, nv := cursors[best].Prev()
			heads[best] = [2][]byte{nk, nv}
			id := binary.BigEndian.Uint64(k)
			if id <= q.After {
				heads[best] = [2][]byte{nil, nil}
				continue
			}
			rec, err := decodeDelivery(id, v, events)
			if err != nil {
				return err
			}
			if (q.Result != "" && rec.Result != q.Result) || (q.EventName != "" && rec.EventName != q.EventName) {
				continue
			}
			rec.Body = nil
			out = append(out, rec)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: delivery record: list: %w", err)
	}
	return out, nil
}

// Delivery returns one record, body included, or ErrNotFound (also once
// pruned).
func (l *DeliveryLog) Delivery(id uint64) (DeliveryRecord, error) {
	var rec DeliveryRecord
	err := l.st.view(func(tx *bolt.Tx) error {
		for _, name := range []string{bucketDeliveryRing, bucketDeliveryLinks} {
			if v := tx.Bucket([]byte(name)).Get(idKey(id)); v != nil {
				var err error
				rec, err = decodeDelivery(id, v, tx.Bucket([]byte(bucketEvents)))
				return err
			}
		}
		return ErrNotFound
	})
	if err != nil {
		return DeliveryRecord{}, fmt.Errorf("store: delivery %d: %w", id, err)
	}
	return rec, nil
}

func decodeDelivery(id uint64, v []byte, events *bolt.Bucket) (DeliveryRecord, error) {
	var rec DeliveryRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, fmt.Errorf("decode delivery %d: %w", id, err)
	}
	rec.ID = id
	if rec.EventKey != "" && (!rec.Kept() || !rec.Rescued.IsZero()) {
		rec.Seq = seqOf(events, []byte(rec.EventKey))
	}
	return rec, nil
}

// DeliveryStats are the record's figures.
type DeliveryStats struct {
	RingCount, LinkCount int
	RingBytes            int64
	Dropped              int64
}

// Stats reads the record's figures.
func (l *DeliveryLog) Stats() (DeliveryStats, error) {
	st := DeliveryStats{Dropped: l.Dropped()}
	err := l.st.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte(bucketDeliveryMeta))
		st.RingCount, st.LinkCount = int(counter(meta, metaRingCount)), int(counter(meta, metaLinkCount))
		st.RingBytes = int64(counter(meta, metaRingBytes))
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("store: delivery record: stats: %w", err)
	}
	return st, nil
}

// Recheck is what Verify again found.
type Recheck struct {
	// Check is the signature check with today's keys; nil: it passed.
	Check error
	// Alternatives are the other computations that match with a key we
	// know (only looked for when Check failed).
	Alternatives []gotowebinar.Alternative
	// Stored: it passed and is now in the store (false with Check nil: the
	// store had it already).
	Stored bool
	Seq    uint64
}

// ErrNotVerifiable: the record holds no body to check (refused before
// its body was read, or stored already).
var ErrNotVerifiable = errors.New("this delivery has no body to check")

// Alternatives tries the other computations of the signature on a kept
// record with today's keys (see gotowebinar.Alternatives).
func (l *DeliveryLog) Alternatives(rec DeliveryRecord) []gotowebinar.Alternative {
	if len(rec.Body) == 0 || rec.Signature == "" {
		return nil
	}
	ts := http.Header(rec.Header).Get(gotowebinar.HeaderSignatureTimestamp)
	return gotowebinar.Alternatives(l.keys(), ts, rec.Signature, rec.Body)
}

// VerifyAgain re-runs the real signature check on a kept delivery with
// today's keys; when it passes, the event goes through PutEvent like any
// delivery and the record says so. Nothing unverified is ever applied.
func (l *DeliveryLog) VerifyAgain(ctx context.Context, id uint64) (Recheck, error) {
	rec, err := l.Delivery(id)
	if err != nil {
		return Recheck{}, err
	}
	if !rec.Kept() || len(rec.Body) == 0 || rec.Provider != "" {
		// Another provider's has no signature to check again: its token
		// was either ours or not.
		return Recheck{}, fmt.Errorf("store: verify delivery %d: %w", id, ErrNotVerifiable)
	}
	ts := http.Header(rec.Header).Get(gotowebinar.HeaderSignatureTimestamp)
	if err := gotowebinar.VerifySignature(l.keys(), ts, rec.Signature, rec.Body); err != nil {
		return Recheck{Check: err, Alternatives: l.Alternatives(rec)}, nil
	}
	ev, err := gotowebinar.DecodeEvent(rec.Body)
	if err != nil {
		return Recheck{}, fmt.Errorf("store: verify delivery %d: signed, but %w", id, err)
	}
	d := &gotowebinar.Delivery{Event: *ev, ReceivedAt: rec.At, ForwardedFor: rec.ForwardedFor}
	stored, err := l.st.PutEvent(ctx, d)
	if err != nil {
		return Recheck{}, fmt.Errorf("store: verify delivery %d: %w", id, err)
	}
	rescued := time.Now().UTC()
	var seq uint64
	err = l.st.update(func(tx *bolt.Tx) error {
		ring := tx.Bucket([]byte(bucketDeliveryRing))
		v := ring.Get(idKey(id))
		seq = seqOf(tx.Bucket([]byte(bucketEvents)), []byte(ev.EventKey))
		if v == nil {
			return nil // pruned meanwhile; the event is stored all the same
		}
		var r DeliveryRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode delivery %d: %w", id, err)
		}
		r.Result, r.Check, r.Quarantined, r.Rescued = gotowebinar.Stored, "", false, rescued
		r.EventName, r.EventKey = ev.EventName, string(ev.EventKey)
		if !stored {
			r.Result = gotowebinar.Duplicate
		}
		nv, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode delivery %d: %w", id, err)
		}
		if err := addCounter(tx.Bucket([]byte(bucketDeliveryMeta)), metaRingBytes, len(nv)-len(v)); err != nil {
			return err
		}
		return ring.Put(idKey(id), nv)
	})
	if err != nil {
		return Recheck{}, fmt.Errorf("store: verify delivery %d: marking it rescued: %w", id, err)
	}
	l.notify(id)
	return Recheck{Stored: stored, Seq: seq}, nil
}

// SubscribeDeliveries returns a channel of the ids of new (or rescued)
// records, for live pages. A subscriber that falls behind misses ids,
// never blocks the writer: it catches up with List(After).
func (l *DeliveryLog) SubscribeDeliveries() (ids <-chan uint64, cancel func()) {
	ch := make(chan uint64, 64)
	l.subsMu.Lock()
	defer l.subsMu.Unlock()
	if l.closed {
		close(ch)
		return ch, func() {}
	}
	l.subs[ch] = struct{}{}
	return ch, func() {
		l.subsMu.Lock()
		defer l.subsMu.Unlock()
		if _, ok := l.subs[ch]; ok {
			delete(l.subs, ch)
			close(ch)
		}
	}
}

func (l *DeliveryLog) notify(id uint64) {
	l.subsMu.Lock()
	defer l.subsMu.Unlock()
	for ch := range l.subs {
		select {
		case ch <- id:
		default:
		}
	}
}
