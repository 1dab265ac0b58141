package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"webinarsync/store"
	"webinarsync/tunnel"
	"webinarsync/tunnel/ngrok"
	"webinarsync/ui"
)

// The -tunnel choices.
const (
	TunnelAuto  = "auto"  // ngrok, unless -demo or -public-url ask for a local listener
	TunnelNgrok = "ngrok" // ngrok, even without a token (the UI then says what is missing)
	TunnelLocal = "local" // a plain listener on -webhook-addr
)

// Settings names for the ngrok tunnel.
const (
	settingNgrokToken  = "ngrok.authtoken"
	settingNgrokDomain = "ngrok.domain"
)

// tunnelKind resolves -tunnel auto.
func tunnelKind(cfg Config) string {
	switch cfg.Tunnel {
	case "", TunnelLocal:
		return TunnelLocal
	case TunnelAuto:
		if cfg.Demo || cfg.PublicURL != "" {
			return TunnelLocal
		}
		return TunnelNgrok
	}
	return cfg.Tunnel
}

// ngrokSettings is the ngrok part of the settings page: environment values
// win over saved ones and are never saved.
type ngrokSettings struct {
	store    *store.Store
	envToken string
	envDom   string
	tun      *ngrok.Tunnel // nil when the app runs another tunnel
	log      *slog.Logger
}

func (n *ngrokSettings) config() (ngrok.Config, error) {
	tok, dom := n.envToken, n.envDom
	if tok == "" {
		saved, err := n.store.Setting(settingNgrokToken)
		if err != nil {
			return ngrok.Config{}, fmt.Errorf("reading the ngrok authtoken: %w", err)
		}
		tok = saved
	}
	if dom == "" {
		saved, err := n.store.Setting(settingNgrokDomain)
		if err != nil {
			return ngrok.Config{}, fmt.Errorf("reading the ngrok domain: %w", err)
		}
		dom = saved
	}
	return ngrok.Config{Authtoken: tok, Domain: dom, Logger: n.log}, nil
}

// NgrokSettings shows the token masked, never whole.
func (n *ngrokSettings) NgrokSettings() ui.NgrokSettings {
	cfg, err := n.config()
	if err != nil {
		n.log.Warn("reading ngrok settings", "err", err)
	}
	return ui.NgrokSettings{
		TokenSet:      cfg.Authtoken != "",
		TokenHint:     ngrok.MaskToken(cfg.Authtoken),
		TokenFromEnv:  n.envToken != "",
		Domain:        cfg.Domain,
		DomainFromEnv: n.envDom != "",
		InUse:         n.tun != nil,
	}
}

// SaveNgrokSettings keeps the token (an empty one keeps the saved token)
// and domain, and reconnects the running ngrok tunnel with them.
func (n *ngrokSettings) SaveNgrokSettings(ctx context.Context, token, domain string) error {
	if token != "" && n.envToken == "" {
		if err := n.store.SetSetting(settingNgrokToken, token); err != nil {
			return fmt.Errorf("saving the ngrok authtoken: %w", err)
		}
	}
	if n.envDom == "" {
		if err := n.store.SetSetting(settingNgrokDomain, domain); err != nil {
			return fmt.Errorf("saving the ngrok domain: %w", err)
		}
	}
	if n.tun == nil {
		return nil // takes effect at the next start with the ngrok tunnel
	}
	cfg, err := n.config()
	if err != nil {
		return err
	}
	if err := n.tun.Reconfigure(ctx, cfg); err != nil && !errors.Is(err, ngrok.ErrNoAuthtoken) {
		return fmt.Errorf("reconnecting ngrok: %w", err)
	}
	return nil
}

// openTunnel starts the tunnel -tunnel asks for. Without an ngrok token the
// ngrok tunnel still exists, switched off, and says what it needs.
func openTunnel(ctx context.Context, cfg Config, ns *ngrokSettings) (tunnel.Tunnel, error) {
	switch kind := tunnelKind(cfg); kind {
	case TunnelLocal:
		addr := cfg.WebhookAddr
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		t, err := tunnel.Listen(addr, cfg.PublicURL)
		if err != nil {
			return nil, fmt.Errorf("opening the webhook listener: %w", err)
		}
		return t, nil
	case TunnelNgrok:
		ncfg, err := ns.config()
		if err != nil {
			return nil, err
		}
		t, err := ngrok.Start(ctx, ncfg)
		if errors.Is(err, ngrok.ErrNoAuthtoken) {
			t, err = ngrok.Off(ctx), nil
		}
		if err != nil {
			return nil, fmt.Errorf("starting ngrok: %w", err)
		}
		ns.tun = t
		return t, nil
	default:
		return nil, fmt.Errorf("unknown -tunnel %q: use auto, ngrok or local", kind)
	}
}
