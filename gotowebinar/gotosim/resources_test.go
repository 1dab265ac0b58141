package gotosim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/gotowebinar/gotosim"
)

// populated is a sim with webinars added by Populate, and a token.
func populated(t *testing.T, p gotosim.Population) (*gotosim.Sim, string, string, []gotosim.Webinar) {
	t.Helper()
	clock := newClock()
	sim, srv := startSim(t, gotosim.Config{Seed: 7, Now: clock.Now})
	ws := sim.Generator().Populate(p)
	base := srv.URL + "/G2W/rest/v2/organizers/" + sim.OrganizerKey()
	return sim, base, sim.IssueToken(), ws
}

func TestResources_WebinarsArePagedWithinTheWindow(t *testing.T) {
	t.Parallel()
	now := newClock().Now()
	_, base, tok, ws := populated(t, gotosim.Population{Webinars: 5, Registrants: 1, Start: now.Add(-10 * 24 * time.Hour)})
	q := url.Values{"fromTime": {now.Add(-8 * 24 * time.Hour).Format(time.RFC3339)}, "toTime": {now.Format(time.RFC3339)}, "size": {"2"}}
	var keys []string
	for page := 0; ; page++ {
		q.Set("page", fmt.Sprint(page))
		status, body := call(t, "GET", base+"/webinars?"+q.Encode(), tok, nil)
		if status != 200 {
			t.Fatalf("page %d: %d %s", page, status, body)
		}
		var out struct {
			Embedded struct {
				Webinars []struct {
					WebinarKey string `json:"webinarKey"`
				} `json:"webinars"`
			} `json:"_embedded"`
			Page struct{ Size, TotalElements, TotalPages, Number int } `json:"page"`
		}
		mustUnmarshal(t, body, &out)
		for _, w := range out.Embedded.Webinars {
			keys = append(keys, w.WebinarKey)
		}
		if out.Page.TotalElements != 3 || out.Page.TotalPages != 2 || out.Page.Number != page {
			t.Errorf("page %d: page = %+v, want 3 elements on 2 pages", page, out.Page)
		}
		if page+1 >= out.Page.TotalPages {
			break
		}
	}
	// Days -10 and -9 are before the window; -8, -7 and -6 are in it.
	want := []string{ws[2].Key, ws[3].Key, ws[4].Key}
	if !slices.Equal(keys, want) {
		t.Errorf("webinars in the window = %v, want %v", keys, want)
	}
}

func TestResources_RefuseWhatGoToRefuses(t *testing.T) {
	t.Parallel()
	_, base, tok, ws := populated(t, gotosim.Population{Webinars: 1, Registrants: 1})
	for _, tc := range []struct {
		what, method, path string
		want               int
	}{
		{"webinars without times", "GET", "/webinars", 400},
		{"a page of 201 webinars", "GET", "/webinars?fromTime=2025-01-01T00:00:00Z&toTime=2026-01-01T00:00:00Z&size=201", 400},
		{"a page of 201 registrants", "GET", "/webinars/" + ws[0].Key + "/registrants?limit=201", 400},
		{"an unknown webinar", "GET", "/webinars/123/registrants", 404},
		{"an unknown registrant", "GET", "/webinars/" + ws[0].Key + "/registrants/42", 404},
		{"an unknown session", "GET", "/webinars/" + ws[0].Key + "/sessions/42/attendees", 404},
	} {
		if status, body := call(t, tc.method, base+tc.path, tok, nil); status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.what, status, body, tc.want)
		}
	}
	other := strings.Replace(base, "/organizers/", "/organizers/1", 1)
	if status, _ := call(t, "GET", other+"/webinars/"+ws[0].Key, tok, nil); status != http.StatusForbidden {
		t.Errorf("another organizer's webinar: %d, want 403", status)
	}
}

