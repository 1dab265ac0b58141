package login

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/oauth2"

	"webinarsync/ringcentral"
)

// TokenSource gives the API Client whatever login is current, so one
// Client (and its rate-limit state) serves every login, from before the
// first to after the last; and it notes when RingCentral refuses a refresh.
// It implements ringcentral.Refresher and ringcentral.ContextTokenSource.
func (l *Login) TokenSource() ringcentral.Refresher { return tokens{l} }

type tokens struct{ l *Login }

func (t tokens) current() (*ringcentral.TokenSource, error) {
	t.l.mu.Lock()
	defer t.l.mu.Unlock()
	if t.l.tokens == nil {
		return nil, fmt.Errorf("ringcentral login: %w", ringcentral.ErrNotLoggedIn)
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
	tok, err := ts.TokenContext(ctx)
	t.note(ts, err)
	return tok, err
}

func (t tokens) Refresh(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, error) {
	ts, err := t.current()
	if err != nil {
		return nil, err
	}
	tok, err := ts.Refresh(ctx, stale)
	t.note(ts, err)
	return tok, err
}

// note marks the login expired, and saves that, when RingCentral refused
// to refresh it (for a JWT login: and to log in again with the JWT).
// Network trouble is not a refusal. A token that works clears the mark
// through saveToken.
func (t tokens) note(ts *ringcentral.TokenSource, err error) {
	if !errors.Is(err, ringcentral.ErrLoginExpired) {
		return
	}
	l := t.l
	l.mu.Lock()
	if l.tokens != ts || l.refused {
		l.mu.Unlock() // logged out or in again meanwhile, or known already
		return
	}
	l.refused = true
	l.mu.Unlock()
	l.log.Warn("RingCentral refused to refresh the login; the organizer has to log in again", "err", err)
	// Kept, so a restart says "log in again" before any call finds out.
	if perr := l.persist(ts); perr != nil {
		l.log.Error("could not save that the RingCentral login expired", "err", perr)
	}
}
