package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// register stores a registrant.added for email in dataDir's database.
func register(t *testing.T, dataDir, eventKey, registrantKey, email string) {
	t.Helper()
	st, err := store.Open(dataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	body := `{"eventName":"registrant.added","eventKey":"` + eventKey + `","webinarKey":111,"webinarTitle":"Launch",` +
		`"registrantKey":` + registrantKey + `,"firstName":"First","lastName":"Last","email":"` + email + `","status":"Approved"}`
	ev, err := gotowebinar.DecodeEvent([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutEvent(context.Background(), &gotowebinar.Delivery{Event: *ev, ReceivedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

// fileHolds reports whether the database file holds s, in any case.
func fileHolds(t *testing.T, dataDir, s string) bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(s)))
}

// `erase` removes a person and compacts the file, by itself while
// webinarsync is stopped and through the running app while it runs.
func TestErase_RemovesThePersonFromTheFileStoppedAndWhileRunning(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	register(t, dir, "e1", "9001", "Ada.Lovelace@Example.com")
	register(t, dir, "e2", "9002", "grace@example.com")

	var out bytes.Buffer
	if err := run([]string{"erase", "-data", dir, "-email", "ada.lovelace@EXAMPLE.com"}, &out, io.Discard); err != nil {
		t.Fatalf("erase while stopped: %v", err)
	}
	for _, want := range []string{"erased ada.lovelace@EXAMPLE.com:", "registrations        1 (in 1 webinar)", "event bodies         1", "compacted"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("erase printed\n%s\nwant %q in it", out.String(), want)
		}
	}
	if fileHolds(t, dir, "ada.lovelace@example.com") {
		t.Error("the file still holds the address")
	}
	if !fileHolds(t, dir, "grace@example.com") {
		t.Error("the erasure took Grace too")
	}

	out.Reset()
	if err := run([]string{"erase", "-data", dir, "-email", "nobody@example.com"}, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "nothing was erased") {
		t.Errorf("erasing nobody = %v, printed %q", err, out.String())
	}

	register(t, dir, "e3", "9003", "linus@example.com")
	startFirst(t, freeAddr(t), dir)
	out.Reset()
	if err := run([]string{"erase", "-data", dir, "-email", "Linus@example.com"}, &out, io.Discard); err != nil {
		t.Fatalf("erase while running: %v", err)
	}
	if !strings.Contains(out.String(), "registrations        1") || !strings.Contains(out.String(), "compacted") {
		t.Errorf("erase while running printed %q", out.String())
	}
	if fileHolds(t, dir, "linus@example.com") {
		t.Error("the file still holds the address erased through the running app")
	}
}

func TestErase_NeedsAnAddress(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"erase", "-data", t.TempDir()}, {"erase", "-data", t.TempDir(), "-email", "not-an-address"}} {
		err := run(args, io.Discard, io.Discard)
		if !errors.As(err, new(*usageError)) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
	var out bytes.Buffer
	if err := run([]string{"erase", "-h"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "webinarsync erase -email") {
		t.Errorf("erase -h = %v:\n%s", err, out.String())
	}
	if err := run([]string{"erase", "-data", t.TempDir(), "-email", "a@b.c"}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "no data in") {
		t.Errorf("erase in an empty data dir = %v, want it to say there is no data", err)
	}
}
