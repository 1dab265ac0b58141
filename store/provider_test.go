package store

import (
	"bytes"
	"context"
	"testing"
	"time"

	"webinarsync/record"
)

// A RingCentral notification as it arrives: its uuid is the delivery's id.
const rcBody = `{"uuid":"ed1cf00c-0420-4bf5-a0ae-e659cc9f77e0","event":"/webinar/registration/v1/company/sessions/registrants?webinarId=123456789",
  "timestamp":"2026-03-10T18:07:52.534Z","subscriptionId":"95fecfc9","ownerId":"256440016",
  "body":{"id":"555000111","sessionId":"987654321","webinarId":"123456789","firstName":"Zoë","email":"zoe@example.com"}}`

func rcEvent() *ProviderEvent {
	return &ProviderEvent{Provider: "ringcentral", ID: "ed1cf00c-0420-4bf5-a0ae-e659cc9f77e0",
		Name: "/webinar/registration/v1/company/sessions/registrants", WebinarID: "123456789",
		Raw: []byte(rcBody), ReceivedAt: time.Date(2026, 3, 10, 18, 7, 53, 0, time.UTC), ForwardedFor: "203.0.113.7"}
}

// Another provider's delivery is kept once, byte for byte, under keys of
// its own: the same id from GoTo is another event, and a redelivery is not
// stored again, also after a restart.
func TestPutProviderEvent_StoresOnceUnderItsProvidersKeys(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if stored, err := s.PutProviderEvent(ctx, rcEvent()); err != nil || !stored {
		t.Fatalf("first delivery: stored=%v, %v", stored, err)
	}
	if stored, err := s.PutProviderEvent(ctx, rcEvent()); err != nil || stored {
		t.Fatalf("redelivery: stored=%v, %v; want not stored", stored, err)
	}
	// GoTo's eventKeys are ids too: one equal to RingCentral's uuid is
	// another delivery, not a redelivery.
	put(t, s, addedBody("ed1cf00c-0420-4bf5-a0ae-e659cc9f77e0", "123456789", "555000111", "2026-03-10T18:07:52Z"))
	if c := mustCounts(t, s); c.Events != 2 {
		t.Errorf("%d events stored, want the RingCentral one and GoTo's", c.Events)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if stored, err := s.PutProviderEvent(ctx, rcEvent()); err != nil || stored {
		t.Fatalf("redelivery after a restart: stored=%v, %v; want not stored", stored, err)
	}
	got, err := s.Event(1)
	if err != nil {
		t.Fatal(err)
	}
	want := LogEntry{Seq: 1, Provider: "ringcentral", EventKey: "ringcentral:ed1cf00c-0420-4bf5-a0ae-e659cc9f77e0",
		EventName: "/webinar/registration/v1/company/sessions/registrants", WebinarKey: "ringcentral:123456789",
		ReceivedAt: time.Date(2026, 3, 10, 18, 7, 53, 0, time.UTC), ForwardedFor: "203.0.113.7"}
	raw := got.Raw
	got.Raw = nil
	if !bytes.Equal(raw, []byte(rcBody)) {
		t.Errorf("raw body\n%s\nwant byte for byte\n%s", raw, rcBody)
	}
	if !got.ReceivedAt.Equal(want.ReceivedAt) {
		t.Errorf("received at %v, want %v", got.ReceivedAt, want.ReceivedAt)
	}
	got.ReceivedAt = want.ReceivedAt
	if got.Provider != want.Provider || got.EventKey != want.EventKey || got.EventName != want.EventName ||
		got.WebinarKey != want.WebinarKey || got.ForwardedFor != want.ForwardedFor {
		t.Errorf("log entry %+v, want %+v", got, want)
	}
	// GoTo's registrant is in the views; RingCentral's delivery is in the
	// log only, and made no webinar of its own.
	if w := mustWebinar(t, s, "123456789"); w.Registrants != 1 {
		t.Errorf("GoTo's webinar lists %d registrants, want 1", w.Registrants)
	}
	if _, err := s.Webinar("ringcentral:123456789"); err == nil {
		t.Error("a RingCentral delivery made a webinar in the views")
	}
}

func TestPutProviderEvent_RefusesWhatIsNotAnotherProvidersDelivery(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	for name, mutate := range map[string]func(*ProviderEvent){
		"no provider":     func(e *ProviderEvent) { e.Provider = "" },
		"GoTo":            func(e *ProviderEvent) { e.Provider = ProviderGoTo },
		"a colon in name": func(e *ProviderEvent) { e.Provider = "ring:central" },
		"no id":           func(e *ProviderEvent) { e.ID = "" },
	} {
		e := rcEvent()
		mutate(e)
		if stored, err := s.PutProviderEvent(context.Background(), e); err == nil || stored {
			t.Errorf("%s: stored=%v, err=%v; want an error", name, stored, err)
		}
	}
	if c := mustCounts(t, s); c.Events != 0 {
		t.Errorf("%d events stored, want none", c.Events)
	}
}

func TestProviderKey_GoTosStayBareOthersCannotCollide(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ provider, id, key, of string }{
		{ProviderGoTo, "5432440361268815481", "5432440361268815481", ProviderGoTo},
		{"", "5432440361268815481", "5432440361268815481", ProviderGoTo},
		{"ringcentral", "5432440361268815481", "ringcentral:5432440361268815481", "ringcentral"},
		{"ringcentral", "a:b", "ringcentral:a:b", "ringcentral"},
	} {
		if got := ProviderKey(tc.provider, tc.id); got != tc.key {
			t.Errorf("ProviderKey(%q, %q) = %q, want %q", tc.provider, tc.id, got, tc.key)
		}
		if got := ProviderOf(tc.key); got != tc.of {
			t.Errorf("ProviderOf(%q) = %q, want %q", tc.key, got, tc.of)
		}
	}
}

