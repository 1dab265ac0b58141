package ui

import (
	"errors"
	"strings"
	"testing"

	"webinarsync/store"
)

// What the start-up checks find wrong with the database reaches the
// status line in words that say what to do; a healthy file says nothing.
func TestHealthWords_SayWhatToDo(t *testing.T) {
	t.Parallel()
	if got := healthWords(store.Health{Check: store.CheckPassed}, "/data"); got != "" {
		t.Errorf("a healthy database: %q", got)
	}
	if got := healthWords(store.Health{Check: store.CheckRunning}, "/data"); got != "" {
		t.Errorf("a check still running: %q", got)
	}
	failed := healthWords(store.Health{Check: store.CheckFailed, Problems: []string{"page 7: unreachable unfreed"}}, "/data")
	for _, want := range []string{"needs attention", "1 problem", "backup", "webinarsync restore"} {
		if !strings.Contains(failed, want) {
			t.Errorf("a failed check reads %q, want %q in it", failed, want)
		}
	}
	perm := healthWords(store.Health{Check: store.CheckPassed,
		Permissions: &store.PermissionError{Path: "/data", Mode: 0o755, Err: errors.New("operation not permitted")}}, "/data")
	if !strings.Contains(perm, "Other users of this computer can read your data") || !strings.Contains(perm, "chmod 700") {
		t.Errorf("loose permissions read %q", perm)
	}
	if ok, words := (snapshot{Database: failed}).readiness(false); ok || words != failed {
		t.Errorf("readiness with a damaged database = %v, %q", ok, words)
	}
}
