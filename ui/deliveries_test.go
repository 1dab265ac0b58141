package ui

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/reconcile"
	"webinarsync/store"
	"webinarsync/tunnel"
)

// Refused deliveries are seen on the home page and in /api/status, not
// only in a log; when webhooks are active but every delivery fails the
// signature, the page says so in red and offers to renew the signing key.
func TestHome_SaysWhenDeliveriesKeepFailingTheSignature(t *testing.T) {
	t.Parallel()
	seen := &gotowebinar.Deliveries{}
	seen.Observe(gotowebinar.Outcome{At: testNow.Add(-5 * time.Minute), Result: gotowebinar.Stored})
	for i := range 3 {
		seen.Observe(gotowebinar.Outcome{At: testNow.Add(time.Duration(i-3) * time.Minute), Result: gotowebinar.Refused, Check: gotowebinar.ErrBadSignature})
	}
	hooks := &fakeWebhooks{status: reconcile.Status{Hooks: []reconcile.Hook{activeHook("registrant.added", "w1", "https://x.example"+gotowebinar.WebhookPath)}}}
	h := handler(t, Config{Store: openStore(t), Login: loggedIn(), Webhooks: hooks, Deliveries: seen,
		Tunnel: func() tunnel.State {
			return tunnel.State{Kind: "ngrok", Phase: tunnel.PhaseOnline, URL: "https://x.example"}
		}})

	body := get(t, h, "/").Body.String()
	mustContain(t, body, "ready ready-warn", "every delivery fails the signature check with every key on file",
		`action="/webhooks/renew-key"`, "Renew the signing key", "Last hour: 1 stored, 3 refused",
		"its signature matches none of the keys on file")

	var status struct {
		Deliveries DeliveryStatus `json:"deliveries"`
	}
	rec := get(t, h, "/api/status")
	if err := json.Unmarshal(rec.Body.Bytes(), &status); err != nil {
		t.Fatal(err)
	}
	d := status.Deliveries
	if !d.SignatureFailing || d.LastHour.Refused != 3 || d.LastHour.Stored != 1 || d.LastRefusal == nil ||
		d.LastRefusal.Result != "refused" || d.LastRefusal.Reason != "its signature matches none of the keys on file" {
		t.Errorf("/api/status deliveries = %+v", d)
	}

	if rec := post(t, h, "/webhooks/renew-key", nil, nil); rec.Code != http.StatusSeeOther || hooks.renewed != 1 {
		t.Errorf("POST /webhooks/renew-key = %d, %d renewals", rec.Code, hooks.renewed)
	}
	hooks.renewErr = reconcile.ErrKeyFromEnvironment
	if rec := post(t, h, "/webhooks/renew-key", nil, nil); rec.Code != http.StatusBadGateway {
		t.Errorf("renewing with the key from the environment = %d", rec.Code)
	} else {
		mustContain(t, rec.Body.String(), "WEBINARSYNC_WEBHOOK_SECRET")
	}

	// Once a delivery verifies again, the alarm and its button go.
	seen.Observe(gotowebinar.Outcome{At: testNow, Result: gotowebinar.Stored})
	body = get(t, h, "/").Body.String()
	mustNotContain(t, body, "every delivery fails the signature check", "Renew the signing key")
	mustContain(t, body, "Last refused")
}

// deliverySite is the UI over a real store and delivery record, fed by a
// real Receiver.
type deliverySite struct {
	st  *store.Store
	log *store.DeliveryLog
	rcv *gotowebinar.Receiver
	h   http.Handler

	mu   sync.Mutex
	keys [][]byte
}

func newDeliverySite(t *testing.T, keys ...string) *deliverySite {
	t.Helper()
	d := &deliverySite{st: openStore(t)}
	for _, k := range keys {
		d.keys = append(d.keys, []byte(k))
	}
	var err error
	d.log, err = store.NewDeliveryLog(d.st, d.currentKeys, store.DeliveryLimits{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.log.Close)
	d.rcv = gotowebinar.NewReceiver(d.currentKeys, d.st, slog.New(slog.DiscardHandler))
	d.rcv.Observer = d.log
	d.h = handler(t, Config{Store: d.st, Deliveries: d.log, Tunnel: func() tunnel.State {
		return tunnel.State{Kind: "local", Phase: tunnel.PhaseOnline, URL: "https://hooks.example"}
	}})
	return d
}

func (d *deliverySite) currentKeys() [][]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.keys)
}

func (d *deliverySite) addKey(k string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.keys = append(d.keys, []byte(k))
}