// Erasing a person also replaces another provider's raw bodies that name
// them; the delivery's id still refuses a redelivery.
func TestErasePerson_ReachesAnotherProvidersDeliveries(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.PutProviderEvent(ctx, rcEvent()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ErasePerson(ctx, "ZOE@example.com"); err != nil {
		t.Fatal(err)
	}
	e, err := s.Event(1)
	if err != nil {
		t.Fatal(err)
	}
	if e.Tombstone == nil || bytes.Contains(bytes.ToLower(e.Raw), []byte("zoe@example.com")) {
		t.Errorf("after the erasure the RingCentral delivery reads %s (tombstone %v)", e.Raw, e.Tombstone)
	}
	if stored, err := s.PutProviderEvent(ctx, rcEvent()); err != nil || stored {
		t.Errorf("a redelivery after the erasure: stored=%v, %v; want refused", stored, err)
	}
}

// Records from another provider merge into the views beside GoTo's, under
// namespaced keys: the same id from each is two webinars, each with its
// own registrants.
func TestMerge_AnotherProvidersRecordsLiveBesideGoTos(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	at := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	rc := ProviderKey("ringcentral", "123456789")
	start := time.Date(2026, 3, 12, 17, 0, 0, 0, time.UTC)
	if _, err := s.MergeWebinars([]record.Webinar{
		{Key: "123456789", Title: "GoTo's webinar"},
		{Key: rc, Title: "All-Hands Webinar", Times: []record.Span{{Start: start, End: start.Add(30 * time.Minute)}}},
	}, at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MergeRegistrants(rc, []record.Registrant{
		{Key: ProviderKey("ringcentral", "555000111"), Profile: record.Profile{FirstName: "Zoë", LastName: "Doe", Email: "zoe@example.com"},
			Status: "Approved", RegisteredAt: at.Add(-time.Hour)},
	}, at, true); err != nil {
		t.Fatal(err)
	}
	ws, err := s.Webinars()
	if err != nil || len(ws) != 2 {
		t.Fatalf("Webinars() = %d, %v; want GoTo's and RingCentral's", len(ws), err)
	}
	w := mustWebinar(t, s, rc)
	if w.Title != "All-Hands Webinar" || w.Registrants != 1 || !w.StartTime.Equal(start) {
		t.Errorf("RingCentral's webinar reads %q, %d registrants, start %v", w.Title, w.Registrants, w.StartTime)
	}
	if g := mustWebinar(t, s, "123456789"); g.Registrants != 0 {
		t.Errorf("GoTo's webinar of the same id got %d registrants, want none", g.Registrants)
	}
	r := mustRegistrant(t, s, rc, ProviderKey("ringcentral", "555000111"))
	if r.FirstName != "Zoë" || r.Email != "zoe@example.com" || r.Status != "Approved" {
		t.Errorf("RingCentral's registrant reads %+v", r)
	}
}

// A join another provider tells of (RingCentral's participants, polled)
// reaches the views as GoTo's do: the join, the registrant's counts, the
// live board's feed; erasing the person takes it from the log record too.
func TestPutProviderEvent_AJoinReachesTheViewsAndGoesWithAnErasure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	webinar := ProviderKey("ringcentral", "123456789")
	at := time.Date(2026, 3, 12, 17, 2, 0, 0, time.UTC)
	if _, err := s.MergeRegistrants(webinar, []record.Registrant{{Key: ProviderKey("ringcentral", "555000111"),
		Profile: record.Profile{FirstName: "Zoë", LastName: "Ngata", Email: "zoe@example.com"}, Status: "Approved"}}, at.Add(-time.Hour), false); err != nil {
		t.Fatal(err)
	}
	join := &ProviderEvent{Provider: "ringcentral", ID: "join:987654321:p-42", Name: "participant.joined", WebinarID: "123456789",
		Raw: []byte(`{"id":"p-42","email":"zoe@example.com","joinTime":"2026-03-12T17:02:00Z"}`), ReceivedAt: at.Add(5 * time.Second),
		Join: &record.Join{SessionKey: ProviderKey("ringcentral", "987654321"), RegistrantKey: ProviderKey("ringcentral", "555000111"),
			FirstName: "Zoë", LastName: "Ngata", Email: "zoe@example.com", At: at}}
	for range 2 { // polled again: stored once
		if _, err := s.PutProviderEvent(ctx, join); err != nil {
			t.Fatal(err)
		}
	}
	joins, err := s.JoinsAfter(webinar, 0)
	if err != nil || len(joins) != 1 || !joins[0].JoinTime.Equal(at) || joins[0].FirstName != "Zoë" {
		t.Fatalf("JoinsAfter = %+v, %v; want Zoë's one join at %v", joins, err, at)
	}
	if r := mustRegistrant(t, s, webinar, ProviderKey("ringcentral", "555000111")); r.Joins != 1 || !r.FirstJoinTime.Equal(at) {
		t.Errorf("the registrant reads %d joins, first at %v", r.Joins, r.FirstJoinTime)
	}
	if w := mustWebinar(t, s, webinar); w.Joined != 1 {
		t.Errorf("the webinar counts %d joined, want 1", w.Joined)
	}
	// After a crash the log replays into the same views: reopen and see.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.ErasePerson(ctx, "zoe@example.com"); err != nil {
		t.Fatal(err)
	}
	seq := joins[0].Seq
	e, err := s.Event(seq)
	if err != nil {
		t.Fatal(err)
	}
	if e.Join != nil || e.Tombstone == nil {
		t.Errorf("after the erasure the log record keeps %+v (tombstone %v)", e.Join, e.Tombstone)
	}
	if joins, _ := s.JoinsAfter(webinar, 0); len(joins) != 0 {
		t.Errorf("after the erasure the webinar still lists joins %+v", joins)
	}
}

