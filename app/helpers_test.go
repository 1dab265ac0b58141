package app

import (
	"log/slog"
	"testing"
	"time"

	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/gotosim/simtest"
	"webinarsync/gotowebinar/login"
	"webinarsync/store"
)

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func openTestStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// newTestGoTo wires the GoTo side against ep as the app does, with no
// rate limit and short retries, and logs in.
func newTestGoTo(t testing.TB, st *store.Store, ep login.Endpoints) *goTo {
	t.Helper()
	g, err := newGoTo(goToConfig{Store: st, Logger: quietLog(), Endpoints: ep, RateLimit: -1,
		RetryBackoff: time.Millisecond, ActivationBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := gotosim.LogIn(t.Context(), g.login, simtest.RedirectURI); err != nil {
		t.Fatalf("login: %v", err)
	}
	return g
}

// bom starts every CSV export: Excel needs it to read UTF-8.
const bom = "\ufeff"
