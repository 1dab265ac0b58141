package gotowebinar_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"testing"
	"testing/quick"
	"time"

	"webinarsync/gotowebinar"
)

// digitKey is a GoTo key as a bare JSON number: 1 to 30 decimal digits, no
// leading zero, so most are beyond 2^53 and many beyond 2^64.
type digitKey string

func (digitKey) Generate(r *rand.Rand, _ int) reflect.Value {
	n := 1 + r.Intn(30)
	b := make([]byte, n)
	b[0] = byte('1' + r.Intn(9))
	for i := 1; i < n; i++ {
		b[i] = byte('0' + r.Intn(10))
	}
	return reflect.ValueOf(digitKey(b))
}

// A key GoTo sends as a bare number comes out of the CSV export with the
// same digits: decode → store → ExportCSV never goes through a float or a
// fixed-width integer.
func TestProperty_BareNumberKeysSurviveDecodeStoreAndCSVExport(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	ctx := context.Background()
	seq := 0
	sent := map[[2]string]bool{}
	property := func(webinarKey, registrantKey digitKey) bool {
		seq++
		body := fmt.Sprintf(`{"eventName":"registrant.added","eventKey":"prop-%d","webinarKey":%s,"registrantKey":%s,"email":"p%d@example.com","registrationDate":"2024-03-15T10:00:00Z"}`,
			seq, webinarKey, registrantKey, seq)
		ev, err := gotowebinar.DecodeEvent([]byte(body))
		if err != nil {
			t.Logf("DecodeEvent(%s): %v", body, err)
			return false
		}
		if _, err := st.PutEvent(ctx, &gotowebinar.Delivery{Event: *ev, ReceivedAt: time.Now()}); err != nil {
			t.Logf("PutEvent(%s): %v", body, err)
			return false
		}
		sent[[2]string{string(webinarKey), string(registrantKey)}] = true
		var out bytes.Buffer
		if err := st.ExportCSV(&out, string(webinarKey)); err != nil {
			t.Logf("ExportCSV(%s): %v", webinarKey, err)
			return false
		}
		// The export starts with a byte-order mark, for Excel.
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out.Bytes(), []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Logf("CSV for %s: %d rows, %v\n%s", webinarKey, len(rows), err, out.String())
			return false
		}
		col := slices.Index(rows[0], "registrantKey")
		if col < 0 {
			t.Logf("CSV header without registrantKey: %q", rows[0])
			return false
		}
		found := 0
		for _, row := range rows[1:] {
			if row[col] == string(registrantKey) {
				found++
			}
		}
		if found != 1 {
			t.Logf("registrantKey %s found %d times in the export of webinar %s:\n%s", registrantKey, found, webinarKey, out.String())
			return false
		}
		return true
	}
	if err := quick.Check(property, &quick.Config{MaxCount: 150, Rand: rand.New(rand.NewSource(1))}); err != nil {
		t.Fatal(err)
	}

	// The all-webinars export carries both keys byte-exact as well.
	var out bytes.Buffer
	if err := st.ExportCSV(&out, ""); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out.Bytes(), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wcol, rcol := slices.Index(rows[0], "webinarKey"), slices.Index(rows[0], "registrantKey")
	if wcol < 0 || rcol < 0 {
		t.Fatalf("all-webinars header = %q", rows[0])
	}
	got := map[[2]string]bool{}
	for _, row := range rows[1:] {
		got[[2]string{row[wcol], row[rcol]}] = true
	}
	for pair := range sent {
		if !got[pair] {
			t.Errorf("webinar %s registrant %s missing from the all-webinars export", pair[0], pair[1])
		}
	}
	if len(got) != len(sent) {
		t.Errorf("all-webinars export has %d registrants, want %d", len(got), len(sent))
	}
}
