package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"webinarsync/store"
)

// handlerFunc is a page or action. It returns an error instead of writing
// one; page turns errors into status codes and plain words.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// userError is an error whose words are fit to show as they are.
type userError struct {
	status int
	title  string
	msg    string
	err    error // the cause, for the log only
}

func (e *userError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *userError) Unwrap() error { return e.err }

// page adapts a handlerFunc to http.Handler: the one place errors become
// responses, so no handler writes its own 500.
func (s *Server) page(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Everything but the assets shows live data.
		w.Header().Set("Cache-Control", "no-cache")
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// fail answers a request whose handler returned err, before it wrote.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	title := "Something went wrong"
	msg := "Something went wrong reading your data; details are in the log."
	var ue *userError
	switch {
	case errors.As(err, &ue):
		status, title, msg = ue.status, ue.title, ue.msg
	case errors.Is(err, store.ErrNotFound):
		status, title = http.StatusNotFound, "Webinar not found"
		msg = "We have no webinar with key " + r.PathValue("webinarKey") +
			". A webinar appears here once GoTo sends an event about it."
	case r.Context().Err() != nil:
		// The browser went away; nobody is left to answer.
		s.log.Debug("ui: request abandoned", "method", r.Method, "path", r.URL.Path, "err", err)
		return
	}
	if status >= 500 {
		s.log.Error("ui: request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	} else {
		s.log.Debug("ui: request refused", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}

	// A handler may have prepared headers for what it meant to send.
	h := w.Header()
	h.Del("Content-Disposition")
	h.Del("Content-Length")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	if err := s.render(w, r, status, errorPage(s.chrome(title, ""), status, title, msg)); err != nil {
		s.log.Error("ui: rendering the error page", "err", err)
		http.Error(w, msg, status)
	}
}

// render writes c as a complete HTML page. It renders into memory first so
// a failure midway still becomes a proper error page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		return fmt.Errorf("render %s: %w", r.URL.Path, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // a write error means the browser went away
	return nil
}

// writeJSON answers with v as indented JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, `{"error":"cannot encode the answer"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// notFound answers paths no route claims.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return &userError{
		status: http.StatusNotFound,
		title:  "Page not found",
		msg:    "There is no page at " + r.URL.Path + ". Start again from the home page.",
	}
}
