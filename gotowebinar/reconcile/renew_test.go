package reconcile_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/gotosim/simtest"
	"webinarsync/gotowebinar/reconcile"
)

// GoTo keeps one signing key per OAuth client: another install with the
// same client asking for a key makes GoTo sign with that one, and every
// delivery to us fails the signature. Renewing the key here fixes it, and
// nothing asks GoTo again while it works.
func TestRenewKey_AfterAnotherInstallReplacedTheSigningKey(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	base := listen(t, st)
	r := newRig(t, g, st)
	logIn(t, r.login)
	if err := r.rec.Repoint(t.Context(), base); err != nil {
		t.Fatalf("Repoint: %v", err)
	}
	deliver := func() int {
		t.Helper()
		status, _ := g.Sim.Deliver(t.Context(), gotosim.NewGenerator(1, nil).Next())
		return status
	}
	if got := deliver(); got != http.StatusOK {
		t.Fatalf("a delivery before the other install: %d", got)
	}

	// The other install: same OAuth client, its own key.
	req, _ := http.NewRequest(http.MethodPost, g.URL()+"/webhooks/secretkey", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+g.Sim.IssueToken())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the other install's key: %v %v", resp, err)
	}
	resp.Body.Close()
	if got := deliver(); got != http.StatusUnauthorized {
		t.Fatalf("a delivery signed with the other install's key: %d, want 401", got)
	}

	keysBefore := len(st.SecretKeys())
	if err := r.rec.RenewKey(t.Context()); err != nil {
		t.Fatalf("RenewKey: %v", err)
	}
	if got := deliver(); got != http.StatusOK {
		t.Errorf("a delivery after renewing: %d, want 200", got)
	}
	if n := len(st.SecretKeys()); n != keysBefore+1 {
		t.Errorf("%d keys stored after renewing, want %d (older ones stay for GoTo's retries)", n, keysBefore+1)
	}
	// The next reconcile keeps the renewed key instead of asking again.
	asked := g.Count("POST", "/webhooks/secretkey")
	if err := r.rec.Reconcile(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := g.Count("POST", "/webhooks/secretkey"); n != asked {
		t.Errorf("a reconcile after renewing asked GoTo for %d more keys", n-asked)
	}
}

func TestRenewKey_RefusedWhileLoggedOutOrWithAKeyFromTheEnvironment(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	if err := newRig(t, g, st).rec.RenewKey(t.Context()); !errors.Is(err, gotowebinar.ErrNotLoggedIn) {
		t.Errorf("logged out: %v", err)
	}
	r := newRig(t, g, st, func(c *reconcile.Config) { c.EnvSecret = true })
	logIn(t, r.login)
	if err := r.rec.RenewKey(t.Context()); !errors.Is(err, reconcile.ErrKeyFromEnvironment) {
		t.Errorf("with WEBINARSYNC_WEBHOOK_SECRET: %v", err)
	}
	if n := g.Count("POST", "/webhooks/secretkey"); n != 0 {
		t.Errorf("%d keys asked of GoTo", n)
	}
}
