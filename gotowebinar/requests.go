package gotowebinar

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
)

// MaxPageSize is the largest page GoTo's listings serve (size, limit).
const MaxPageSize = 200

type requestCounterKey struct{}

// CountRequests returns a context under which every HTTP request a Client
// makes (retries included) adds one to n: a sync counts its own requests
// while other work shares the Client.
func CountRequests(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, requestCounterKey{}, n)
}

func countRequest(ctx context.Context) {
	if n, ok := ctx.Value(requestCounterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}

// IsConflict reports whether err is GoTo answering 409: for a registrant,
// "already registered"; for a webinar, "in session".
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }

func hasStatus(err error, status int) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == status
}
