package ngrok

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	ngrokgo "golang.ngrok.com/ngrok/v2"

	"webinarsync/tunnel"
)

// TestRealAgent_ListenDeadlineHoldsAgainstAServerThatNeverAnswers runs the
// real ngrok-go agent against a local server that hangs up on every
// connection (never ngrok's cloud): ngrok-go would retry forever, the
// deadline ends it, and Close is prompt.
func TestRealAgent_ListenDeadlineHoldsAgainstAServerThatNeverAnswers(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()

	var logs syncBuffer
	newAgent := func(cfg Config, onEvent ngrokgo.EventHandler) (agent, error) {
		return newNgrokAgentWith(cfg, onEvent, ngrokgo.WithAgentConnectURL(ln.Addr().String()))
	}
	tun, err := start(context.Background(), Config{
		Authtoken:     testToken,
		ListenTimeout: 700 * time.Millisecond,
		Logger:        slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, newAgent, time.Minute, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	s := waitFor(t, tun, "failed", phaseIs(tunnel.PhaseFailed))
	if took := time.Since(began); took > 700*time.Millisecond+2*time.Second {
		t.Errorf("failed after %s", took)
	}
	if !strings.Contains(s.Error, "did not answer within 700ms") || !strings.Contains(s.Error, "last error: failed to send authentication request") {
		t.Errorf("Error = %q", s.Error)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	began = time.Now()
	if err := tun.Close(ctx); err != nil {
		t.Errorf("Close = %v", err)
	}
	if took := time.Since(began); took > time.Second {
		t.Errorf("Close took %s", took)
	}
	if strings.Contains(logs.String(), testToken) {
		t.Errorf("the token reached the log:\n%s", logs.String())
	}
}
