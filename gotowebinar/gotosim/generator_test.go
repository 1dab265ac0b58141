package gotosim_test

import (
	"bytes"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
)

var bareKey = regexp.MustCompile(`"(webinarKey|registrantKey|sessionKey|organizerKey|webinarCreatorKey)":([0-9]+)`)

func TestGenerator_KeysAboveFloatPrecisionAreBareNumbers(t *testing.T) {
	t.Parallel()
	g := gotosim.NewGenerator(1, nil)
	twoTo53 := new(big.Int).Lsh(big.NewInt(1), 53)
	maxUint64 := new(big.Int).SetUint64(^uint64(0))
	var bare, beyondUint64 int
	for range 60 {
		body := g.Next()
		ev, err := gotowebinar.DecodeEvent(body)
		if err != nil {
			t.Fatalf("DecodeEvent(%s): %v", body, err)
		}
		for _, m := range bareKey.FindAllSubmatch(body, -1) {
			n, _ := new(big.Int).SetString(string(m[2]), 10)
			if n.Cmp(twoTo53) <= 0 {
				t.Errorf("%s = %s is not above 2^53", m[1], m[2])
			}
			bare++
			if n.Cmp(maxUint64) > 0 {
				beyondUint64++
			}
			if string(m[1]) == "registrantKey" && ev.RegistrantAdded != nil && string(ev.RegistrantAdded.RegistrantKey) != string(m[2]) {
				t.Errorf("decoded registrantKey %s, body has %s", ev.RegistrantAdded.RegistrantKey, m[2])
			}
		}
	}
	if bare == 0 {
		t.Error("no key was written as a bare JSON number")
	}
	if beyondUint64 == 0 {
		t.Error("no key was beyond the uint64 range")
	}
}

// TestGenerator_UsesEveryDocumentedForm runs long enough for every
// spelling and every kind of event to show up, and checks the stream makes
// sense: joins follow approved registrations, redeliveries repeat a body.
func TestGenerator_UsesEveryDocumentedForm(t *testing.T) {
	t.Parallel()
	g := gotosim.NewGenerator(7, nil)
	forms := map[string]*regexp.Regexp{
		"responses as tuples":      regexp.MustCompile(`"responses":\[\[`),
		"responses as objects":     regexp.MustCompile(`"responses":\[\{"question"`),
		"responses in a string":    regexp.MustCompile(`"responses":"\[`),
		"joinTime ISO-8601":        regexp.MustCompile(`"joinTime":"\d{4}-\d\d-\d\dT`),
		"joinTime Unix ms":         regexp.MustCompile(`"joinTime":\d{13}`),
		"Industry":                 regexp.MustCompile(`"Industry":`),
		"industry":                 regexp.MustCompile(`"industry":`),
		"keys as strings":          regexp.MustCompile(`"webinarKey":"\d+"`),
		"times as objects":         regexp.MustCompile(`"times":\[\{"startTime"`),
		"times as pairs":           regexp.MustCompile(`"times":\[\["`),
		"recurrenceKey null":       regexp.MustCompile(`"recurrenceKey":null`),
		"empty optional field":     regexp.MustCompile(`"phone":""`),
		"status Waiting":           regexp.MustCompile(`"status":"Waiting"`),
		"status Cancelled":         regexp.MustCompile(`"status":"Cancelled"`),
		"webinar UPDATED":          regexp.MustCompile(`"status":"UPDATED"`),
		"webinar DELETED":          regexp.MustCompile(`"status":"DELETED"`),
		"non-ASCII name":           regexp.MustCompile(`"firstName":"(José|Zoë|太郎)"`),
		"organization like a sum":  regexp.MustCompile(`"organization":"[@+]`),
		"webinar.created later on": regexp.MustCompile(`"recurrenceType":"sequence"`),
	}
	seen := map[string]int{}
	byKey := map[string][]byte{}
	registered := map[string]string{} // webinarKey/registrantKey → status
	var redeliveries int
	for i := range 400 {
		body := g.Next()
		ev, err := gotowebinar.DecodeEvent(body)
		if err != nil {
			t.Fatalf("event %d: DecodeEvent(%s): %v", i, body, err)
		}
		if prev, ok := byKey[string(ev.EventKey)]; ok {
			if !bytes.Equal(prev, body) {
				t.Fatalf("event %d reuses eventKey %s with another body", i, ev.EventKey)
			}
			redeliveries++
			continue
		}
		byKey[string(ev.EventKey)] = body
		for name, re := range forms {
			if re.Match(body) {
				seen[name]++
			}
		}
		switch {
		case ev.RegistrantAdded != nil:
			r := ev.RegistrantAdded
			registered[string(r.WebinarKey)+"/"+string(r.RegistrantKey)] = r.Status
			if (r.Status == "Approved") != (r.JoinURL != "") {
				t.Errorf("event %d: status %s with joinUrl %q", i, r.Status, r.JoinURL)
			}
		case ev.RegistrantJoined != nil:
			j := ev.RegistrantJoined
			if st := registered[string(j.WebinarKey)+"/"+string(j.RegistrantKey)]; st != "Approved" {
				t.Errorf("event %d: %s joined webinar %s, registration status %q", i, j.RegistrantKey, j.WebinarKey, st)
			}
			if j.SessionKey == "" || j.JoinTime.IsZero() {
				t.Errorf("event %d: join without sessionKey or joinTime: %s", i, body)
			}
		}
	}
	for name := range forms {
		if seen[name] == 0 {
			t.Errorf("no event with %s in 400", name)
		}
	}
	if redeliveries == 0 {
		t.Error("no redelivery in 400 events")
	}
}

