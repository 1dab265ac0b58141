package ringcentral

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/internal/clock"
)

// Group is a RingCentral rate-limit group. Each API operation belongs to
// one; the limit is counted per user, app and group.
type Group string

// The groups of the operations this package calls.
const (
	GroupLight  Group = "Light"  // subscription list, get, renew
	GroupMedium Group = "Medium" // subscription create, update, delete
	GroupHeavy  Group = "Heavy"  // every webinar configuration, registration and history read
	GroupAuth   Group = "Auth"   // the OAuth endpoints
)

// Client calls RingCentral's webinar REST API with an OAuth access token.
// It keeps to the rate limit RingCentral announces per group (waiting a
// window out once X-Rate-Limit-Remaining reaches 0, and sending nothing to
// a group during a 429's Retry-After), retries 429 and (for GET) 5xx with
// backoff, and on a 401 refreshes the token once and retries once.
// A Client is safe for concurrent use.
type Client struct {
	base     string
	tokens   oauth2.TokenSource
	http     *http.Client
	log      *slog.Logger
	attempts int
	backoff  time.Duration
	maxWait  time.Duration
	pageSize int
	limits   *groupLimits
}

// Refresher is a token source that can be told its token was refused, so
// it fetches a new one now instead of at expiry; *TokenSource is one.
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

// WithLogger sets where retries and waits are logged; the default discards.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// WithRetries sets how many times a call is tried in all (at least 1) and
// the first backoff after a 5xx, doubled for each retry up to a minute.
// Defaults: 4 and 2 s, as RingCentral's guide recommends.
func WithRetries(attempts int, firstBackoff time.Duration) Option {
	return func(c *Client) { c.attempts, c.backoff = max(attempts, 1), firstBackoff }
}

// WithPageSize sets perPage for listings (1 to MaxPageSize, the default):
// every webinar read is in the Heavy group, so big pages spare the limit.
func WithPageSize(n int) Option {
	return func(c *Client) { c.pageSize = min(max(n, 1), MaxPageSize) }
}

// MaxPageSize is the largest perPage RingCentral's webinar listings take.
const MaxPageSize = 1000

// DefaultPenalty is the wait after a 429 without Retry-After: RingCentral's
// penalty for every default group.
const DefaultPenalty = 60 * time.Second

// maxResponseBytes bounds what we read of an answer.
const maxResponseBytes = 8 << 20

// NewClient returns a Client for the platform at serverURL
// (Endpoints.APIBase) that authenticates with tokens from ts.
func NewClient(serverURL string, ts oauth2.TokenSource, opts ...Option) *Client {
	c := &Client{
		base:     strings.TrimRight(serverURL, "/"),
		tokens:   ts,
		http:     &http.Client{Timeout: 30 * time.Second},
		attempts: 4,
		backoff:  2 * time.Second,
		maxWait:  time.Minute,
		pageSize: MaxPageSize,
		limits:   &groupLimits{until: make(map[string]time.Time), alias: make(map[Group]string)},
	}
	for _, o := range opts {
		o(c)
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// request is one API call.
type request struct {
	method, path string
	group        Group
	query        url.Values
	body         any // sent as JSON; nil for none
}

// call makes one API call and decodes a 2xx answer's body into out (nil
// ignores it).
func (c *Client) call(ctx context.Context, r request, out any) error {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("ringcentral: %s %s: encoding the request: %w", r.method, r.path, err)
		}
	}
	raw, err := c.send(ctx, r, payload)
	if err != nil {
		return err
	}
	if out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("ringcentral: %s %s: RingCentral's answer is not what we expected: %w", r.method, r.path, err)
	}
	return nil
}