// deliver POSTs body to the receiver signed by sign (nil: unsigned) and
// waits until the record has it.
func (d *deliverySite) deliver(t *testing.T, body string, sign func(ts string, body []byte) string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, gotowebinar.WebhookPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "198.51.100.7:5555"
	ts := strconv.FormatInt(testNow.UnixMilli(), 10)
	if sign != nil {
		req.Header.Set(gotowebinar.HeaderSignatureTimestamp, ts)
		req.Header.Set(gotowebinar.HeaderSignature, sign(ts, []byte(body)))
	}
	rec := httptest.NewRecorder()
	d.rcv.ServeHTTP(rec, req)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.log.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return rec.Code
}

func signedWith(key string) func(string, []byte) string {
	return func(ts string, body []byte) string { return gotowebinar.Sign([]byte(key), ts, body) }
}

func addedEvent(eventKey string, n int) string {
	return fmt.Sprintf(`{"eventName":"registrant.added","eventKey":%q,"webinarKey":111,"registrantKey":%d,"email":"p%d@example.com","firstName":"P","lastName":"Q","status":"APPROVED","registrationDate":"2026-01-01T10:00:00Z"}`, eventKey, n, n)
}

// latestID is the newest record's id.
func (d *deliverySite) latestID(t *testing.T) string {
	t.Helper()
	recs, err := d.log.List(store.DeliveryQuery{Limit: 1})
	if err != nil || len(recs) == 0 {
		t.Fatalf("List: %v, %d", err, len(recs))
	}
	return strconv.FormatUint(recs[0].ID, 10)
}

func TestDeliveries_RefusedAndUnsignedOnesShowWithTheirReason(t *testing.T) {
	t.Parallel()
	d := newDeliverySite(t, "our-key")
	if code := d.deliver(t, addedEvent("e-1", 1), signedWith("our-key")); code != http.StatusOK {
		t.Fatalf("a good delivery: %d", code)
	}
	if code := d.deliver(t, addedEvent("e-2", 2), signedWith("their-key")); code != http.StatusUnauthorized {
		t.Fatalf("a badly signed delivery: %d", code)
	}
	if code := d.deliver(t, addedEvent("e-3", 3), nil); code != http.StatusUnauthorized {
		t.Fatalf("an unsigned delivery: %d", code)
	}

	page := get(t, d.h, "/deliveries")
	if page.Code != http.StatusOK {
		t.Fatalf("GET /deliveries = %d", page.Code)
	}
	// Newest first.
	mustContain(t, page.Body.String(), `href="/deliveries"`, "Deliveries",
		"Refused: it was not signed (not from GoTo)",
		"Refused: its signature matches none of the keys on file (kept, looks like GoTo&#39;s)", "e-2",
		"Stored", "e-1")

	refused := get(t, d.h, "/deliveries?outcome=refused").Body.String()
	mustNotContain(t, refused, `data-result="stored"`)
	mustContain(t, refused, "its signature matches none")

	var status struct {
		Deliveries DeliveryStatus `json:"deliveries"`
	}
	if err := json.Unmarshal(get(t, d.h, "/api/status").Body.Bytes(), &status); err != nil {
		t.Fatal(err)
	}
	s := status.Deliveries
	if s.LastHour.Stored != 1 || s.LastHour.Refused != 2 || s.LastRefusal == nil || s.LastRefusal.Reason != "it was not signed (not from GoTo)" {
		t.Errorf("/api/status deliveries = %+v", s)
	}

	// The unsigned one was refused before its body was read: nothing to
	// verify or send again.
	unsigned := get(t, d.h, "/deliveries/"+d.latestID(t)).Body.String()
	mustContain(t, unsigned, "Why it was not stored", "it was not signed (not from GoTo)", "Content-Type")
	mustNotContain(t, unsigned, `id="delivery-verify"`, `data-copy="delivery-curl"`)

	// The badly signed one: headers, the body pretty-printed, a curl to
	// send it again, with its whole signature.
	detail := get(t, d.h, "/deliveries/2")
	if detail.Code != http.StatusOK {
		t.Fatalf("detail = %d", detail.Code)
	}
	sig := gotowebinar.Sign([]byte("their-key"), strconv.FormatInt(testNow.UnixMilli(), 10), []byte(addedEvent("e-2", 2)))
	mustContain(t, detail.Body.String(), "its signature matches none of the keys on file",
		"Content-Type", "application/json", gotowebinar.HeaderSignature, sig[:8]+"…",
		`data-copy="delivery-body"`, "&#34;eventKey&#34;: &#34;e-2&#34;",
		`data-copy="delivery-curl"`, "curl -sS -X POST &#39;https://hooks.example/webhooks/gotowebinar&#39;", sig)
	if got := get(t, d.h, "/deliveries/999999").Code; got != http.StatusNotFound {
		t.Errorf("an unknown delivery = %d, want 404", got)
	}
}