func TestGenerator_BurstCreatesThreeWebinarsThenRegistrations(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	g := gotosim.NewGenerator(3, func() time.Time { return now })
	var created []*gotowebinar.WebinarEvent
	for i := range gotosim.BurstSize {
		ev, err := gotowebinar.DecodeEvent(g.Next())
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case i < 3 && ev.Webinar != nil && ev.EventName == gotowebinar.EventWebinarCreated:
			created = append(created, ev.Webinar)
		case i >= 3 && ev.RegistrantAdded != nil:
		default:
			t.Fatalf("burst event %d is %s", i, ev.EventName)
		}
	}
	if g.Pending() != 0 {
		t.Errorf("Pending() = %d after the burst", g.Pending())
	}
	live := created[0]
	if !live.StartTime.Before(now) || !live.EndTime.After(now) {
		t.Errorf("first webinar runs %v..%v, want it live at %v", live.StartTime, live.EndTime, now)
	}
	if d := created[1].StartTime.Sub(now); d < 6*24*time.Hour || d > 8*24*time.Hour {
		t.Errorf("second webinar starts in %v, want next week", d)
	}
	if s := created[2]; s.RecurrenceType != "series" || len(s.Times) != 2 || s.RecurrenceKey == "" {
		t.Errorf("third webinar: %s with %d sessions, recurrenceKey %q; want a series of 2", s.RecurrenceType, len(s.Times), s.RecurrenceKey)
	}
	if n := len(g.Webinars()); n != 3 {
		t.Errorf("Webinars() has %d, want 3", n)
	}
}

func TestGenerator_SameSeedSameEvents(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC) }
	a, b, c := gotosim.NewGenerator(42, now), gotosim.NewGenerator(42, now), gotosim.NewGenerator(43, now)
	differs := false
	for i := range 150 {
		x, y, z := a.Next(), b.Next(), c.Next()
		if !bytes.Equal(x, y) {
			t.Fatalf("event %d differs for the same seed:\n%s\n%s", i, x, y)
		}
		differs = differs || !bytes.Equal(x, z)
	}
	if !differs {
		t.Error("seeds 42 and 43 gave the same events")
	}
}

func TestRegistrantAddedJSON_WritesKeysExactly(t *testing.T) {
	t.Parallel()
	w := gotosim.Webinar{Key: "98765432109876543210", Title: "T", OrganizerKey: "1234567890123456789",
		Times: []gotosim.Session{{Start: time.Unix(0, 0), End: time.Unix(3600, 0)}}}
	r := gotosim.Registrant{Key: "91111111111111111111", FirstName: "Zoë", LastName: "Ødegaard",
		Email: "zoe@example.com", Status: "Approved", Registered: time.Unix(0, 0),
		Responses: []gotosim.Answer{{Question: "Q?", Type: "SHORT_ANSWER", Answers: []string{"a & b"}}}}
	body := gotosim.RegistrantAddedJSON("ek-1", time.Unix(0, 0), w, r, gotosim.Form{Responses: gotosim.ResponsesObjects})
	for _, want := range []string{`"webinarKey":98765432109876543210`, `"registrantKey":91111111111111111111`, `"answer":"a & b"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body lacks %s: %s", want, body)
		}
	}
	if strings.Contains(string(body), "ndustry") {
		t.Errorf("unset industry written without Form.EmptyFields: %s", body)
	}
	ev, err := gotowebinar.DecodeEvent(body)
	if err != nil {
		t.Fatal(err)
	}
	if ev.RegistrantAdded.RegistrantKey != "91111111111111111111" || ev.RegistrantAdded.Responses[0].Answer() != "a & b" {
		t.Errorf("decoded %+v", ev.RegistrantAdded)
	}
}

func TestGenerator_StartsANewLiveWebinarWhenTheLastOneEnds(t *testing.T) {
	t.Parallel()
	clk := newClock()
	g := gotosim.NewGenerator(5, clk.Now)
	for range gotosim.BurstSize {
		g.Next()
	}
	clk.Advance(2 * time.Hour)
	ev, err := gotowebinar.DecodeEvent(g.Next())
	if err != nil {
		t.Fatal(err)
	}
	now := clk.Now()
	if ev.Webinar == nil || ev.EventName != gotowebinar.EventWebinarCreated || ev.Webinar.StartTime.After(now) || !ev.Webinar.EndTime.After(now) {
		t.Fatalf("after the live webinar ended: %s, want a webinar.created running now", ev.Raw)
	}
	live, joins := ev.Webinar.WebinarKey, 0
	for range 100 {
		ev, err := gotowebinar.DecodeEvent(g.Next())
		if err != nil {
			t.Fatal(err)
		}
		if j := ev.RegistrantJoined; j != nil {
			joins++
			if j.WebinarKey != live {
				t.Errorf("join to webinar %s, want the new live one %s", j.WebinarKey, live)
			}
		}
	}
	if joins == 0 {
		t.Error("nobody joined the new live webinar")
	}
}