// send makes the exchange with retries and returns a 2xx body.
func (c *Client) send(ctx context.Context, r request, payload []byte) ([]byte, error) {
	fail := func(err error) ([]byte, error) {
		return nil, fmt.Errorf("ringcentral: %s %s: %w", r.method, r.path, err)
	}
	// Repeating a POST after a 5xx could create a second subscription:
	// only safe calls are retried then. A 429 means RingCentral did
	// nothing, so every call is retried after it.
	safe := r.method == http.MethodGet || r.method == http.MethodHead
	refreshed := false
	for attempt := 1; ; attempt++ {
		tok, err := c.token(ctx)
		if err != nil {
			return fail(err)
		}
		if err := c.limits.wait(ctx, r.group, c.log); err != nil {
			return fail(err)
		}
		resp, raw, err := c.exchange(ctx, r, payload, tok)
		if err != nil {
			if ctx.Err() != nil || !safe || attempt >= c.attempts {
				return fail(err)
			}
			c.log.Debug("ringcentral: retrying after a network error", "method", r.method, "path", r.path, "attempt", attempt, "err", err)
			if err := clock.Sleep(ctx, c.backoffWait(attempt)); err != nil {
				return fail(err)
			}
			continue
		}
		c.limits.observe(r.group, resp)
		if resp.StatusCode/100 == 2 {
			return raw, nil
		}
		apiErr := parseAPIError(r, resp, raw)
		switch {
		case resp.StatusCode == http.StatusUnauthorized && !refreshed:
			ref, ok := c.tokens.(Refresher)
			if !ok {
				return nil, apiErr
			}
			refreshed = true
			attempt-- // the refresh retry is not a backoff attempt
			if _, err := ref.Refresh(ctx, tok); err != nil {
				return fail(fmt.Errorf("RingCentral refused the access token and refreshing it failed: %w", err))
			}
		case attempt >= c.attempts:
			return nil, apiErr
		case resp.StatusCode == http.StatusTooManyRequests:
			// observe has closed the group for the penalty: the next
			// loop's wait honours it.
			c.log.Debug("ringcentral: rate limited", "method", r.method, "path", r.path, "group", r.group, "retryAfter", apiErr.RetryAfter)
		case resp.StatusCode >= 500 && safe:
			wait := max(c.backoffWait(attempt), apiErr.RetryAfter)
			c.log.Debug("ringcentral: retrying", "method", r.method, "path", r.path, "status", resp.StatusCode, "attempt", attempt, "wait", wait)
			if err := clock.Sleep(ctx, wait); err != nil {
				return fail(err)
			}
		default:
			return nil, apiErr
		}
	}
}

// exchange sends one request and reads the answer.
func (c *Client) exchange(ctx context.Context, r request, payload []byte, tok *oauth2.Token) (*http.Response, []byte, error) {
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader = http.NoBody
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, nil, err
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the answer: %w", err)
	}
	return resp, raw, nil
}

func (c *Client) token(ctx context.Context) (*oauth2.Token, error) {
	if c.tokens == nil {
		return nil, ErrNotLoggedIn
	}
	if cts, ok := c.tokens.(ContextTokenSource); ok {
		return cts.TokenContext(ctx)
	}
	return c.tokens.Token()
}

// backoffWait is exponential backoff with jitter, capped at maxWait.
func (c *Client) backoffWait(attempt int) time.Duration {
	d := c.backoff << (attempt - 1)
	if d <= 0 || d > c.maxWait {
		d = c.maxWait
	}
	// Jitter in [d/2, d]: clients retrying together spread out.
	return d/2 + rand.N(d/2+1)
}

