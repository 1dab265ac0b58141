package login

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/gotowebinar"
)

// Finding the organizer key. GoTo Webinar's API names the organizer in
// every path, but GoTo's token response no longer says who that is (only
// the old token host did). So the key is looked for, in this order: in the
// token response; in the user's SCIM profile (its id is the user key,
// which GoTo Webinar calls the organizer key; the identity:scim.me scope);
// in the admin API's "me" (admins only); else it is what the organizer
// pasted on the settings page. Where it came from is saved with the login,
// so a restart does not ask again.

// KeySource says where the organizer key came from.
type KeySource string

// The sources of the organizer key, in the order they are tried.
const (
	KeyFromToken    KeySource = "token"    // GoTo's token response named it (its old token host did)
	KeyFromIdentity KeySource = "identity" // the SCIM profile, /identity/v1/Users/me
	KeyFromAdmin    KeySource = "admin"    // the admin API, /admin/rest/v1/me
	KeyFromSettings KeySource = "settings" // the organizer pasted it on the settings page
)

// KeyRefusal is a source that did not give the organizer key, and why.
type KeyRefusal struct {
	Source  KeySource           `json:"source"`
	Problem gotowebinar.Problem `json:"problem"`
}

// ErrNoOrganizerKey: logged in, but no source named the organizer key;
// State.KeyRefusals says why.
var ErrNoOrganizerKey = errors.New("no GoTo service named the organizer key")

// ErrBadOrganizerKey: what was pasted is not an organizer key (digits
// only, at most MaxOrganizerKeyLen of them).
var ErrBadOrganizerKey = errors.New("an organizer key is digits only")

// MaxOrganizerKeyLen bounds a pasted organizer key; GoTo's have 19 digits
// or so, and they go into every API path.
const MaxOrganizerKeyLen = 30

// settingOrganizerKey is the key pasted on the settings page.
const settingOrganizerKey = "goto.organizerKey"

// How long the search may take: a source that does not answer in time is
// passed over, and the whole search stays within what a login's redirect
// may wait.
const (
	perSourceTimeout = 5 * time.Second
	lookupTimeout    = 10 * time.Second
)

// maxProfileBytes bounds what we read of a "who am I" answer; they are small.
const maxProfileBytes = 1 << 20

// The "who am I" endpoints, at the API origin.
const (
	identityMePath = "/identity/v1/Users/me"
	adminMePath    = "/admin/rest/v1/me"
)

// SetOrganizerKey keeps the organizer key pasted on the settings page; ""
// forgets it. It is used when GoTo's own services name none; once it
// gives a login its key, the watchers are signalled, as after a login,
// so the catch-up sync starts.
func (l *Login) SetOrganizerKey(key string) error {
	key = strings.TrimSpace(key)
	if key != "" && (len(key) > MaxOrganizerKeyLen || !isDigits(key)) {
		return ErrBadOrganizerKey
	}
	if err := l.store.SetSetting(settingOrganizerKey, key); err != nil {
		return fmt.Errorf("saving the organizer key: %w", err)
	}
	l.mu.Lock()
	changed := false
	// GoTo's word wins over a pasted key: it is the last resort.
	if l.tokens != nil && (l.keySource == "" || l.keySource == KeyFromSettings) {
		changed = l.identity.OrganizerKey != gotowebinar.Key(key)
		l.identity.OrganizerKey, l.keySource = gotowebinar.Key(key), KeyFromSettings
		if key == "" {
			l.keySource = ""
		}
	}
	l.mu.Unlock()
	if !changed {
		return nil
	}
	if err := l.persist(); err != nil {
		return err
	}
	if key != "" {
		l.log.Info("using the organizer key entered on the settings page", "organizerKey", key)
		l.notify()
	}
	return nil
}

// pastedKey is the key saved from the settings page, "" when none.
func (l *Login) pastedKey() gotowebinar.Key {
	k, _ := l.store.Setting(settingOrganizerKey) // unreadable reads as unset
	return gotowebinar.Key(k)
}

// FindOrganizerKey looks for the organizer key of a login that lacks one,
// as after a restart of a login from before webinarsync asked GoTo's
// other services, and signals the watchers when it finds it. The app calls
// it at start. It returns gotowebinar.ErrNotLoggedIn when logged out and
// ErrNoOrganizerKey when no source named the key.
func (l *Login) FindOrganizerKey(ctx context.Context) error {
	l.mu.Lock()
	ts, known := l.tokens, l.identity.OrganizerKey != ""
	l.mu.Unlock()
	switch {
	case ts == nil:
		return gotowebinar.ErrNotLoggedIn
	case known:
		return nil
	}
	if !l.findKey(ctx, ts) {
		return ErrNoOrganizerKey
	}
	l.notify()
	return nil
}

