package ui

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"webinarsync/store"
)

// webinarCSV serves GET /webinars/{webinarKey}/registrants.csv.
func (s *Server) webinarCSV(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("webinarKey")
	if _, err := s.store.Webinar(key); err != nil {
		return fmt.Errorf("webinar %s: %w", key, err)
	}
	// ?q= and ?status= narrow it as on the webinar page.
	f := parseRegistrantFilter(r.URL.Query())
	name := "registrants-" + fileSafe(key) + ".csv"
	if f.filtered() {
		name = "registrants-" + fileSafe(key) + "-selection.csv"
	}
	return s.exportCSV(w, r, key, name, store.RegistrantQuery{Search: f.Q, Status: f.Status})
}

// allCSV serves GET /registrants.csv: every webinar's registrants.
func (s *Server) allCSV(w http.ResponseWriter, r *http.Request) error {
	return s.exportCSV(w, r, "", "registrants-all.csv", store.RegistrantQuery{})
}

// exportCSV streams the store's CSV of the registrants q selects as a download.
func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request, webinarKey, filename string, q store.RegistrantQuery) error {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	cw := &countingWriter{w: w}
	err := s.store.ExportFilteredCSV(cw, webinarKey, q)
	switch {
	case err == nil:
		return nil
	case cw.n == 0:
		// Nothing sent yet: the error can still become an error page.
		return fmt.Errorf("export %q: %w", webinarKey, err)
	case r.Context().Err() != nil:
		s.log.Debug("ui: CSV download abandoned", "webinar", webinarKey, "err", err)
		return nil
	}
	// The headers and part of the file are gone. Breaking the connection
	// makes the browser report a failed download instead of keeping a
	// shortened file that looks complete.
	s.log.Error("ui: CSV export failed midway", "webinar", webinarKey, "bytesSent", cw.n, "err", err)
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

// fileSafe keeps a download name to characters every system accepts.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}
