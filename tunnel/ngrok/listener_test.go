package ngrok

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"webinarsync/tunnel"
)

func TestListener_AcceptsAcrossEndpointReplacement(t *testing.T) {
	t.Parallel()
	endpoints := make(chan endpoint)
	cloud := &fakeCloud{listen: func(ctx context.Context, _ *fakeAgent) (endpoint, error) {
		select {
		case ep := <-endpoints:
			return ep, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}}
	tun := startFake(t, cloud, Config{})
	ln := tun.Listener()
	if ln.Addr() == nil || ln.Addr().Network() != "ngrok" {
		t.Errorf("Addr before connecting = %v", ln.Addr())
	}

	// The app starts serving before ngrok is online.
	type accepted struct {
		hello string
		err   error
	}
	got := make(chan accepted)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				got <- accepted{err: err}
				return
			}
			b := make([]byte, 1)
			_, err = io.ReadFull(c, b)
			c.Close()
			got <- accepted{hello: string(b), err: err}
		}
	}()
	expect := func(want string) {
		t.Helper()
		select {
		case a := <-got:
			if a.err != nil || a.hello != want {
				t.Fatalf("accepted %q, %v; want %q", a.hello, a.err, want)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("no connection %q accepted", want)
		}
	}

	first := newFakeEndpoint(t, "https://aaaa.ngrok-free.app")
	endpoints <- first
	waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline))
	if ln.Addr().String() != first.Addr().String() {
		t.Errorf("Addr = %v, want the endpoint's", ln.Addr())
	}
	first.dial(t, "1")
	expect("1")

	// ngrok ends the endpoint under us: a new one is opened and served.
	first.Listener.Close()
	waitFor(t, tun, "connecting again", phaseIs(tunnel.PhaseConnecting))
	second := newFakeEndpoint(t, "https://bbbb.ngrok-free.app")
	endpoints <- second
	s := waitFor(t, tun, "online again", phaseIs(tunnel.PhaseOnline))
	if s.URL != "https://bbbb.ngrok-free.app" {
		t.Errorf("URL = %q, want the new endpoint's", s.URL)
	}
	second.dial(t, "2")
	expect("2")

	// The settings change: the endpoint is replaced again.
	reconfigured := make(chan error, 1)
	go func() {
		reconfigured <- tun.Reconfigure(context.Background(), Config{Authtoken: testToken, Domain: "my-name.ngrok-free.app", Logger: quietLogger()})
	}()
	third := newFakeEndpoint(t, "https://my-name.ngrok-free.app")
	endpoints <- third
	if err := <-reconfigured; err != nil {
		t.Fatal(err)
	}
	if !isClosed(second.closedByUs) {
		t.Error("Reconfigure left the previous endpoint open")
	}
	waitFor(t, tun, "online at the static domain", func(s tunnel.State) bool {
		return s.Phase == tunnel.PhaseOnline && s.URL == "https://my-name.ngrok-free.app"
	})
	third.dial(t, "3")
	expect("3")

	if err := tun.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-got:
		if !errors.Is(a.err, net.ErrClosed) {
			t.Errorf("Accept after Close = %q, %v; want net.ErrClosed", a.hello, a.err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Accept still blocked after Close")
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept = %v, want net.ErrClosed", err)
	}
}

func TestListener_CloseUnblocksAcceptWithoutWaitingForNgrok(t *testing.T) {
	t.Parallel()
	// http.Server.Shutdown closes the listener and waits for Serve to
	// return, before the app closes the tunnel.
	ep := newFakeEndpoint(t, "https://my-name.ngrok-free.app")
	ep.closeBlocks = true
	cloud := &fakeCloud{listen: serveOnce(ep)}
	tun := startFake(t, cloud, Config{})
	waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline))

	errc := make(chan error, 1)
	go func() {
		_, err := tun.Listener().Accept()
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	if err := tun.Listener().Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept = %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Accept blocked after the listener was closed")
	}
	if err := tun.Listener().Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	ep.mu.Lock()
	ep.closeBlocks = false // let the cleanup's Close finish at once
	ep.mu.Unlock()
}
