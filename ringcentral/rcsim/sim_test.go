package rcsim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"webinarsync/ringcentral/rcsim"
)

// apiClient calls a sim in memory with a token it issued.
type apiClient struct {
	hc    *http.Client
	token string
}

func newAPI(sim *rcsim.Sim) apiClient {
	return apiClient{hc: &http.Client{Transport: rcsim.Transport(sim.Handler())}, token: sim.IssueToken()}
}

func (c apiClient) do(t *testing.T, method, path, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, "https://platform.rcsim.test"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp, m
}

// echo answers the handshake and records deliveries' bodies.
type echo struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (e *echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if tok := r.Header.Get("Validation-Token"); tok != "" && r.ContentLength <= 0 {
		w.Header().Set("Validation-Token", tok)
		return
	}
	var m map[string]any
	_ = json.NewDecoder(r.Body).Decode(&m)
	e.mu.Lock()
	e.bodies = append(e.bodies, m)
	e.mu.Unlock()
}

const createBody = `{"eventFilters":["/webinar/runtime/v1/company/sessions/state",
	"/webinar/registration/v1/company/sessions/registrants"],
	"deliveryMode":{"transportType":"WebHook","address":"https://hooks.test/rc","verificationToken":"tok"},"expiresIn":3600}`

func TestSim_ListsAtMostTwentySubscriptions(t *testing.T) {
	t.Parallel()
	sim := rcsim.New(rcsim.Config{Client: &http.Client{Transport: rcsim.Transport(&echo{})}, Limits: rcsim.Limits{Medium: -1}})
	api := newAPI(sim)
	for i := range 22 {
		if resp, body := api.do(t, "POST", "/webinar/notifications/v1/subscriptions", createBody); resp.StatusCode != http.StatusCreated {
			t.Fatalf("create %d: %d %v", i, resp.StatusCode, body)
		}
	}
	_, list := api.do(t, "GET", "/webinar/notifications/v1/subscriptions", "")
	if recs, _ := list["records"].([]any); len(recs) != 20 {
		t.Errorf("listed %d subscriptions, want 20", len(recs))
	}
}

func TestSim_PenaltyRestartsWithEachRequestDuringIt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := rcsim.New(rcsim.Config{Limits: rcsim.Limits{Heavy: 1}})
		api := newAPI(sim)
		steps := []struct {
			wait          time.Duration
			want          int
			wantRemaining string
		}{
			{0, 200, "0"},
			{0, 429, "0"},                // over the limit: 60 s penalty
			{30 * time.Second, 429, "0"}, // during it: restarted, now until 90 s
			{59 * time.Second, 429, "0"}, // 89 s: still in it, restarted again
			{61 * time.Second, 200, "0"}, // free
		}
		for i, st := range steps {
			time.Sleep(st.wait)
			resp, _ := api.do(t, "GET", "/webinar/configuration/v1/webinars", "")
			h := resp.Header
			if resp.StatusCode != st.want || h.Get("X-Rate-Limit-Remaining") != st.wantRemaining ||
				h.Get("X-Rate-Limit-Group") != "heavy" || h.Get("X-Rate-Limit-Limit") != "1" || h.Get("X-Rate-Limit-Window") != "60" {
				t.Fatalf("step %d: %d %v, want %d with remaining %s", i, resp.StatusCode, h, st.want, st.wantRemaining)
			}
			if st.want == 429 && h.Get("Retry-After") != "60" {
				t.Errorf("step %d: Retry-After %q, want 60", i, h.Get("Retry-After"))
			}
		}
	})
}

