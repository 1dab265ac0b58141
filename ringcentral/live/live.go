// Package live brings RingCentral's joins to the live board. RingCentral
// sends no event when someone joins a session, so while a session runs its
// participant list is read every few seconds, within RingCentral's limit,
// and each attendee seen for the first time is stored as a join, once.
package live

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"webinarsync/record"
	"webinarsync/ringcentral"
	"webinarsync/store"
)

const (
	// DefaultEvery is how often a running session's participants are read:
	// every webinar REST call is in RingCentral's "Heavy" group (10 a
	// minute), which the catch-up sync shares, so three a minute per
	// running session, plus one look for running sessions.
	DefaultEvery = 20 * time.Second
	// DefaultLook is how often the sessions are listed to find running ones.
	DefaultLook = time.Minute
	// EventJoined names the stored joins in the event log.
	EventJoined = "participant.joined"
	provider    = "ringcentral"
)

// Config is what New needs.
type Config struct {
	Store  *store.Store
	Client *ringcentral.Client
	Login  interface{ LoggedIn() bool }
	Logins <-chan struct{} // a signal after every login: look at once
	Logger *slog.Logger    // nil: discard
	// Every and Look: 0 is DefaultEvery and DefaultLook.
	Every, Look time.Duration
}

// Poller reads running sessions' participants and stores their joins.
type Poller struct {
	cfg   Config
	log   *slog.Logger
	every time.Duration
	look  time.Duration

	mu      sync.Mutex
	running map[string]ringcentral.Session // by session id, as the last look found them
	seen    map[string]bool                // joins stored (or found stored) by this poller: not put again
	polled  time.Time
	problem *ringcentral.Problem
}

// New builds a Poller; Run drives it.
func New(c Config) *Poller {
	return &Poller{cfg: c, log: cmp.Or(c.Logger, slog.New(slog.DiscardHandler)),
		every: cmp.Or(c.Every, DefaultEvery), look: cmp.Or(c.Look, DefaultLook),
		running: map[string]ringcentral.Session{}, seen: map[string]bool{}}
}

// Status is what the poller knows, for the live board. It makes no call.
type Status struct {
	Every   time.Duration
	Running []string  // ids of the sessions running at the last look
	Polled  time.Time // the last read of a participant list; zero before one
	Problem *ringcentral.Problem
}

// Status reports the state as the last round left it.
func (p *Poller) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := Status{Every: p.every, Polled: p.polled, Problem: p.problem}
	for id := range p.running {
		st.Running = append(st.Running, id)
	}
	return st
}

// Run polls until ctx ends: a look for running sessions every Look, their
// participants every Every. Nothing is asked while logged out.
func (p *Poller) Run(ctx context.Context) {
	var lastLook time.Time
	for {
		if p.cfg.Login != nil && p.cfg.Login.LoggedIn() {
			if lastLook.IsZero() || time.Since(lastLook) >= p.look {
				lastLook = time.Now()
				p.note(p.lookForRunning(ctx))
			}
			p.note(p.pollRunning(ctx))
		}
		select {
		case <-ctx.Done():
			return
		case <-p.cfg.Logins:
			lastLook = time.Time{} // a new login: look for running sessions now
		case <-time.After(p.every):
		}
	}
}

// note keeps the round's problem for Status (nil clears it).
func (p *Poller) note(err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		p.problem = nil
		return
	}
	pr := ringcentral.Classify(err)
	p.problem = &pr
	p.log.Warn("reading RingCentral's running sessions failed", "err", err)
}

// lookForRunning lists the sessions and keeps the running ones.
func (p *Poller) lookForRunning(ctx context.Context) error {
	sessions, err := p.cfg.Client.Sessions(ctx, "")
	if err != nil {
		return fmt.Errorf("listing RingCentral's sessions: %w", err)
	}
	running := map[string]ringcentral.Session{}
	for _, s := range sessions {
		if s.Status == ringcentral.SessionActive {
			running[s.ID] = s
		}
	}
	p.mu.Lock()
	p.running = running
	for id := range p.seen { // a session no longer running is polled no more
		if sid, _, _ := strings.Cut(strings.TrimPrefix(id, "join:"), ":"); running[sid].ID == "" {
			delete(p.seen, id)
		}
	}
	p.mu.Unlock()
	return nil
}

// pollRunning reads each running session's participants and stores the
// joins of attendees; a session that has ended by now is dropped.
func (p *Poller) pollRunning(ctx context.Context) error {
	p.mu.Lock()
	sessions := make([]ringcentral.Session, 0, len(p.running))
	for _, s := range p.running {
		sessions = append(sessions, s)
	}
	p.mu.Unlock()
	var errs []error
	for _, s := range sessions {
		parts, err := p.cfg.Client.Participants(ctx, s.WebinarID, s.ID)
		if ringcentral.IsNotFound(err) {
			p.mu.Lock()
			delete(p.running, s.ID)
			p.mu.Unlock()
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("reading the participants of session %s: %w", s.ID, err))
			continue
		}
		p.mu.Lock()
		p.polled = time.Now()
		p.mu.Unlock()
		for _, pt := range parts {
			if err := p.store(ctx, s, pt); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// store keeps one participant's join, once per session and participant:
// a redelivery of the same id is refused by the store, so reading the
// same list again adds nothing. Panelists and hosts are not attendees.
func (p *Poller) store(ctx context.Context, s ringcentral.Session, pt ringcentral.Participant) error {
	if (pt.Role != "" && pt.Role != "Attendee") || pt.JoinTime.IsZero() {
		return nil
	}
	registrant := store.ProviderKey(provider, "participant-"+pt.ID) // joined without registering
	if pt.RegistrantID != "" {
		registrant = store.ProviderKey(provider, pt.RegistrantID)
	}
	id := "join:" + s.ID + ":" + pt.ID
	p.mu.Lock()
	seen := p.seen[id]
	p.mu.Unlock()
	if seen {
		return nil // each put is a commit GoTo's deliveries wait behind: only new ones
	}
	raw, err := json.Marshal(pt)
	if err != nil {
		return fmt.Errorf("encoding a participant: %w", err)
	}
	_, err = p.cfg.Store.PutProviderEvent(ctx, &store.ProviderEvent{
		Provider: provider, ID: id, Name: EventJoined, WebinarID: s.WebinarID,
		Raw: raw, ReceivedAt: time.Now(),
		Join: &record.Join{SessionKey: store.ProviderKey(provider, s.ID), RegistrantKey: registrant,
			FirstName: pt.FirstName, LastName: pt.LastName, Email: pt.Email, At: pt.JoinTime},
	})
	if err != nil {
		return fmt.Errorf("storing the join of participant %s: %w", pt.ID, err)
	}
	p.mu.Lock()
	p.seen[id] = true
	p.mu.Unlock()
	return nil
}
