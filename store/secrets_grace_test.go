package store

import (
	"slices"
	"testing"
	"time"
)

// A key stays accepted for a week after a newer one took over (GoTo still
// retries deliveries signed with it), then stops; a revoked key stops at once.
func TestAcceptedSecretKeys_RetiresKeysSupersededForAWeek(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, k := range []SecretKey{
		{ID: "first", Value: "v1", ValidFrom: now.Add(-30 * 24 * time.Hour)},
		{ID: "second", Value: "v2", ValidFrom: now.Add(-10 * 24 * time.Hour)},
		{ID: "third", Value: "v3", ValidFrom: now.Add(-2 * 24 * time.Hour)},
	} {
		if err := s.AddSecretKey(k); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(keys []SecretKey) []string {
		var out []string
		for _, k := range keys {
			out = append(out, k.ID)
		}
		return out
	}
	// "second" took over 10 days ago: "first" is retired. "third" took
	// over 2 days ago: "second" is still accepted.
	if got := ids(s.AcceptedSecretKeys(now)); !slices.Equal(got, []string{"third", "second"}) {
		t.Errorf("accepted now: %v, want [third second]", got)
	}
	// Six days on, "third" has been in force for 8 days: only it remains.
	if got := ids(s.AcceptedSecretKeys(now.Add(6 * 24 * time.Hour))); !slices.Equal(got, []string{"third"}) {
		t.Errorf("accepted in 6 days: %v, want [third]", got)
	}
	// A single key is never retired, however old.
	if err := s.RemoveSecretKey("second"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveSecretKey("first"); err != nil {
		t.Fatal(err)
	}
	if got := ids(s.AcceptedSecretKeys(now.Add(365 * 24 * time.Hour))); !slices.Equal(got, []string{"third"}) {
		t.Errorf("a lone key after a year: %v, want [third]", got)
	}
	if got := ids(s.SecretKeys()); !slices.Equal(got, []string{"third"}) {
		t.Errorf("after revoking two: %v", got)
	}
}