func TestSim_WorldIsBelievableAndSeeded(t *testing.T) {
	t.Parallel()
	a, b := rcsim.New(rcsim.Config{Seed: 3}), rcsim.New(rcsim.Config{Seed: 3})
	statuses := map[string]bool{}
	nonASCII := 0
	for i, s := range a.Sessions() {
		statuses[s.Status] = true
		regs := a.Registrants(s.ID)
		if len(regs) < 6 {
			t.Errorf("session %s has %d registrants, want a few", s.ID, len(regs))
		}
		if other := b.Registrants(b.Sessions()[i].ID); len(other) != len(regs) || other[0].Email != regs[0].Email {
			t.Errorf("the same seed made different registrants")
		}
		for _, r := range regs {
			if utf8.RuneCountInString(r.FirstName+r.LastName) != len(r.FirstName+r.LastName) {
				nonASCII++
			}
			if !strings.Contains(r.Email, "@") {
				t.Errorf("registrant %+v has no e-mail", r)
			}
		}
	}
	if !statuses["Scheduled"] || !statuses["Active"] || !statuses["Finished"] {
		t.Errorf("statuses %v, want Scheduled, Active and Finished", statuses)
	}
	if nonASCII == 0 {
		t.Error("no registrant has a name beyond ASCII")
	}
}

func TestSim_NotificationsCarryTheEnvelope(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		hook := &echo{}
		sim := rcsim.New(rcsim.Config{Client: &http.Client{Transport: rcsim.Transport(hook)}})
		api := newAPI(sim)
		resp, sub := api.do(t, "POST", "/webinar/notifications/v1/subscriptions", createBody)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %v", resp.StatusCode, sub)
		}
		var sess rcsim.Session
		for _, s := range sim.Sessions() {
			if s.Status == "Scheduled" {
				sess = s
			}
		}
		reg, err := sim.AddRegistrant(t.Context(), sess.ID, "Zoë", "Ångström", "zoe@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.StartSession(t.Context(), sess.ID); err != nil {
			t.Fatal(err)
		}
		if len(hook.bodies) != 2 {
			t.Fatalf("%d deliveries, want 2", len(hook.bodies))
		}
		for i, want := range []struct{ event, id string }{
			{"/webinar/registration/v1/company/sessions/registrants", reg.ID},
			{"/webinar/runtime/v1/company/sessions/state", sess.ID},
		} {
			n := hook.bodies[i]
			body, _ := n["body"].(map[string]any)
			if n["event"] != want.event || n["subscriptionId"] != sub["id"] || n["ownerId"] != rcsim.OwnerID ||
				n["uuid"] == "" || n["timestamp"] != time.Now().UTC().Format("2006-01-02T15:04:05.000Z") || body["id"] != want.id {
				t.Errorf("delivery %d = %v, want event %s about %s", i, n, want.event, want.id)
			}
		}
		if body := hook.bodies[1]["body"].(map[string]any); body["status"] != "Active" || body["webinarId"] != sess.WebinarID {
			t.Errorf("state body %v, want Active for webinar %s", body, sess.WebinarID)
		}
	})
}

func TestSim_RefusesCredentialsSentTwice(t *testing.T) {
	t.Parallel()
	sim := rcsim.New(rcsim.Config{ClientID: "id", ClientSecret: "secret", JWT: "jwt"})
	hc := &http.Client{Transport: rcsim.Transport(sim.Handler())}
	tests := []struct {
		name     string
		form     url.Values
		basic    bool
		want     int
		wantCode string
	}{
		{"Basic", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {"jwt"}}, true, 200, ""},
		{"Basic and body", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {"jwt"}, "client_id": {"id"}, "client_secret": {"secret"}}, true, 400, "OAU-153"},
		{"no credentials", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {"jwt"}}, false, 401, "OAU-123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest("POST", "https://platform.rcsim.test/restapi/oauth/token", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.basic {
				req.SetBasicAuth("id", "secret")
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Errors []struct{ ErrorCode string } `json:"errors"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tt.want || (tt.wantCode != "" && (len(body.Errors) == 0 || body.Errors[0].ErrorCode != tt.wantCode)) {
				t.Errorf("%d %+v, want %d %s", resp.StatusCode, body, tt.want, tt.wantCode)
			}
		})
	}
}
