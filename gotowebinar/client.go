package gotowebinar

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/internal/clock"
)

// Client calls GoTo Webinar's v2 REST API with an OAuth access token. It
// paces its requests under GoTo's rate limit, retries 429 and (for calls
// that are safe to repeat) 5xx answers with backoff, and on GoTo's
// 403 InvalidToken refreshes the token once and retries the call once.
// A Client is safe for concurrent use.
type Client struct {
	base     string
	tokens   oauth2.TokenSource
	http     *http.Client
	log      *slog.Logger
	attempts int
	backoff  time.Duration
	maxWait  time.Duration
	limit    *Limiter
	pageSize int
}

// Refresher is a token source that can be told its token was refused, so
// it fetches a new one now instead of at expiry. The Client uses it on
// GoTo's 403 InvalidToken; *TokenSource implements it.
type Refresher interface {
	oauth2.TokenSource
	// Refresh returns a token other than stale, refreshing unless another
	// caller already did.
	Refresh(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, error)
}

// ContextTokenSource is a token source whose refreshes can be cut short by
// the call's context; the Client prefers it to plain Token.
type ContextTokenSource interface {
	TokenContext(ctx context.Context) (*oauth2.Token, error)
}

// Option tunes a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client; the default has a 30 s timeout.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// WithLogger sets where retries are logged; the default discards.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// WithRateLimit gives the Client its own token bucket of perSecond
// requests per second (burst 1); 0 or less removes the limit (tests). The
// default is DefaultRequestsPerSecond.
func WithRateLimit(perSecond float64) Option {
	return func(c *Client) {
		c.limit = nil
		if perSecond > 0 {
			c.limit = NewLimiter(perSecond, 1)
		}
	}
}

// WithPageSize sets how many items a listing asks for per page, at most
// (and by default) MaxPageSize; tests use small pages to walk many.
func WithPageSize(n int) Option {
	return func(c *Client) { c.pageSize = min(max(n, 1), MaxPageSize) }
}

// WithRetries sets how many times a call is tried in all (at least 1) and
// the first backoff, doubled for each retry. Defaults: 5 and 500 ms.
func WithRetries(attempts int, firstBackoff time.Duration) Option {
	return func(c *Client) { c.attempts, c.backoff = max(attempts, 1), firstBackoff }
}

// DefaultRequestsPerSecond stays under GoTo's limit of about 10 requests
// per second: with a burst of 1, no second ever sees more than 10 starts,
// even when the network delays one start by up to a ninth of a second.
const DefaultRequestsPerSecond = 9

// maxResponseBytes bounds what we read of an answer; GoTo's are small.
const maxResponseBytes = 4 << 20

// NewClient returns a Client for the API rooted at baseURL (GoTo's is
// DefaultAPIURL) that authenticates with tokens from ts. When ts is a
// Refresher, a refused token is refreshed and the call retried once.
func NewClient(baseURL string, ts oauth2.TokenSource, opts ...Option) *Client {
	c := &Client{
		base:     strings.TrimRight(baseURL, "/"),
		tokens:   ts,
		http:     &http.Client{Timeout: 30 * time.Second},
		attempts: 5,
		backoff:  500 * time.Millisecond,
		maxWait:  time.Minute,
		limit:    NewLimiter(DefaultRequestsPerSecond, 1),
		pageSize: MaxPageSize,
	}
	for _, o := range opts {
		o(c)
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Urgently runs the calls made under the returned context before any
// other caller's, until done: for work a person is waiting on (the
// webhook setup after a login, a registrant change), so the catch-up
// sync's queue does not make them wait.
func (c *Client) Urgently(ctx context.Context) (_ context.Context, done func()) {
	return urgently(ctx), c.limit.open()
}

// APIError is an answer from GoTo other than 2xx.
type APIError struct {
	Method, Path string
	Status       int
	Code         string // GoTo's int_err_code or errorCode, e.g. "InvalidToken"
	Message      string // GoTo's msg, description or message
	RetryAfter   time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gotowebinar: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// InvalidToken reports whether GoTo refused the access token. GoTo says so
// with 403 and int_err_code InvalidToken, not with 401; a 401 means the same.
func (e *APIError) InvalidToken() bool {
	return strings.EqualFold(e.Code, "InvalidToken") || e.Status == http.StatusUnauthorized
}

// IsInvalidToken reports whether err is GoTo refusing the access token.
func IsInvalidToken(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.InvalidToken()
}

// IsNotFound reports whether err is GoTo answering 404.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// call makes one API call: body (nil for none) is sent as JSON, and a 2xx
// answer with a body is decoded into out (nil ignores it).
func (c *Client) call(ctx context.Context, method, path string, query url.Values, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("gotowebinar: %s %s: encoding the request: %w", method, path, err)
		}
	}
	raw, err := c.send(ctx, method, path, query, payload)
	if err != nil {
		return err
	}
	if out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("gotowebinar: %s %s: GoTo's answer is not what we expected: %w", method, path, err)
	}
	return nil
}