func parseAPIError(r request, resp *http.Response, raw []byte) *APIError {
	e := &APIError{Method: r.method, Path: r.path, Status: resp.StatusCode,
		Group: resp.Header.Get("X-Rate-Limit-Group"), RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	var body apiErrorBody
	if json.Unmarshal(raw, &body) == nil {
		e.Codes, e.Message, e.Parameter = body.codes(), body.message(), body.parameter()
		if len(e.Codes) == 0 && body.Error != "" {
			e.Codes = []string{body.Error}
		}
	} else if s := strings.TrimSpace(string(raw)); s != "" && len(s) < 300 {
		e.Message = s
	}
	return e
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

// groupLimits is when each rate-limit group may be sent to again. Groups
// are keyed by the lower-cased name RingCentral gives in
// X-Rate-Limit-Group (the guide warns the names may change), learned per
// Group we asked under.
type groupLimits struct {
	mu    sync.Mutex
	until map[string]time.Time
	alias map[Group]string
}

func (l *groupLimits) key(g Group) string {
	if k, ok := l.alias[g]; ok {
		return k
	}
	return strings.ToLower(string(g))
}

// wait blocks until g may be sent to, or ctx ends.
func (l *groupLimits) wait(ctx context.Context, g Group, log *slog.Logger) error {
	for {
		l.mu.Lock()
		d := time.Until(l.until[l.key(g)])
		l.mu.Unlock()
		if d <= 0 {
			return ctx.Err()
		}
		log.Debug("ringcentral: waiting for the rate limit", "group", g, "wait", d)
		if err := clock.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// observe reads the rate-limit headers of an answer to a request of g.
// Remaining 0 closes the group for its window; a 429 closes it for
// Retry-After (DefaultPenalty when absent), since each request during the
// penalty would restart it.
func (l *groupLimits) observe(g Group, resp *http.Response) {
	h := resp.Header
	l.mu.Lock()
	defer l.mu.Unlock()
	if name := strings.ToLower(strings.TrimSpace(h.Get("X-Rate-Limit-Group"))); name != "" {
		l.alias[g] = name
	}
	k := l.key(g)
	var closed time.Duration
	if resp.StatusCode == http.StatusTooManyRequests {
		closed = parseRetryAfter(h.Get("Retry-After"))
		if closed <= 0 {
			closed = DefaultPenalty
		}
	} else if rem, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Remaining"))); err == nil && rem <= 0 {
		win, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Window")))
		if err != nil || win <= 0 {
			win = int(DefaultPenalty / time.Second)
		}
		closed = time.Duration(win) * time.Second
	}
	if closed > 0 {
		if until := time.Now().Add(closed); until.After(l.until[k]) {
			l.until[k] = until
		}
	}
}

// Paging: RingCentral's webinar listings are token paged. The answer is
// {records, paging{perPage, pageToken, nextPageToken}}; some readers of
// these APIs look for the token under navigation or pagination instead,
// so those are read too.
type pageJSON[T any] struct {
	Records    []T         `json:"records"`
	Paging     *pagingJSON `json:"paging"`
	Navigation *pagingJSON `json:"navigation"`
	Pagination *pagingJSON `json:"pagination"`
}

type pagingJSON struct {
	NextPageToken string `json:"nextPageToken"`
}

func (p pageJSON[T]) next() string {
	for _, pg := range []*pagingJSON{p.Paging, p.Navigation, p.Pagination} {
		if pg != nil && pg.NextPageToken != "" {
			return pg.NextPageToken
		}
	}
	return ""
}

// eachPage calls each for every record of a listing, page by page, until
// there is no next page token.
func eachPage[T any](ctx context.Context, c *Client, r request, each func(T) error) error {
	seen := make(map[string]bool)
	token := ""
	for {
		q := url.Values{}
		for k, v := range r.query {
			q[k] = v
		}
		q.Set("perPage", strconv.Itoa(c.pageSize))
		if token != "" {
			q.Set("pageToken", token)
		}
		r.query = q
		var page pageJSON[T]
		if err := c.call(ctx, r, &page); err != nil {
			return err
		}
		for _, rec := range page.Records {
			if err := each(rec); err != nil {
				return err
			}
		}
		token = page.next()
		if token == "" {
			return nil
		}
		if seen[token] {
			// A token handed out twice would loop forever.
			return fmt.Errorf("ringcentral: GET %s: RingCentral repeated the page token %q", r.path, token)
		}
		seen[token] = true
	}
}

// listAll collects a whole listing.
func listAll[T any](ctx context.Context, c *Client, r request) ([]T, error) {
	var all []T
	err := eachPage(ctx, c, r, func(t T) error {
		all = append(all, t)
		return nil
	})
	return all, err
}
