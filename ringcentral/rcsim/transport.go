package rcsim

import (
	"net/http"
	"net/http/httptest"
)

// Transport is an http.RoundTripper that serves every request with h in
// memory: no sockets, so tests (the sim's own, and those of clients
// talking to it or of receivers it delivers to) can run under
// testing/synctest. A request whose context ends first gets its error,
// as over a network.
func Transport(h http.Handler) http.RoundTripper { return handlerTransport{h} }

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	done := make(chan *http.Response, 1)
	go func() {
		in := req.Clone(req.Context())
		in.RequestURI = req.URL.RequestURI()
		in.RemoteAddr = "127.0.0.1:40000"
		if in.Host == "" {
			in.Host = req.URL.Host
		}
		if in.Body == nil {
			in.Body = http.NoBody
		}
		rec := httptest.NewRecorder()
		t.h.ServeHTTP(rec, in)
		resp := rec.Result()
		resp.Request = req
		done <- resp
	}()
	select {
	case resp := <-done:
		return resp, nil
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
}
