package ui

import (
	"strconv"
	"strings"
	"testing"
)

// A burst bigger than a round's rows reaches a tab as the keys of the
// older joins (their no-show rows go) and the newest rows,
// ids only increasing, every join accounted for once.
func TestForTab_ABurstSendsTheNewestRowsAndWhoJoinedBefore(t *testing.T) {
	t.Parallel()
	var msgs []message
	for i := 1; i <= 120; i++ {
		msgs = append(msgs, message{event: "join", id: uint64(i), session: "s1", person: "p" + strconv.Itoa(i),
			data: `<tr data-registrant="p` + strconv.Itoa(i) + `"></tr>`})
	}
	got := forTab(msgs)
	if got[0].event != "joined" || len(strings.Fields(got[0].data)) != 120-rowsPerRound || got[0].id != 120-rowsPerRound {
		t.Fatalf("first message = %q id %d with %d keys, want the %d older joins' keys", got[0].event, got[0].id, len(strings.Fields(got[0].data)), 120-rowsPerRound)
	}
	rows, last := 0, got[0].id
	for _, m := range got[1:] {
		if m.event != "join" || m.id <= last {
			t.Fatalf("message %q id %d after id %d: want join runs with increasing ids", m.event, m.id, last)
		}
		last = m.id
		rows += strings.Count(m.data, "<tr")
	}
	if rows != rowsPerRound || last != 120 {
		t.Errorf("%d rows up to id %d, want the newest %d up to 120", rows, last, rowsPerRound)
	}
	if len(got) > 1+joinsPerMessage {
		t.Errorf("%d messages for one burst, want at most %d", len(got), 1+joinsPerMessage)
	}
	// A few joins go one by one, as they always did.
	if few := forTab(msgs[:5]); len(few) != 5 || few[4].id != 5 {
		t.Errorf("5 joins became %d messages", len(few))
	}
}
