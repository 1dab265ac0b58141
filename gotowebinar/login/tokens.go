package login

import (
	"context"
	"errors"

	"golang.org/x/oauth2"

	"webinarsync/gotowebinar"
)

// TokenSource gives the API Client whatever login is current, so one
// Client (and its rate limit) serves every login, and notes when GoTo
// refuses or accepts a refresh.
func (l *Login) TokenSource() gotowebinar.Refresher { return tokens{l} }

type tokens struct{ l *Login }

func (t tokens) current() (*gotowebinar.TokenSource, error) {
	t.l.mu.Lock()
	defer t.l.mu.Unlock()
	if t.l.tokens == nil {
		return nil, gotowebinar.ErrNotLoggedIn
	}
	return t.l.tokens, nil
}

func (t tokens) Token() (*oauth2.Token, error) {
	return t.TokenContext(context.Background())
}

func (t tokens) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	ts, err := t.current()
	if err != nil {
		return nil, err
	}
	before := ts.Current()
	tok, err := ts.TokenContext(ctx)
	t.note(ts, err, before, tok)
	return tok, err
}

func (t tokens) Refresh(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, error) {
	ts, err := t.current()
	if err != nil {
		return nil, err
	}
	before := ts.Current()
	tok, err := ts.Refresh(ctx, stale)
	t.note(ts, err, before, tok)
	return tok, err
}

// note marks the login expired when GoTo refused to refresh it, and fresh
// again once a refresh worked (a login elsewhere may have fixed it). Being
// handed the token held before is no sign of that: after a refused
// refresh it is still given out until its time runs out.
func (t tokens) note(ts *gotowebinar.TokenSource, err error, before, after *oauth2.Token) {
	t.l.mu.Lock()
	defer t.l.mu.Unlock()
	if t.l.tokens != ts {
		return // logged out or in again meanwhile
	}
	switch {
	case errors.Is(err, gotowebinar.ErrLoginExpired):
		if !t.l.expired {
			t.l.log.Warn("GoTo refused to refresh the login; the organizer has to log in again", "err", err)
		}
		t.l.expired = true
	case err == nil && after != nil && (before == nil || after.AccessToken != before.AccessToken):
		t.l.expired = false
	}
}
