package gotosim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// apiMeter records every REST API request the sim is sent and makes GoTo's
// rate limit felt: injected 429s, an enforced limit, and network latency.
// The zero value records and does nothing else.
type apiMeter struct {
	mu         sync.Mutex
	log        []APIRequest
	throttle   int           // the next this many requests get 429
	retryAfter time.Duration // …with this Retry-After (0: none)
	perSecond  int           // more than this many in a second get 429; 0: no limit
	latency    time.Duration
}

// APIRequest is one request to the sim's REST API, as it arrived.
type APIRequest struct {
	At     time.Time
	Method string
	Path   string // without GoTo's /G2W/rest/v2 prefix
	Query  string
	Status int // 429 when the sim refused it for the rate limit; 0 otherwise
}

// Throttle answers the next n REST requests with 429 Too Many Requests,
// the last of them carrying Retry-After (whole seconds, rounded up) when
// retryAfter is positive: a client must wait that long.
func (s *Sim) Throttle(n int, retryAfter time.Duration) {
	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	s.api.throttle, s.api.retryAfter = n, retryAfter
}

// LimitRate makes the sim enforce GoTo's rate limit: a request arriving
// when perSecond already arrived within the last second is answered 429
// with Retry-After: 1. 0 lifts the limit.
func (s *Sim) LimitRate(perSecond int) {
	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	s.api.perSecond = perSecond
}

// SetLatency delays every REST answer by d, as the internet between a
// laptop and GoTo does.
func (s *Sim) SetLatency(d time.Duration) {
	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	s.api.latency = d
}

// APIRequests returns every REST request so far, in arrival order.
func (s *Sim) APIRequests() []APIRequest {
	s.api.mu.Lock()
	defer s.api.mu.Unlock()
	return slices.Clone(s.api.log)
}

// MaxPerSecond is the most REST requests that arrived within any one
// second (a sliding window: [t, t+1s) for every arrival t).
func (s *Sim) MaxPerSecond() int {
	return MaxInWindow(s.APIRequests(), time.Second)
}

// MaxInWindow is the most requests whose arrivals fall within any window
// of length d that starts at an arrival.
func MaxInWindow(reqs []APIRequest, d time.Duration) int {
	best, j := 0, 0
	for i := range reqs {
		for j < len(reqs) && reqs[j].At.Sub(reqs[i].At) < d {
			j++
		}
		best = max(best, j-i)
	}
	return best
}

// meter records the request and answers 429 when throttled or over the
// rate limit; otherwise it hands on after the latency.
func (s *Sim) meter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := &s.api
		m.mu.Lock()
		now := time.Now()
		req := APIRequest{At: now, Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/G2W/rest/v2"), Query: r.URL.RawQuery}
		refuse, retryAfter := false, time.Duration(0)
		switch {
		case m.throttle > 0:
			m.throttle--
			refuse = true
			if m.throttle == 0 {
				retryAfter = m.retryAfter
			}
		case m.perSecond > 0 && m.inLastSecondLocked(now) >= m.perSecond:
			refuse, retryAfter = true, time.Second
		}
		if refuse {
			req.Status = http.StatusTooManyRequests
		}
		m.log = append(m.log, req)
		latency := m.latency
		m.mu.Unlock()

		if latency > 0 {
			t := time.NewTimer(latency)
			select {
			case <-r.Context().Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		if refuse {
			if retryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int((retryAfter+time.Second-1)/time.Second)))
			}
			writeJSON(w, http.StatusTooManyRequests, map[string]string{
				"errorCode": "TooManyRequests", "description": "Rate limit exceeded: slow down", "incident": randomUUID()})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// inLastSecondLocked counts the requests that arrived in (now-1s, now].
func (m *apiMeter) inLastSecondLocked(now time.Time) int {
	n := 0
	for i := len(m.log) - 1; i >= 0 && now.Sub(m.log[i].At) < time.Second; i-- {
		n++
	}
	return n
}