// Erasing a RingCentral registrant by key, with no address to search for,
// still reaches their polled join: its record names them by key, its body
// by RingCentral's own id.
func TestEraseRegistrant_ReachesAnotherProvidersJoinWithoutAnAddress(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	webinar := ProviderKey("ringcentral", "123456789")
	who := ProviderKey("ringcentral", "participant-P100001")
	if _, err := s.PutProviderEvent(ctx, &ProviderEvent{Provider: "ringcentral", ID: "join:987654321:P100001", Name: "participant.joined",
		WebinarID: "123456789", Raw: []byte(`{"ID":"P100001","FirstName":"Zebedee","Role":"Attendee"}`), ReceivedAt: time.Now(),
		Join: &record.Join{SessionKey: ProviderKey("ringcentral", "987654321"), RegistrantKey: who, FirstName: "Zebedee", At: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	er, err := s.EraseRegistrant(ctx, webinar, who)
	if err != nil {
		t.Fatal(err)
	}
	if er.Events != 1 {
		t.Errorf("the erasure replaced %d event bodies, want the join's", er.Events)
	}
	e, err := s.Event(1)
	if err != nil {
		t.Fatal(err)
	}
	if e.Join != nil || bytes.Contains(e.Raw, []byte("Zebedee")) {
		t.Errorf("after the erasure the record keeps %+v and %s", e.Join, e.Raw)
	}
}

// An erasure also blanks what another provider's in-memory summary keeps
// of deliveries naming the person (RingCentral's card), and only those.
func TestErasePerson_AlsoBlanksAnotherProvidersInMemoryOutcomes(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	l, err := NewDeliveryLog(s, func() [][]byte { return nil }, DeliveryLimits{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	kept := [][]byte{[]byte(`{"body":{"email":"Zoe@Example.com"}}`), []byte(`{"body":{"email":"other@example.com"}}`)}
	var blanked []int
	l.AlsoScrub(func(match func(eventKey string, body []byte) bool) {
		for i, b := range kept {
			if match("ringcentral:forged-1", b) {
				blanked = append(blanked, i)
			}
		}
	})
	if _, err := s.ErasePerson(context.Background(), "zoe@example.com"); err != nil {
		t.Fatal(err)
	}
	if len(blanked) != 1 || blanked[0] != 0 {
		t.Errorf("blanked %v, want only the outcome naming them", blanked)
	}
}
