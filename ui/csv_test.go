package ui

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
)

func TestCSV_DownloadHeadersAndBody(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	h := handler(t, Config{Store: st})

	tests := []struct {
		path, filename string
		firstColumns   []string
	}{
		{"/webinars/" + launchKey + "/registrants.csv", "registrants-" + launchKey + ".csv", []string{"registrantKey", "firstName", "lastName", "email"}},
		{"/registrants.csv", "registrants-all.csv", []string{"webinarKey", "webinarTitle", "registrantKey"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := get(t, h, tt.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="`+tt.filename+`"` {
				t.Errorf("Content-Disposition = %q", cd)
			}
			rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
			if err != nil {
				t.Fatalf("body is not CSV: %v\n%s", err, rec.Body)
			}
			if len(rows) != 4 {
				t.Fatalf("got %d rows, want a header and 3 registrants:\n%s", len(rows), rec.Body)
			}
			for i, col := range tt.firstColumns {
				if rows[0][i] != col {
					t.Errorf("header column %d = %q, want %q", i, rows[0][i], col)
				}
			}
			body := rec.Body.String()
			for _, want := range []string{"11111111111111111111", "Jürgen", "Müller", "李", "Bäckerei Müller GmbH", "Pricing & roadmap"} {
				if !strings.Contains(body, want) {
					t.Errorf("CSV lacks %q:\n%s", want, body)
				}
			}
		})
	}
}

func TestCSV_UnknownWebinarIs404Page(t *testing.T) {
	t.Parallel()
	rec := get(t, handler(t, Config{Store: openStore(t)}), "/webinars/10000000000000000001/registrants.csv")
	if rec.Code != http.StatusNotFound {
		t.Fatalf("status = %d, want 404", rec.Code)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != "" {
		t.Errorf("Content-Disposition = %q on an error page, want none", cd)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q, want the HTML error page", ct)
	}
	mustContain(t, rec.Body.String(), "We have no webinar with key 10000000000000000001.")
}

func TestCSV_WebinarDownloadHonoursTheSearchAndStatusFilter(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	h := handler(t, Config{Store: st})
	all := get(t, h, "/webinars/"+launchKey+"/registrants.csv").Body.String()
	page := get(t, h, "/webinars/"+launchKey+"?q=m%C3%BCller").Body.String()
	mustContain(t, page, `registrants.csv?q=m%C3%BCller`, "Download just these")
	rec := get(t, h, "/webinars/"+launchKey+"/registrants.csv?q=m%C3%BCller")
	if rec.Code != http.StatusOK {
		t.Fatalf("filtered CSV = %d", rec.Code)
	}
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	allRows, _ := csv.NewReader(strings.NewReader(all)).ReadAll()
	if len(rows) < 2 || len(rows) >= len(allRows) {
		t.Fatalf("filtered CSV has %d rows, the full one %d: want fewer, at least one", len(rows)-1, len(allRows)-1)
	}
	for _, row := range rows[1:] {
		if !strings.Contains(strings.ToLower(strings.Join(row, ",")), "müller") {
			t.Errorf("row %v does not match the search", row)
		}
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "selection") {
		t.Errorf("Content-Disposition = %q, want a name saying it is a selection", cd)
	}
}