// send makes the HTTP exchange with retries and returns a 2xx body.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, payload []byte) ([]byte, error) {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	// Repeating a POST after a 5xx could create a second webhook: only
	// calls that are safe to repeat are retried then. A 429 means GoTo did
	// nothing, so every call is retried after it.
	idempotent := method != http.MethodPost
	refreshed := false
	for attempt := 1; ; attempt++ {
		tok, err := c.token(ctx)
		if err != nil {
			return nil, fmt.Errorf("gotowebinar: %s %s: %w", method, path, err)
		}
		if err := c.limit.Wait(ctx); err != nil {
			return nil, fmt.Errorf("gotowebinar: %s %s: %w", method, path, err)
		}
		req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(payload))
		if err != nil {
			return nil, fmt.Errorf("gotowebinar: %s %s: %w", method, path, err)
		}
		if payload == nil {
			req.Body, req.ContentLength = http.NoBody, 0
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)

		countRequest(ctx)
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil || !idempotent || attempt >= c.attempts {
				return nil, fmt.Errorf("gotowebinar: %s %s: %w", method, path, err)
			}
			c.log.Debug("gotowebinar: retrying after a network error", "method", method, "path", path, "attempt", attempt, "err", err)
			if err := clock.Sleep(ctx, c.retryWait(attempt, 0)); err != nil {
				return nil, fmt.Errorf("gotowebinar: %s %s: %w", method, path, err)
			}
			continue
		}
		raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("gotowebinar: %s %s: reading the answer: %w", method, path, err)
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return raw, nil
		}
		apiErr := parseAPIError(method, path, resp, raw)
		switch {
		case apiErr.InvalidToken() && !refreshed:
			r, ok := c.tokens.(Refresher)
			if !ok {
				return nil, apiErr
			}
			refreshed = true
			attempt-- // the refresh retry is not a backoff attempt
			if _, err := r.Refresh(ctx, tok); err != nil {
				return nil, fmt.Errorf("gotowebinar: %s %s: GoTo refused the access token and refreshing it failed: %w", method, path, err)
			}
			c.log.Debug("gotowebinar: access token refused; refreshed it, retrying", "method", method, "path", path)
			continue
		case attempt >= c.attempts:
			return nil, apiErr
		case resp.StatusCode == http.StatusTooManyRequests,
			resp.StatusCode >= 500 && idempotent:
			wait := c.retryWait(attempt, apiErr.RetryAfter)
			if resp.StatusCode == http.StatusTooManyRequests {
				// GoTo's limit is the account's: every caller pauses, not
				// only this one, or the others keep it exceeded.
				c.limit.Hold(time.Now().Add(cmp.Or(apiErr.RetryAfter, c.backoff)))
			}
			c.log.Debug("gotowebinar: retrying", "method", method, "path", path, "status", resp.StatusCode, "attempt", attempt, "wait", wait)
			if err := clock.Sleep(ctx, wait); err != nil {
				return nil, fmt.Errorf("gotowebinar: %s %s: %w", method, path, err)
			}
		default:
			return nil, apiErr
		}
	}
}

func (c *Client) token(ctx context.Context) (*oauth2.Token, error) {
	if cts, ok := c.tokens.(ContextTokenSource); ok {
		return cts.TokenContext(ctx)
	}
	return c.tokens.Token()
}

// retryWait is exponential backoff with jitter, or GoTo's Retry-After when
// it gave one (never less), capped at maxWait.
func (c *Client) retryWait(attempt int, retryAfter time.Duration) time.Duration {
	d := c.backoff << (attempt - 1)
	if d <= 0 || d > c.maxWait {
		d = c.maxWait
	}
	// Full jitter in [d/2, d): clients retrying together spread out.
	d = d/2 + rand.N(d/2+1)
	d = max(d, retryAfter)
	return min(d, c.maxWait)
}

// parseAPIError reads GoTo's error answer in any of the shapes its APIs
// use: {"int_err_code","msg"}, {"errorCode","description"}, OAuth's
// {"error","error_description"}, or no JSON at all.
func parseAPIError(method, path string, resp *http.Response, raw []byte) *APIError {
	e := &APIError{Method: method, Path: path, Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	var m map[string]any
	if json.Unmarshal(raw, &m) == nil {
		e.Code = firstString(m, "int_err_code", "errorCode", "error_code", "code", "error")
		e.Message = firstString(m, "msg", "description", "message", "error_description", "details")
	} else if s := strings.TrimSpace(string(raw)); s != "" && len(s) < 300 {
		e.Message = s
	}
	return e
}

func firstString(m map[string]any, names ...string) string {
	for _, n := range names {
		switch v := m[n].(type) {
		case string:
			if v != "" {
				return v
			}
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ""
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date.
func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}
