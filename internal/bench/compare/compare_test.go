package main

import (
	"os"
	"strings"
	"testing"
)

// The whole comparison, process by process, at a size that only proves it
// works: both receivers must acknowledge every signed delivery.
func TestCompare_BothReceiversAcknowledgeEverySignedDeliveryABAB(t *testing.T) {
	// It builds three binaries and runs them for seconds: CI runs the same
	// through .ci/ingest-bench, so the everyday go test ./... skips it.
	if os.Getenv("WEBINARSYNC_PROCESS_BENCH") != "1" {
		t.Skip("builds and runs webinarsync as a process; WEBINARSYNC_PROCESS_BENCH=1 runs it (CI runs .ci/ingest-bench)")
	}
	var out strings.Builder
	// run fails when any delivery failed or a receiver acknowledged none.
	if err := run([]string{"-senders", "1,8", "-duration", "200ms"}, &out, t.Output()); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 { // title, header, two rows, two lines of footnote
		t.Fatalf("want a table of two rows, got:\n%s", out.String())
	}
	for i, senders := range []string{"1", "8"} {
		if f := strings.Fields(lines[2+i]); f[0] != senders {
			t.Errorf("row %d is for %s senders, want %s", i+1, f[0], senders)
		}
	}
}

func TestParseCounts_RefusesWhatIsNotACount(t *testing.T) {
	for _, s := range []string{"", "0", "1,,8", "eight", "-1"} {
		if _, err := parseCounts(s); err == nil {
			t.Errorf("parseCounts(%q) accepted it", s)
		}
	}
	got, err := parseCounts(" 1, 8,64")
	if err != nil || len(got) != 3 || got[0] != 1 || got[1] != 8 || got[2] != 64 {
		t.Errorf("parseCounts(\" 1, 8,64\") = %v, %v", got, err)
	}
}