func TestDeliveries_VerifyAgainRescuesOneSignedWithAKeyThatArrivedLater(t *testing.T) {
	t.Parallel()
	d := newDeliverySite(t, "our-key")
	if code := d.deliver(t, addedEvent("late-1", 1), signedWith("new-key")); code != http.StatusUnauthorized {
		t.Fatalf("signed with a key we lack: %d", code)
	}
	id := d.latestID(t)
	mustContain(t, get(t, d.h, "/deliveries/"+id).Body.String(), "kept here, never applied", `id="delivery-verify"`)

	// Another site cannot press the button.
	if rec := post(t, d.h, "/deliveries/"+id+"/verify", nil, map[string]string{"Sec-Fetch-Site": "cross-site"}); rec.Code != http.StatusForbidden {
		t.Errorf("a cross-site Verify again = %d, want 403", rec.Code)
	}
	rec := post(t, d.h, "/deliveries/"+id+"/verify", nil, nil)
	mustContain(t, rec.Body.String(), "It still fails the signature check", "Nothing was stored")
	if c, _ := d.st.Counts(); c.Events != 0 {
		t.Fatalf("an unverified delivery was applied: %+v", c)
	}

	d.addKey("new-key")
	rec = post(t, d.h, "/deliveries/"+id+"/verify", nil, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("Verify again = %d: %s", rec.Code, rec.Body)
	}
	mustContain(t, rec.Body.String(), "Stored after Verify again", "is now stored")
	if c, _ := d.st.Counts(); c.Events != 1 || c.Registrants != 1 {
		t.Errorf("after the rescue: %+v, want the event and its registrant", c)
	}
	mustContain(t, get(t, d.h, "/deliveries").Body.String(), "Stored after Verify again", "late-1")
	mustContain(t, get(t, d.h, "/events").Body.String(), "late-1")
}

func TestDeliveries_AnAlternativeSchemeMatchIsReported(t *testing.T) {
	t.Parallel()
	d := newDeliverySite(t, "our-key")
	hexSign := func(ts string, body []byte) string {
		m := hmac.New(sha256.New, []byte("our-key"))
		m.Write([]byte(ts + ":"))
		m.Write(body)
		return hex.EncodeToString(m.Sum(nil))
	}
	bodyOnly := func(_ string, body []byte) string {
		m := hmac.New(sha256.New, []byte("our-key"))
		m.Write(body)
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}

	// Hex through today's Receiver: refused, but a hex-shaped MAC is the
	// likeliest other scheme, so its body is read and kept, the key tried
	// and the match named.
	if code := d.deliver(t, addedEvent("hex-1", 1), hexSign); code != http.StatusUnauthorized {
		t.Fatalf("hex-signed: %d", code)
	}
	mustContain(t, get(t, d.h, "/deliveries/"+d.latestID(t)).Body.String(),
		"GoTo&#39;s signing scheme seems to differ from ours", "hex instead of base64")

	// Hex with its body kept (as a Receiver that reads the body keeps it):
	// the key is tried and the match named.
	body := addedEvent("hex-2", 2)
	ts := strconv.FormatInt(testNow.UnixMilli(), 10)
	h := http.Header{}
	h.Set(gotowebinar.HeaderSignatureTimestamp, ts)
	d.log.Observe(gotowebinar.Outcome{At: testNow, Result: gotowebinar.Refused, Check: gotowebinar.ErrSignatureFormat,
		Method: http.MethodPost, Header: h, Body: []byte(body), Bytes: len(body), Signature: hexSign(ts, []byte(body))})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.log.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mustContain(t, get(t, d.h, "/deliveries/"+d.latestID(t)).Body.String(),
		"GoTo&#39;s signing scheme seems to differ from ours", "hex instead of base64")

	// Body alone, base64: read, checked, and the match named.
	if code := d.deliver(t, addedEvent("plain-1", 3), bodyOnly); code != http.StatusUnauthorized {
		t.Fatalf("body-only: %d", code)
	}
	id := d.latestID(t)
	mustContain(t, get(t, d.h, "/deliveries/"+id).Body.String(),
		"GoTo&#39;s signing scheme seems to differ from ours", "the body alone, without the timestamp")
	// Verify again does not accept it that way.
	mustContain(t, post(t, d.h, "/deliveries/"+id+"/verify", nil, nil).Body.String(), "Nothing was stored", "the body alone")
	if c, _ := d.st.Counts(); c.Events != 0 {
		t.Errorf("an alternative-scheme match was applied: %+v", c)
	}
}
