// Package loadgen sends signed registrant.added deliveries to a webhook
// receiver as fast as it acknowledges them (closed loop) or at a fixed
// rate (open loop), and measures what came back: the load side of the
// ingest comparison of issue 15, run as its own process by
// internal/bench/load so it does not share a runtime with the receiver.
package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/internal/clock"
)

// Config says where to send, how hard and for how long.
type Config struct {
	URL    string // the webhook URL
	Secret []byte // the key deliveries are signed with

	// Senders is how many deliveries may be in flight at once, each
	// sender on its own kept-alive connection.
	Senders int
	// Rate, when above 0, sends that many deliveries per second whatever
	// the answers (open loop), so latency is what a steady stream of that
	// size sees; 0 sends each sender's next delivery as soon as the last
	// one was answered (closed loop), which measures throughput.
	Rate float64
	// Duration and Count bound the run: no delivery starts after
	// Duration, nor beyond Count; at least one must be set.
	Duration time.Duration
	Count    int
	// Timeout bounds one delivery (0: 10 s).
	Timeout time.Duration
}

// Result is what a run measured. Latencies are of acknowledged deliveries
// only; in open loop they count from when a delivery was due, so a
// receiver that falls behind is charged for the wait it caused.
type Result struct {
	Senders    int     `json:"senders"`
	Rate       float64 `json:"rate,omitempty"`
	Sent       int     `json:"sent"`
	Acked      int     `json:"acked"` // answered 2xx
	Errors     int     `json:"errors"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"perSecond"` // acknowledged per second
	P50Ms      float64 `json:"p50Ms"`
	P99Ms      float64 `json:"p99Ms"`
	MaxMs      float64 `json:"maxMs"`
	FirstError string  `json:"firstError,omitempty"`
}

func (c Config) check() error {
	switch {
	case c.URL == "":
		return errors.New("no URL to send to")
	case len(c.Secret) == 0:
		return errors.New("no secret key to sign with")
	case c.Senders < 1:
		return fmt.Errorf("senders %d: at least 1", c.Senders)
	case c.Duration <= 0 && c.Count <= 0:
		return errors.New("neither a duration nor a count: the run would not end")
	case c.Rate < 0:
		return fmt.Errorf("rate %v: not negative", c.Rate)
	}
	return nil
}

// Run sends until the duration or count is reached, or ctx ends, waits
// for the deliveries in flight and returns what it measured.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.check(); err != nil {
		return Result{}, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	transport := &http.Transport{
		Proxy:               nil, // a proxy in the environment must not sit in the measurement
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: cfg.Senders,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: cfg.Timeout}

	ev := newEvents()
	senders := make([]*sender, cfg.Senders)
	for i := range senders {
		senders[i] = &sender{client: client, url: cfg.URL, secret: cfg.Secret, events: ev}
	}
	start := time.Now()
	stopAt := time.Time{}
	if cfg.Duration > 0 {
		stopAt = start.Add(cfg.Duration)
	}
	var wg sync.WaitGroup
	if cfg.Rate > 0 {
		openLoop(ctx, cfg, senders, start, stopAt, &wg)
	} else {
		var claimed atomic.Int64
		more := func() bool {
			if ctx.Err() != nil || (!stopAt.IsZero() && !time.Now().Before(stopAt)) {
				return false
			}
			return cfg.Count <= 0 || claimed.Add(1) <= int64(cfg.Count)
		}
		for _, s := range senders {
			wg.Go(func() {
				for more() {
					s.send(ctx, time.Time{})
				}
			})
		}
	}
	wg.Wait()
	return summarize(cfg, senders, time.Since(start)), nil
}

// openLoop hands each delivery to a free sender at its due time. The
// hand-over blocks while every sender is busy; the deliveries due
// meanwhile then go at once, with their lateness in their latency.
func openLoop(ctx context.Context, cfg Config, senders []*sender, start, stopAt time.Time, wg *sync.WaitGroup) {
	due := make(chan time.Time)
	for _, s := range senders {
		wg.Go(func() {
			for at := range due {
				s.send(ctx, at)
			}
		})
	}
	defer close(due)
	interval := float64(time.Second) / cfg.Rate
	for i := 0; cfg.Count <= 0 || i < cfg.Count; i++ {
		at := start.Add(time.Duration(float64(i) * interval))
		if !stopAt.IsZero() && !at.Before(stopAt) {
			return
		}
		if clock.Sleep(ctx, time.Until(at)) != nil {
			return
		}
		select {
		case due <- at:
		case <-ctx.Done():
			return
		}
	}
}