// findKey asks GoTo's services for the organizer key of the login whose
// tokens are ts, falls back to the pasted key, and keeps what it learned.
// It reports whether the key is known now.
func (l *Login) findKey(ctx context.Context, ts *gotowebinar.TokenSource) bool {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	l.mu.Lock()
	if l.tokens != ts {
		l.mu.Unlock()
		return false
	}
	l.finding = true
	l.mu.Unlock()

	f, refusals := l.finder().find(ctx)
	pasted := l.pastedKey()

	l.mu.Lock()
	if l.tokens != ts {
		// Logged out or in again meanwhile: this answer is about a login
		// that is gone.
		l.mu.Unlock()
		return false
	}
	l.finding = false
	l.refusals = refusals
	switch {
	case f.key != "":
		l.identity.OrganizerKey, l.keySource, l.refusals = f.key, f.source, nil
		l.identity = l.identity.Merge(f.identity)
	case pasted != "":
		l.identity.OrganizerKey, l.keySource = pasted, KeyFromSettings
	}
	key, source := l.identity.OrganizerKey, l.keySource
	l.mu.Unlock()

	if err := l.persist(); err != nil {
		// The key still works for this run; the next start looks again.
		l.log.Error("could not save the organizer key", "err", err)
	}
	if key == "" {
		l.log.Warn("no GoTo service named the organizer key; it can be entered on the settings page", "refusals", refusals)
		return false
	}
	l.log.Info("found the organizer key", "organizerKey", key, "source", source)
	return true
}

func (l *Login) finder() keyFinder {
	return keyFinder{apiURL: l.ep.APIURL, hc: l.hc, tokens: l.TokenSource()}
}

// found is what a "who am I" endpoint said.
type found struct {
	source   KeySource
	key      gotowebinar.Key
	identity gotowebinar.Identity // name, e-mail and account, when it says them
}

// keyFinder asks GoTo's "who am I" endpoints for the organizer key with
// the login's access token.
type keyFinder struct {
	apiURL string // the API's URL; the endpoints sit at its origin
	hc     *http.Client
	tokens gotowebinar.Refresher
}

// whoAmI is one of GoTo's "who am I" endpoints and how to read its answer.
type whoAmI struct {
	source KeySource
	path   string
	read   func(body []byte) (found, error)
}

// endpoints are GoTo's "who am I" endpoints, in the order they are asked:
// every account has a profile; only admins may read the admin API.
func (keyFinder) endpoints() [2]whoAmI {
	return [...]whoAmI{
		{KeyFromIdentity, identityMePath, readSCIMMe},
		{KeyFromAdmin, adminMePath, readAdminMe},
	}
}

// find asks each endpoint in turn until one names the key, and says why
// the others did not.
func (f keyFinder) find(ctx context.Context) (found, []KeyRefusal) {
	var refusals []KeyRefusal
	origin, err := apiOrigin(f.apiURL)
	if err != nil {
		return found{}, []KeyRefusal{{Source: KeyFromIdentity, Problem: gotowebinar.Problem{Kind: gotowebinar.ProblemOther, Reason: err.Error()}}}
	}
	for _, w := range f.endpoints() {
		got, err := f.ask(ctx, origin, w)
		if err == nil {
			return got, nil
		}
		p := refusal(err)
		refusals = append(refusals, KeyRefusal{Source: w.source, Problem: p})
		if ctx.Err() != nil || p.Kind == gotowebinar.ProblemLoginExpired || p.Kind == gotowebinar.ProblemNotLoggedIn {
			break // the next endpoint cannot do better
		}
	}
	return found{}, refusals
}

// ask calls one endpoint, refreshing the token once if it is refused as
// expired, and reads the key from its answer.
func (f keyFinder) ask(ctx context.Context, origin string, w whoAmI) (found, error) {
	ctx, cancel := context.WithTimeout(ctx, perSourceTimeout)
	defer cancel()
	var tok *oauth2.Token
	var err error
	if cts, ok := f.tokens.(gotowebinar.ContextTokenSource); ok {
		tok, err = cts.TokenContext(ctx)
	} else {
		tok, err = f.tokens.Token()
	}
	if err != nil {
		return found{}, fmt.Errorf("GET %s: %w", w.path, err)
	}
	body, err := f.get(ctx, origin, w.path, tok)
	var apiErr *gotowebinar.APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized {
		// Perhaps expired early: GoTo's other services say so with 401.
		if tok, err = f.tokens.Refresh(ctx, tok); err != nil {
			return found{}, fmt.Errorf("GET %s: refreshing the access token: %w", w.path, err)
		}
		body, err = f.get(ctx, origin, w.path, tok)
	}
	if err != nil {
		return found{}, err
	}
	got, err := w.read(body)
	if err != nil {
		return found{}, fmt.Errorf("GET %s: %w", w.path, err)
	}
	got.source = w.source
	return got, nil
}