func TestResources_RegistrantsComeInBothShapesWithExactKeys(t *testing.T) {
	t.Parallel()
	sim, base, tok, ws := populated(t, gotosim.Population{Webinars: 1, Registrants: 30})
	path := base + "/webinars/" + ws[0].Key + "/registrants"
	var current []string
	for _, r := range sim.Generator().Registrants(ws[0].Key) {
		if r.Status != "Cancelled" {
			current = append(current, r.Key)
		}
	}

	// Without page and limit: the bare array of everyone, keys as numbers.
	status, body := call(t, "GET", path, tok, nil)
	if status != 200 || body[0] != '[' {
		t.Fatalf("unpaged: %d %.40s, want a bare array", status, body)
	}
	var bare []map[string]json.RawMessage
	mustUnmarshal(t, body, &bare)
	var keys []string
	for _, r := range bare {
		keys = append(keys, string(r["registrantKey"])) // the raw digits: no quotes, none lost
	}
	if !slices.Equal(keys, current) {
		t.Fatalf("unpaged keys = %v\nwant %v", keys, current)
	}

	// With them: {data,total,page,limit,pageSize}.
	status, body = call(t, "GET", path+"?page=1&limit=20", tok, nil)
	var paged struct {
		Data                         []map[string]json.RawMessage `json:"data"`
		Total, Page, Limit, PageSize int
	}
	mustUnmarshal(t, body, &paged)
	if status != 200 || paged.Total != len(current) || paged.Page != 1 || paged.Limit != 20 || paged.PageSize != len(current)-20 {
		t.Errorf("page 1: %d total=%d page=%d limit=%d pageSize=%d, want %d on the second page of 20",
			status, paged.Total, paged.Page, paged.Limit, paged.PageSize, len(current))
	}
	if len(paged.Data) > 0 && string(paged.Data[0]["registrantKey"]) != current[20] {
		t.Errorf("page 1 starts with %s, want %s", paged.Data[0]["registrantKey"], current[20])
	}
}

func TestResources_SessionsAndAttendance(t *testing.T) {
	t.Parallel()
	sim, base, tok, ws := populated(t, gotosim.Population{Webinars: 1, Registrants: 40, Sessions: 3, Attend: 50,
		Start: newClock().Now().Add(-36 * time.Hour)})
	w := ws[0]
	// Two of three sessions have started (-36 h and -12 h; +12 h has not).
	status, body := call(t, "GET", base+"/webinars/"+w.Key+"/sessions?size=1&page=1", tok, nil)
	var out struct {
		Embedded struct {
			Sessions []struct {
				SessionKey          string `json:"sessionKey"`
				RegistrantsAttended int    `json:"registrantsAttended"`
			} `json:"sessionInfoResources"`
		} `json:"_embedded"`
		Page struct{ TotalElements, TotalPages int } `json:"page"`
	}
	mustUnmarshal(t, body, &out)
	if status != 200 || out.Page.TotalElements != 2 || len(out.Embedded.Sessions) != 1 || out.Embedded.Sessions[0].SessionKey != w.Times[1].Key {
		t.Fatalf("sessions page 1: %d %s", status, body)
	}
	sess := out.Embedded.Sessions[0]
	status, body = call(t, "GET", base+"/webinars/"+w.Key+"/sessions/"+sess.SessionKey+"/attendees", tok, nil)
	var attendees []struct {
		RegistrantKey           json.Number `json:"registrantKey"`
		AttendanceTimeInSeconds int64       `json:"attendanceTimeInSeconds"`
		Attendance              []struct{ JoinTime, LeaveTime time.Time }
	}
	mustUnmarshal(t, body, &attendees)
	want := sim.Generator().Attendance(w.Key, sess.SessionKey)
	if status != 200 || len(attendees) != sess.RegistrantsAttended || len(attendees) != len(want) || len(want) == 0 {
		t.Fatalf("attendees: %d, %d of them, want %d (registrantsAttended %d)", status, len(attendees), len(want), sess.RegistrantsAttended)
	}
	for i, a := range attendees {
		var sum time.Duration
		for _, iv := range a.Attendance {
			if iv.LeaveTime.Before(iv.JoinTime) || iv.JoinTime.Before(w.Times[1].Start) || iv.LeaveTime.After(w.Times[1].End) {
				t.Errorf("attendee %s: interval %v–%v outside the session", a.RegistrantKey, iv.JoinTime, iv.LeaveTime)
			}
			sum += iv.LeaveTime.Sub(iv.JoinTime)
		}
		if a.RegistrantKey.String() != want[i].RegistrantKey || a.AttendanceTimeInSeconds != want[i].Seconds ||
			a.AttendanceTimeInSeconds < int64(sum/time.Second)-int64(len(a.Attendance)) || a.AttendanceTimeInSeconds > int64(sum/time.Second) {
			t.Errorf("attendee %d: %s %ds (intervals sum %v), want %s %ds", i, a.RegistrantKey, a.AttendanceTimeInSeconds, sum, want[i].RegistrantKey, want[i].Seconds)
		}
	}
}

