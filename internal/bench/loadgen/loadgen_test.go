package loadgen_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/internal/bench/loadgen"
)

const secret = "bench-secret"

// registrants is a receiver that checks each delivery as webinarsync
// would and remembers its keys.
type registrants struct {
	t          *testing.T
	mu         sync.Mutex
	eventKeys  map[gotowebinar.Key]bool
	registrant map[gotowebinar.Key]bool
}

func (rs *registrants) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	err = gotowebinar.VerifySignature([][]byte{[]byte(secret)},
		r.Header.Get(gotowebinar.HeaderSignatureTimestamp), r.Header.Get(gotowebinar.HeaderSignature), body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	ev, err := gotowebinar.DecodeEvent(body)
	if err != nil || ev.RegistrantAdded == nil || ev.Undecoded != "" {
		rs.t.Errorf("not a registrant.added read in full: %v %q\n%s", err, ev.Undecoded, body)
		http.Error(w, "malformed", http.StatusBadRequest)
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.eventKeys[ev.EventKey] || rs.registrant[ev.RegistrantAdded.RegistrantKey] {
		rs.t.Errorf("a key came twice: eventKey %s, registrantKey %s", ev.EventKey, ev.RegistrantAdded.RegistrantKey)
	}
	rs.eventKeys[ev.EventKey] = true
	rs.registrant[ev.RegistrantAdded.RegistrantKey] = true
}

func newRegistrants(t *testing.T) *registrants {
	return &registrants{t: t, eventKeys: map[gotowebinar.Key]bool{}, registrant: map[gotowebinar.Key]bool{}}
}

func TestRun_SendsSignedNewRegistrantsUpToCount(t *testing.T) {
	t.Parallel()
	rs := newRegistrants(t)
	srv := httptest.NewServer(rs)
	defer srv.Close()
	res, err := loadgen.Run(t.Context(), loadgen.Config{URL: srv.URL, Secret: []byte(secret), Senders: 4, Count: 60})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 60 || res.Acked != 60 || res.Errors != 0 || res.FirstError != "" {
		t.Errorf("sent %d, acked %d, errors %d (%s); want 60 sent and acknowledged", res.Sent, res.Acked, res.Errors, res.FirstError)
	}
	if len(rs.eventKeys) != 60 {
		t.Errorf("the receiver kept %d distinct events, want 60", len(rs.eventKeys))
	}
	if res.P50Ms <= 0 || res.P99Ms < res.P50Ms || res.MaxMs < res.P99Ms || res.PerSecond <= 0 {
		t.Errorf("figures out of order: %+v", res)
	}
}

func TestRun_CountsRefusalsAsErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer srv.Close()
	res, err := loadgen.Run(t.Context(), loadgen.Config{URL: srv.URL, Secret: []byte(secret), Senders: 2, Count: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked != 0 || res.Errors != 10 || !strings.Contains(res.FirstError, "401") {
		t.Errorf("acked %d, errors %d (%s); want 10 errors naming the 401", res.Acked, res.Errors, res.FirstError)
	}
}

// Open loop sends every delivery due within the duration, however late
// the receiver makes some of them.
func TestRun_OpenLoopSendsWhatIsDueInTheDuration(t *testing.T) {
	t.Parallel()
	rs := newRegistrants(t)
	srv := httptest.NewServer(rs)
	defer srv.Close()
	res, err := loadgen.Run(t.Context(), loadgen.Config{URL: srv.URL, Secret: []byte(secret), Senders: 8,
		Rate: 200, Duration: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 50 || res.Acked != 50 || res.Rate != 200 {
		t.Errorf("sent %d, acked %d at rate %v; want the 50 due in 250 ms at 200/s", res.Sent, res.Acked, res.Rate)
	}
}

func TestRun_RefusesAnEndlessRun(t *testing.T) {
	_, err := loadgen.Run(t.Context(), loadgen.Config{URL: "http://127.0.0.1:1", Secret: []byte(secret), Senders: 1})
	if err == nil {
		t.Fatal("a run with neither duration nor count was accepted")
	}
}
