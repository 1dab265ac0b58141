package ui

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"

	"webinarsync/store"
)

// The downloads: every table as CSV and as its .xlsx twin at the same path.
// Both come from the store's one row source, so the columns agree.

// format is a download's file type.
type format struct {
	ext, contentType string
}

var (
	csvFormat  = format{".csv", "text/csv; charset=utf-8"}
	xlsxFormat = format{".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
)

// exportRegistrants is the store's export of the registrants q selects in f.
func (s *Server) exportRegistrants(f format, webinarKey string, q store.RegistrantQuery) func(io.Writer) error {
	if f == xlsxFormat {
		return func(w io.Writer) error { return s.store.ExportXLSX(w, webinarKey, q) }
	}
	return func(w io.Writer) error { return s.store.ExportFilteredCSV(w, webinarKey, q) }
}

// webinarRegistrants serves GET /webinars/{webinarKey}/registrants.csv and .xlsx.
func (s *Server) webinarRegistrants(f format) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := r.PathValue("webinarKey")
		wb, err := s.knownWebinar(key)
		if err != nil {
			return err
		}
		// ?q= and ?status= narrow it as on the webinar page.
		flt := parseRegistrantFilter(r.URL.Query())
		what := "registrants"
		if flt.filtered() {
			what = "registrants (selection)"
		}
		q := store.RegistrantQuery{Search: flt.Q, Status: flt.Status}
		return s.download(w, r, key, downloadName(wb, what, f.ext), f, s.exportRegistrants(f, key, q))
	}
}

// allRegistrants serves GET /registrants.csv and .xlsx: every webinar's registrants.
func (s *Server) allRegistrants(f format) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := s.now().Format(time.DateOnly) + " all webinars – registrants" + f.ext
		return s.download(w, r, "", name, f, s.exportRegistrants(f, "", store.RegistrantQuery{}))
	}
}

// noShows serves GET /webinars/{webinarKey}/noshows.csv and .xlsx: the
// approved registrants who did not join the session (?session=, default
// the latest), matching ?q=. ?status= lists those of another status
// (denied, waiting, cancelled) instead: they were never expected.
func (s *Server) noShows(f format) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := r.PathValue("webinarKey")
		q := r.URL.Query()
		session, err := s.csvSession(key, strings.TrimSpace(q.Get("session")))
		if err != nil {
			return err
		}
		wb, err := s.knownWebinar(key)
		if err != nil {
			return err
		}
		status := strings.TrimSpace(q.Get("status"))
		what := "no-shows"
		if status != "" {
			what = "not attended, " + strings.ToLower(status)
		}
		if session != "" {
			what += " of session " + session
		}
		return s.download(w, r, key, downloadName(wb, what, f.ext), f,
			s.exportRegistrants(f, key, store.NoShowsQuery(session, strings.TrimSpace(q.Get("q")), status)))
	}
}

// attendees serves GET /webinars/{webinarKey}/attendees.csv and .xlsx.
func (s *Server) attendees(f format) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := r.PathValue("webinarKey")
		wb, err := s.knownWebinar(key)
		if err != nil {
			return err
		}
		export := func(w io.Writer) error { return s.store.ExportAttendeesCSV(w, key) }
		if f == xlsxFormat {
			export = func(w io.Writer) error { return s.store.ExportAttendeesXLSX(w, key) }
		}
		return s.download(w, r, key, downloadName(wb, "attendees", f.ext), f, export)
	}
}

// download streams export as an attachment named filename.
func (s *Server) download(w http.ResponseWriter, r *http.Request, webinarKey, filename string, f format, export func(io.Writer) error) error {
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Content-Disposition", contentDisposition(filename))
	cw := &countingWriter{w: w}
	err := export(cw)
	switch {
	case err == nil:
		return nil
	case cw.n == 0:
		// Nothing sent yet: the error can still become an error page.
		h.Del("Content-Disposition")
		return fmt.Errorf("export %q: %w", webinarKey, err)
	case r.Context().Err() != nil:
		s.log.Debug("ui: download abandoned", "webinar", webinarKey, "file", filename, "err", err)
		return nil
	}
	// The headers and part of the file are gone. Breaking the connection
	// makes the browser report a failed download instead of keeping a
	// shortened file that looks complete.
	s.log.Error("ui: export failed midway", "webinar", webinarKey, "file", filename, "bytesSent", cw.n, "err", err)
	panic(http.ErrAbortHandler)
}

// countingWriter counts what went out, to know whether headers did.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// downloadName names a download after the webinar's date and title, as an
// organizer would file it: "2026-11-30 Q3 product update – registrants.csv".
// A webinar known only by its key (no title yet) is named by the key.
func downloadName(w store.Webinar, what, ext string) string {
	title := fileSafe(w.Title)
	if title == "" {
		title = "webinar " + fileSafe(w.WebinarKey)
	}
	start := w.StartTime
	if start.IsZero() && len(w.Times) > 0 {
		start = w.Times[0].StartTime.Time
	}
	if !start.IsZero() {
		title = start.Format(time.DateOnly) + " " + title
	}
	return title + " – " + fileSafe(what) + ext
}

// fileSafe keeps a name to characters every system accepts in a file name:
// no path separators, no characters Windows refuses, no control characters,
// one space between words, and at most 80 characters.
func fileSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`/\:*?"<>|`, r):
			return ' '
		case unicode.IsControl(r), unicode.IsSpace(r), !unicode.IsPrint(r):
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		s = strings.TrimSpace(string(r[:80]))
	}
	return strings.Trim(s, ". ") // Windows drops trailing dots and spaces
}

// contentDisposition is an attachment header for name (RFC 6266): an
// ASCII filename for old clients, and filename* with the UTF-8 name.
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		switch {
		case r == '–' || r == '—':
			return '-'
		case r == '"' || r == '\\':
			return '_'
		case r < 0x20 || r > 0x7e:
			return '_'
		}
		return r
	}, name)
	v := `attachment; filename="` + ascii + `"`
	if ascii != name {
		v += "; filename*=UTF-8''" + rfc5987(name)
	}
	return v
}

// rfc5987 percent-encodes s as an RFC 5987 ext-value (attr-char kept).
func rfc5987(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