func TestResources_RegistrantCreatedThroughTheAPIIsListedAndDeletable(t *testing.T) {
	t.Parallel()
	clock := newClock()
	sim, base, tok, ws := populated(t, gotosim.Population{Webinars: 1, Registrants: 2, Start: clock.Now().Add(48 * time.Hour)})
	path := base + "/webinars/" + ws[0].Key + "/registrants"
	body := map[string]any{"firstName": "Zoë", "lastName": "Ødegaard", "email": "zoe@nordlys.no", "organization": "Nordlys AS"}
	status, out := call(t, "POST", path, tok, body)
	var created struct {
		RegistrantKey json.Number `json:"registrantKey"`
		JoinURL       string      `json:"joinUrl"`
	}
	mustUnmarshal(t, out, &created)
	if status != 201 || created.RegistrantKey == "" || created.JoinURL == "" {
		t.Fatalf("create: %d %s", status, out)
	}
	if status, out := call(t, "POST", path, tok, body); status != http.StatusConflict {
		t.Errorf("registering the same e-mail again: %d %s, want 409", status, out)
	}
	if status, out := call(t, "POST", path, tok, map[string]any{"firstName": "A", "lastName": "B", "email": "a@b.c", "favouriteColour": "red"}); status != 400 {
		t.Errorf("an unknown field: %d %s, want 400", status, out)
	}
	status, out = call(t, "GET", path+"/"+created.RegistrantKey.String(), tok, nil)
	if status != 200 || !strings.Contains(string(out), `"organization":"Nordlys AS"`) || !strings.Contains(string(out), `"status":"APPROVED"`) {
		t.Errorf("get: %d %s", status, out)
	}
	if status, out := call(t, "DELETE", path+"/"+created.RegistrantKey.String(), tok, nil); status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", status, out)
	}
	if status, _ := call(t, "GET", path+"/"+created.RegistrantKey.String(), tok, nil); status != 404 {
		t.Errorf("get after delete: %d, want 404", status)
	}
	if got := len(sim.Generator().Registrants(ws[0].Key)); got != 3 {
		t.Errorf("generator holds %d registrants, want 3 (the deleted one kept as cancelled)", got)
	}
}

func TestMeter_ThrottlesAndEnforcesTheRateLimit(t *testing.T) {
	t.Parallel()
	// Virtual time: every request below arrives in the same second however
	// slow the machine, and the limit's one-second window is exact.
	synctest.Test(t, func(t *testing.T) {
		sim, hc := startSimInMemory(gotosim.Config{Seed: 7, Now: newClock().Now})
		tok := sim.IssueToken()
		list := memSimURL + "/G2W/rest/v2/organizers/" + sim.OrganizerKey() + "/webinars?fromTime=2025-01-01T00:00:00Z&toTime=2026-01-01T00:00:00Z"
		sim.Throttle(2, 3*time.Second)
		req, _ := http.NewRequest("GET", list, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		var retryAfter []string
		for range 3 {
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			retryAfter = append(retryAfter, fmt.Sprint(resp.StatusCode, " ", resp.Header.Get("Retry-After")))
		}
		if want := []string{"429 ", "429 3", "200 "}; !slices.Equal(retryAfter, want) {
			t.Errorf("throttled answers = %q, want %q", retryAfter, want)
		}

		sim.LimitRate(4)
		var codes []int
		for range 6 {
			status, _ := callVia(t, hc, "GET", list, tok, nil)
			codes = append(codes, status)
		}
		if want := []int{200, 429, 429, 429, 429, 429}; !slices.Equal(codes, want) {
			// Three requests already arrived this second, so one more is allowed.
			t.Errorf("answers over a limit of 4/s = %v, want %v", codes, want)
		}
		if got := sim.MaxPerSecond(); got != 9 {
			t.Errorf("MaxPerSecond = %d, want 9 (every arrival counts, refused or not)", got)
		}

		// A second later those arrivals are out of the window.
		time.Sleep(time.Second)
		if status, body := callVia(t, hc, "GET", list, tok, nil); status != 200 {
			t.Errorf("a second later: %d %s, want 200", status, body)
		}
	})
}
