package ui

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"webinarsync/store"
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
		{"/webinars/" + launchKey + "/registrants.csv", "2026-03-01 Quarterly Launch - Q1 2026 - registrants.csv", []string{"registrantKey", "firstName", "lastName", "email"}},
		{"/registrants.csv", testNow.Format(time.DateOnly) + " all webinars - registrants.csv", []string{"webinarKey", "webinarTitle", "registrantKey"}},
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
			if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`+tt.filename+`"; filename*=UTF-8''`) {
				t.Errorf("Content-Disposition = %q", cd)
			}
			rows := readCSV(t, strings.NewReader(rec.Body.String()))
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
	rows := readCSV(t, strings.NewReader(rec.Body.String()))
	allRows := readCSV(t, strings.NewReader(all))
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

// readCSV parses a CSV download, which must start with the UTF-8 BOM that
// makes Excel read it as UTF-8.
func readCSV(t *testing.T, r io.Reader) [][]string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	rest, ok := bytes.CutPrefix(b, []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatalf("CSV does not start with a UTF-8 BOM: %.60q", b)
	}
	rows, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("body is not CSV: %v\n%s", err, b)
	}
	return rows
}

// Every CSV route has an .xlsx twin at the same path with the same rows.
func TestXLSX_EveryCSVRouteHasATwin(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	h := handler(t, Config{Store: st})
	for _, path := range []string{
		"/webinars/" + launchKey + "/registrants", "/registrants",
		"/webinars/" + launchKey + "/noshows", "/webinars/" + launchKey + "/attendees",
	} {
		t.Run(path, func(t *testing.T) {
			csvRows := readCSV(t, get(t, h, path+".csv").Body)
			rec := get(t, h, path+".xlsx")
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != xlsxFormat.contentType {
				t.Fatalf("status %d, type %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, `.xlsx"`) {
				t.Errorf("Content-Disposition = %q, want an .xlsx name", cd)
			}
			f, err := excelize.OpenReader(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := f.GetRows(f.GetSheetName(0))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(csvRows) || !slices.Equal(rows[0], csvRows[0]) {
				t.Errorf("xlsx has %d rows, header %q; the CSV %d rows, header %q", len(rows), rows[0], len(csvRows), csvRows[0])
			}
		})
	}
	if rec := get(t, h, "/webinars/10000000000000000001/registrants.xlsx"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown webinar: %d, want 404", rec.Code)
	}
}

func TestDownloadName_DateTitleAndSafeCharacters(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		w    store.Webinar
		want string
	}{
		{store.Webinar{WebinarKey: "1", Title: "Q3 product update", StartTime: start}, "2026-11-30 Q3 product update – registrants.csv"},
		{store.Webinar{WebinarKey: "1", Title: `a/b\c: "d"? <e>|*` + "\n\tf.", StartTime: start}, "2026-11-30 a b c d e f – registrants.csv"},
		{store.Webinar{WebinarKey: "123"}, "webinar 123 – registrants.csv"},
	} {
		if got := downloadName(tt.w, "registrants", ".csv"); got != tt.want {
			t.Errorf("downloadName(%q) = %q, want %q", tt.w.Title, got, tt.want)
		}
	}
	got := contentDisposition("2026-11-30 Q3 product update – registrants.csv")
	want := `attachment; filename="2026-11-30 Q3 product update - registrants.csv"; filename*=UTF-8''2026-11-30%20Q3%20product%20update%20%E2%80%93%20registrants.csv`
	if got != want {
		t.Errorf("Content-Disposition\n got %s\nwant %s", got, want)
	}
	if got := contentDisposition("plain.csv"); got != `attachment; filename="plain.csv"` {
		t.Errorf("ASCII name: %s", got)
	}
}