func (f keyFinder) get(ctx context.Context, origin, path string, tok *oauth2.Token) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, origin+path, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := f.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProfileBytes))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading the answer: %w", path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, answerError(path, resp.StatusCode, body)
	}
	return body, nil
}

// answerError reads an error answer in the shapes GoTo's services use:
// SCIM's {"status","detail","scimType"}, the admin API's
// {"errorCode","message"}, OAuth's {"error","error_description"}.
func answerError(path string, status int, body []byte) *gotowebinar.APIError {
	e := &gotowebinar.APIError{Method: http.MethodGet, Path: path, Status: status}
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return e
	}
	text := func(names ...string) string {
		for _, n := range names {
			if s, ok := m[n].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	e.Code = text("scimType", "errorCode", "int_err_code", "error")
	e.Message = text("detail", "message", "msg", "description", "error_description")
	return e
}

// refusal classifies why a source gave no key. A 401 that survived a
// refresh is this service refusing the token (a scope it lacks), not the
// login expiring: the token works for GoTo Webinar.
func refusal(err error) gotowebinar.Problem {
	var noKey *noKeyError
	if errors.As(err, &noKey) {
		return gotowebinar.Problem{Kind: gotowebinar.ProblemBadAnswer}
	}
	p := gotowebinar.Classify(err)
	var apiErr *gotowebinar.APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized {
		p.Kind = gotowebinar.ProblemForbidden
	}
	return p
}

// apiOrigin is the scheme and host of the API's URL, where GoTo's other
// services sit.
func apiOrigin(apiURL string) (string, error) {
	u, err := url.Parse(apiURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("the GoTo API URL %q has no scheme and host", apiURL)
	}
	return u.Scheme + "://" + u.Host, nil
}

// readSCIMMe reads SCIM's User: its id (text or a number) is the key.
func readSCIMMe(body []byte) (found, error) {
	var me struct {
		ID       gotowebinar.Key `json:"id"`
		UserName string          `json:"userName"`
		Name     struct {
			GivenName  string `json:"givenName"`
			FamilyName string `json:"familyName"`
		} `json:"name"`
		Emails []struct {
			Value   string `json:"value"`
			Primary bool   `json:"primary"`
		} `json:"emails"`
	}
	if err := decodeProfile(body, &me); err != nil {
		return found{}, err
	}
	var email string
	for _, e := range me.Emails {
		if email == "" || e.Primary {
			email = strings.TrimSpace(e.Value)
		}
		if e.Primary {
			break
		}
	}
	if email == "" && strings.Contains(me.UserName, "@") {
		email = strings.TrimSpace(me.UserName)
	}
	return profile(me.ID, "", email, me.Name.GivenName, me.Name.FamilyName, "id")
}

// readAdminMe reads the admin API's "me": key and accountKey, as numbers
// or text.
func readAdminMe(body []byte) (found, error) {
	var me struct {
		Key        gotowebinar.Key `json:"key"`
		AccountKey gotowebinar.Key `json:"accountKey"`
		Email      string          `json:"email"`
		FirstName  string          `json:"firstName"`
		LastName   string          `json:"lastName"`
	}
	if err := decodeProfile(body, &me); err != nil {
		return found{}, err
	}
	return profile(me.Key, me.AccountKey, me.Email, me.FirstName, me.LastName, "key")
}

// decodeProfile decodes a "who am I" answer into v.
func decodeProfile(body []byte, v any) error {
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(v); err != nil {
		return fmt.Errorf("GoTo's answer is not what we expected: %w", err)
	}
	return nil
}

// profile checks the key a "who am I" answer named (field says which
// field it came from) and keeps who it says the user is.
func profile(key, account gotowebinar.Key, email, first, last, field string) (found, error) {
	if key == "" || len(key) > MaxOrganizerKeyLen || !isDigits(string(key)) {
		// A key goes into every API path: only digits are one.
		return found{}, &noKeyError{field: field, value: string(key)}
	}
	return found{key: key, identity: gotowebinar.Identity{
		AccountKey: account, Email: strings.TrimSpace(email),
		FirstName: strings.TrimSpace(first), LastName: strings.TrimSpace(last),
	}}, nil
}

// noKeyError: a "who am I" answer named no organizer key in its field.
type noKeyError struct{ field, value string }

func (e *noKeyError) Error() string {
	return fmt.Sprintf("GoTo's answer has no organizer key: its %s is %q", e.field, e.value)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
