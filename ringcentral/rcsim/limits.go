package rcsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits are the requests per Window each rate-limit group allows a user
// and app. 0 is RingCentral's default; below 0 is no limit.
type Limits struct {
	Light, Medium, Heavy, Auth int
	Window                     time.Duration // 0 = 60 s
	Penalty                    time.Duration // how long a 429 shuts the group; 0 = 60 s
}

// The rate-limit groups, as X-Rate-Limit-Group names them (lower case,
// as in the guide's example; the documented names are capitalized).
const (
	groupLight  = "light"
	groupMedium = "medium"
	groupHeavy  = "heavy"
	groupAuth   = "auth"
)

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.Light, 50)
	def(&l.Medium, 40)
	def(&l.Heavy, 10)
	def(&l.Auth, 5)
	if l.Window <= 0 {
		l.Window = time.Minute
	}
	if l.Penalty <= 0 {
		l.Penalty = time.Minute
	}
	return l
}

func (l Limits) of(group string) int {
	switch group {
	case groupLight:
		return l.Light
	case groupMedium:
		return l.Medium
	case groupHeavy:
		return l.Heavy
	}
	return l.Auth
}

// meter counts requests per group over a sliding window (one user, one
// app: the sim has no others) and keeps each group's penalty.
type meter struct {
	limits Limits

	mu       sync.Mutex
	hits     map[string][]time.Time
	penalty  map[string]time.Time
	forced   int           // the next this many requests get 429
	forcedRA time.Duration // …with this Retry-After; 0 sends none
	refused  int
	log      []APIRequest
}

// APIRequest is one request the sim metered, as it arrived.
type APIRequest struct {
	At     time.Time
	Method string
	Path   string
	Query  string
	Group  string
	Status int // 429 when refused for the rate limit; 0 otherwise
}

// Throttle answers the next n metered requests 429 and shuts their group
// for retryAfter (sent as Retry-After), or for the penalty without a
// Retry-After header when retryAfter is 0.
func (s *Sim) Throttle(n int, retryAfter time.Duration) {
	s.meter.mu.Lock()
	defer s.meter.mu.Unlock()
	s.meter.forced, s.meter.forcedRA = n, retryAfter
}

// APIRequests returns every metered request so far, in arrival order.
func (s *Sim) APIRequests() []APIRequest {
	s.meter.mu.Lock()
	defer s.meter.mu.Unlock()
	return append([]APIRequest(nil), s.meter.log...)
}

func (m *meter) throttled() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refused
}

// take admits a request of group at now, or says for how long the group
// is shut. A request during a penalty restarts it, as RingCentral's does.
func (m *meter) take(group string, now time.Time) (remaining int, retryAfter time.Duration, sendRA, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.hits == nil {
		m.hits, m.penalty = make(map[string][]time.Time), make(map[string]time.Time)
	}
	limit := m.limits.of(group)
	hits := m.hits[group]
	for len(hits) > 0 && !hits[0].After(now.Add(-m.limits.Window)) {
		hits = hits[1:]
	}
	m.hits[group] = hits
	switch {
	case m.forced > 0:
		m.forced--
		retryAfter, sendRA = m.limits.Penalty, m.forcedRA > 0
		if sendRA {
			retryAfter = m.forcedRA
		}
	case now.Before(m.penalty[group]):
		retryAfter, sendRA = m.limits.Penalty, true
	case limit >= 0 && len(hits) >= limit:
		retryAfter, sendRA = m.limits.Penalty, true
	default:
		m.hits[group] = append(hits, now)
		return max(limit-len(hits)-1, 0), 0, false, true
	}
	m.penalty[group] = now.Add(retryAfter)
	m.refused++
	return 0, retryAfter, sendRA, false
}

// limited meters h under group and writes the X-Rate-Limit-* headers.
func (s *Sim) limited(group string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := s.now()
		remaining, retryAfter, sendRA, ok := s.meter.take(group, now)
		s.meter.record(APIRequest{At: now, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Group: group}, ok)
		limit := s.meter.limits.of(group)
		if limit >= 0 {
			hd := w.Header()
			hd.Set("X-Rate-Limit-Group", group)
			hd.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
			hd.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
			hd.Set("X-Rate-Limit-Window", strconv.Itoa(int(s.meter.limits.Window/time.Second)))
		}
		if !ok {
			if sendRA {
				w.Header().Set("Retry-After", strconv.Itoa(int((retryAfter+time.Second-1)/time.Second)))
			}
			writeErrors(w, http.StatusTooManyRequests, apiError{Code: "CMN-301", Message: "Request rate exceeded"})
			return
		}
		h(w, r)
	}
}

func (m *meter) record(req APIRequest, ok bool) {
	if !ok {
		req.Status = http.StatusTooManyRequests
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.log = append(m.log, req)
}

// apiError is one item of RingCentral's errors[].
type apiError struct {
	Code      string `json:"errorCode"`
	Message   string `json:"message"`
	Parameter string `json:"parameterName,omitempty"`
}

// writeErrors answers in RingCentral's ApiErrorResponseModel shape, with
// the older top-level errorCode and message beside it.
func writeErrors(w http.ResponseWriter, status int, errs ...apiError) {
	body := map[string]any{"errors": errs}
	if len(errs) > 0 {
		body["errorCode"], body["message"] = errs[0].Code, errs[0].Message
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

// requireToken answers 401 unless the request carries a live access token
// this sim issued, as RingCentral does for an expired or unknown one.
func (s *Sim) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			writeErrors(w, http.StatusUnauthorized, apiError{Code: "CMN-401", Message: "Authorization header is not specified"})
			return
		}
		s.mu.Lock()
		g, ok := s.access[strings.TrimSpace(tok)]
		s.mu.Unlock()
		switch {
		case !ok:
			writeErrors(w, http.StatusUnauthorized, apiError{Code: "OAU-213", Message: "Token not found"})
		case !s.now().Before(g.expires):
			writeErrors(w, http.StatusUnauthorized, apiError{Code: "OAU-128", Message: "Access token expired"})
		default:
			next.ServeHTTP(w, r)
		}
	})
}
