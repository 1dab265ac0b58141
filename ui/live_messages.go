package ui

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"webinarsync/store"
)

// What the live stream sends: each message carries a fragment rendered by
// the same templ components as the page, so a streamed row and a reloaded
// one are the same HTML. The broker (broker.go) and each stream's own
// catch-up (livestream.go) build them here.

// message is one Server-Sent Events message.
type message struct {
	event   string   // SSE event type: "join", "board", "noshow", "pipe", "session"
	id      uint64   // SSE id (a join's log seq); 0 writes no id line
	data    string   // rendered HTML, or a URL for "session"
	session string   // the session a join belongs to
	person  string   // a join's registrant key
	keys    []string // "joined": the registrant keys data lists, in order
	seqs    []uint64 // "joined": the join seq of each of keys
	wire    string   // the message as SSE, when encoded once for every tab
}

// frame is m as Server-Sent Events: its event type, its id, and its data
// one line per "data:" field, as the format requires for text with line
// breaks.
func (m message) frame() string {
	if m.wire != "" {
		return m.wire
	}
	var b strings.Builder
	if m.event != "" {
		b.WriteString("event: " + m.event + "\n")
	}
	if m.id != 0 {
		b.WriteString("id: " + strconv.FormatUint(m.id, 10) + "\n")
	}
	data := strings.ReplaceAll(strings.ReplaceAll(m.data, "\r\n", "\n"), "\r", "\n")
	for line := range strings.SplitSeq(data, "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

// encodeOnce gives each message its frame, so the tabs share the bytes.
func encodeOnce(msgs []message) {
	for i := range msgs {
		msgs[i].wire = msgs[i].frame()
	}
}

// joinMessage renders a join for the stream.
func (s *Server) joinMessage(j store.Join) (message, error) {
	lj, err := s.withOrganizations(j.WebinarKey, []store.Join{j})
	if err != nil {
		return message{}, err
	}
	html, err := renderString(joinRow(lj[0], s.now()))
	if err != nil {
		return message{}, err
	}
	return message{event: "join", id: j.Seq, data: html, session: j.SessionKey, person: j.RegistrantKey}, nil
}

// boardMessages renders the figures, timeline and no-shows count of a
// session ("" = the latest), and the no-show rows of the registrants added
// who have not joined it.
func (s *Server) boardMessages(b *board, session string, added []string) ([]message, error) {
	session = b.resolve(session)
	m, err := s.boardMessage(b, session)
	if err != nil {
		return nil, err
	}
	rows, err := s.noShowMessages(b, session, added)
	if err != nil {
		return nil, err
	}
	return append([]message{m}, rows...), nil
}

// boardMessage renders the figures and timeline of a session.
func (s *Server) boardMessage(b *board, session string) (message, error) {
	lastDelivery, err := s.store.LastDelivery()
	if err != nil {
		return message{}, fmt.Errorf("last delivery: %w", err)
	}
	st := b.stats(session)
	if st.NoShows, err = s.noShowCount(b.Webinar.WebinarKey, session); err != nil {
		return message{}, err
	}
	html, err := renderString(boardSwap(st, b.timeline(session), b.Now, lastDelivery))
	if err != nil {
		return message{}, err
	}
	return message{event: "board", data: html}, nil
}

// noShowMessages renders the rows of the registrants added who have not
// joined the session.
func (s *Server) noShowMessages(b *board, session string, added []string) ([]message, error) {
	if len(added) == 0 {
		return nil, nil
	}
	joined := map[string]bool{}
	for _, j := range b.sessionJoins(session) {
		joined[j.RegistrantKey] = true
	}
	var out []message
	for _, key := range added {
		if joined[key] {
			continue
		}
		r, err := s.store.Registrant(b.Webinar.WebinarKey, key)
		if err != nil {
			continue // not materialized under this webinar: nothing to show
		}
		if !strings.EqualFold(r.Status, store.StatusApproved) {
			continue // never expected: listed apart, on the next load
		}
		html, err := renderString(noShowRow(r))
		if err != nil {
			return nil, err
		}
		out = append(out, message{event: "noshow", data: html})
	}
	return out, nil
}

// pipeMessage renders the state of the path from GoTo to the board.
func pipeMessage(p pipeView) (message, error) {
	html, err := renderString(pipeStrip(p))
	if err != nil {
		return message{}, err
	}
	return message{event: "pipe", data: html}, nil
}

// sessionMessage tells a tab that follows the latest session that another
// one started: live.js then opens the board anew.
func sessionMessage(webinar string) message {
	return message{event: "session", data: liveURL(webinar)}
}

// renderString renders a fragment for the stream.
func renderString(c templ.Component) (string, error) {
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		return "", fmt.Errorf("render fragment: %w", err)
	}
	return buf.String(), nil
}
