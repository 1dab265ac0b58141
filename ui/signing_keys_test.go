package ui

import (
	"net/http"
	"testing"
	"time"

	"webinarsync/store"
)

// The settings page lists the signing keys with their age and whether
// GoTo's deliveries signed with each are still accepted, and a key can be
// revoked.
func TestSettings_ListsSigningKeysAndRevokesOne(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	for _, k := range []store.SecretKey{
		{ID: "1001", Value: "old-secret", ValidFrom: testNow.Add(-40 * 24 * time.Hour)},
		{ID: "1002", Value: "previous-secret", ValidFrom: testNow.Add(-20 * 24 * time.Hour)},
		{ID: "1003", Value: "current-secret", ValidFrom: testNow.Add(-3 * 24 * time.Hour)},
	} {
		if err := st.AddSecretKey(k); err != nil {
			t.Fatal(err)
		}
	}
	h := handler(t, Config{Store: st, Login: loggedIn()})
	body := get(t, h, "/settings").Body.String()
	mustContain(t, body, "Webhook signing keys",
		"<code>1003</code>", "3 days ago", "In use",
		"<code>1002</code>", "Accepted until", "2026-03-06", `action="/settings/keys/1002/revoke"`,
		"<code>1001</code>", "No longer accepted")
	mustNotContain(t, body, "old-secret", "previous-secret", "current-secret", `action="/settings/keys/1003/revoke"`) // never the values; the key in use stays
	if rec := post(t, h, "/settings/keys/1003/revoke", nil, nil); rec.Code != http.StatusConflict || len(st.SecretKeys()) != 3 {
		t.Errorf("revoking the key in use = %d, %d keys left; want 409 and none removed", rec.Code, len(st.SecretKeys()))
	}

	if rec := post(t, h, "/settings/keys/1002/revoke", nil, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("revoke = %d", rec.Code)
	}
	for _, k := range st.SecretKeys() {
		if k.ID == "1002" {
			t.Error("the revoked key is still on file")
		}
	}
	mustNotContain(t, get(t, h, "/settings").Body.String(), "<code>1002</code>")
}