func summarize(cfg Config, senders []*sender, took time.Duration) Result {
	res := Result{Senders: cfg.Senders, Rate: cfg.Rate, Seconds: took.Seconds()}
	var lat []time.Duration
	for _, s := range senders {
		res.Sent += s.sent
		res.Acked += len(s.latencies)
		res.Errors += s.errors
		lat = append(lat, s.latencies...)
		if res.FirstError == "" && s.firstErr != nil {
			res.FirstError = s.firstErr.Error()
		}
	}
	if took > 0 {
		res.PerSecond = float64(res.Acked) / took.Seconds()
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		res.P50Ms = ms(percentile(lat, 50))
		res.P99Ms = ms(percentile(lat, 99))
		res.MaxMs = ms(lat[len(lat)-1])
	}
	return res
}

// percentile is the nearest-rank percentile of sorted.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 × n)
	return sorted[max(rank, 1)-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// sender sends one delivery at a time; only its own goroutine touches it
// until the run is over.
type sender struct {
	client *http.Client
	url    string
	secret []byte
	events *events

	sent, errors int
	latencies    []time.Duration
	firstErr     error
}

// send posts one new delivery and reads the answer to its end, so the
// connection goes back to the pool. Latency counts from due, or from just
// before the request when due is zero.
func (s *sender) send(ctx context.Context, due time.Time) {
	body := s.events.next()
	timestamp := strconv.FormatInt(time.Now().UnixMilli(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		s.fail(fmt.Errorf("building a request: %w", err))
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(gotowebinar.HeaderSignatureTimestamp, timestamp)
	req.Header.Set(gotowebinar.HeaderSignature, gotowebinar.Sign(s.secret, timestamp, body))
	if due.IsZero() {
		due = time.Now()
	}
	s.sent++
	resp, err := s.client.Do(req)
	if err != nil {
		s.fail(err)
		return
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(due)
	switch {
	case resp.StatusCode/100 != 2:
		s.fail(fmt.Errorf("answered %s", resp.Status))
	case err != nil:
		s.fail(fmt.Errorf("reading the answer: %w", err))
	default:
		s.latencies = append(s.latencies, took)
	}
}

func (s *sender) fail(err error) {
	s.errors++
	if s.firstErr == nil {
		s.firstErr = err
	}
}

// events makes registrant.added bodies as GoTo sends them (the
// simulator's builder), each a new registrant of one webinar with a new
// eventKey, so every delivery is stored, never a duplicate.
type events struct {
	webinar gotosim.Webinar
	base    uint64 // registrant keys count up from here
	n       atomic.Uint64
}

func newEvents() *events {
	now := time.Now().UTC()
	start := now.Add(24 * time.Hour).Truncate(time.Hour)
	return &events{
		webinar: gotosim.Webinar{
			Key:            digits(19),
			Title:          "Ingest benchmark",
			ExperienceType: "CLASSIC",
			RecurrenceType: "single_session",
			OrganizerKey:   digits(19),
			AccountKey:     digits(19),
			TimeZone:       "Europe/Berlin",
			Created:        now,
			Times:          []gotosim.Session{{Start: start, End: start.Add(time.Hour)}},
		},
		// 19 digits with room to count up without growing a digit.
		base: 1e18 + rand.Uint64N(7e18),
	}
}

func (e *events) next() []byte {
	n := e.n.Add(1)
	now := time.Now().UTC()
	r := gotosim.Registrant{
		Key:          strconv.FormatUint(e.base+n, 10),
		FirstName:    "Ada",
		LastName:     "Lovelace",
		Email:        "ada+" + strconv.FormatUint(n, 10) + "@example.com",
		Organization: "Analytical Engines",
		Status:       "Approved",
		Registered:   now,
		Responses:    []gotosim.Answer{{Question: "Favourite number?", Type: "MULTIPLE_CHOICE", Answers: []string{"7"}}},
	}
	return gotosim.RegistrantAddedJSON(uuid(), now, e.webinar, r, gotosim.Form{})
}

// uuid returns a random version-4 UUID, the shape of GoTo's eventKeys.
func uuid() string {
	hi, lo := rand.Uint64(), rand.Uint64()
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, (hi>>16)&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

// digits returns a random n-digit decimal key, as GoTo's keys are.
func digits(n int) string {
	b := make([]byte, n)
	b[0] = byte('1' + rand.IntN(9))
	for i := 1; i < n; i++ {
		b[i] = byte('0' + rand.IntN(10))
	}
	return string(b)
}
