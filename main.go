// Command webinarsync captures GoTo Webinar events live into a local
// database, shows them in a local web UI and exports registrant lists.
//
// This file is wiring only: flags and environment in, app.Run out.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/pkg/browser"

	"webinarsync/app"
	"webinarsync/gotowebinar/login"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "webinarsync:", err)
		if errors.As(err, new(*usageError)) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "devel"

func versionLine() string {
	return fmt.Sprintf("webinarsync %s (%s %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "export":
			return runExport(args[1:], stdout, stderr)
		case "backup", "restore", "erase":
			return runData(args[0], args[1:], stdout)
		case "version":
			fmt.Fprintln(stdout, versionLine())
			return nil
		}
	}
	cfg, noBrowser, done, err := parseFlags(args, stdout, stderr)
	if err != nil || done {
		return err
	}
	// Ingest makes short-lived garbage fast: collecting at 4x the live heap
	// instead of 2x bought about 8% more deliveries a second for about
	// 13 MB (issue 15). GOGC in the environment still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first Ctrl+C, a second one ends the process at once.
	go func() { <-ctx.Done(); stop() }()
	err = app.Run(ctx, cfg)
	// Started twice (a double click): show the one already running; one
	// running with another data dir is not this one (err says so).
	if other, ok := errors.AsType[*app.AlreadyRunningError](err); ok && other.UIURL != "" && other.OtherDataDir == "" {
		where := ""
		if other.DataDir != "" {
			where = fmt.Sprintf(" with data dir %s", other.DataDir)
		}
		fmt.Fprintf(stdout, "webinarsync is already running%s: opening %s\n", where, other.UIURL)
		if !noBrowser {
			if berr := browser.OpenURL(other.UIURL); berr != nil {
				cfg.Logger.Debug("could not open a browser", "err", berr)
			}
		}
		return nil
	}
	return err
}

// parseFlags reads the flags and the environment into the app's config;
// done is true when there is nothing left to run (-version).
func parseFlags(args []string, stdout, stderr io.Writer) (cfg app.Config, noBrowser, done bool, err error) {
	fs := flag.NewFlagSet("webinarsync", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:7777", "address of the local web UI")
	fs.StringVar(&cfg.DataDir, "data", "", "data dir (default: your config dir/webinarsync, or webinarsync-demo with -demo)")
	fs.BoolVar(&cfg.Demo, "demo", false, "run against the built-in GoTo simulator (no account needed)")
	noBrowserFlag := fs.Bool("no-browser", false, "do not open the UI in a browser")
	fs.StringVar(&cfg.Tunnel, "tunnel", app.TunnelAuto, "how GoTo reaches the webhook listener: ngrok, local, or auto (ngrok unless -demo or -public-url)")
	fs.StringVar(&cfg.WebhookAddr, "webhook-addr", "127.0.0.1:0", "listen address of the local webhook listener")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "public base URL of the webhook listener, when you run your own reverse proxy")
	fs.StringVar(&cfg.ForwardTo, "forward-to", "", "forward every newly stored event to this URL (your server, n8n, a Zapier catch hook), re-signed with the forwarding secret shown in Settings; wins over the URL saved there")
	fs.BoolVar(&cfg.CleanupOnExit, "cleanup-on-exit", false, "delete our webhooks and subscriptions at GoTo when webinarsync stops")
	fs.BoolVar(&cfg.SurveyEvents, "survey", false, "also register the survey.submitted event (its fields are undocumented; stored raw)")
	verbose := fs.Bool("v", false, "log every delivery in detail (instead of one line each)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if done, err := parse(fs, args, stdout, mainHelp); done || err != nil {
		return cfg, false, done, err
	}
	if fs.NArg() > 0 {
		return cfg, false, false, fmt.Errorf("unknown command %q (try -h)", fs.Arg(0))
	}
	if *showVersion {
		fmt.Fprintln(stdout, versionLine())
		return cfg, false, true, nil
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	} else {
		cfg.Terminal = stdout // one line per delivery, as `stripe listen` shows them
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg.WebhookSecret = os.Getenv("WEBINARSYNC_WEBHOOK_SECRET")
	cfg.NgrokToken = os.Getenv("NGROK_AUTHTOKEN")
	cfg.NgrokDomain = os.Getenv("NGROK_DOMAIN")
	cfg.GoTo = login.Endpoints{
		ClientID:     os.Getenv("GOTO_CLIENT_ID"),
		ClientSecret: os.Getenv("GOTO_CLIENT_SECRET"),
		AuthURL:      os.Getenv("GOTO_AUTH_URL"),
		TokenURL:     os.Getenv("GOTO_TOKEN_URL"),
		APIURL:       os.Getenv("GOTO_API_URL"),
	}
	cfg.RingCentral = app.RingCentral{
		ServerURL:    os.Getenv("RINGCENTRAL_SERVER_URL"),
		ClientID:     os.Getenv("RINGCENTRAL_CLIENT_ID"),
		ClientSecret: os.Getenv("RINGCENTRAL_CLIENT_SECRET"),
		JWT:          os.Getenv("RINGCENTRAL_JWT"),
	}
	cfg.Ready = func(uiURL string) {
		fmt.Fprintf(stdout, "webinarsync is running: open %s\n", uiURL)
		if *noBrowserFlag {
			return
		}
		// No browser (a server, a container) is fine: the URL is printed.
		// In the background: a terminal browser must not hold up the app.
		go func() {
			if err := browser.OpenURL(uiURL); err != nil {
				cfg.Logger.Debug("could not open a browser", "err", err)
			}
		}()
	}

	return cfg, *noBrowserFlag, false, nil
}

func runExport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("webinarsync export", flag.ContinueOnError)
	dataDir := fs.String("data", "", "data dir (default: your config dir/webinarsync)")
	webinar := fs.String("webinar", "", "export only this webinar's registrants")
	out := fs.String("o", "", "write to this file instead of standard output")
	format := fs.String("format", "", "csv or xlsx (default: from -o's extension, else csv)")
	if done, err := parse(fs, args, stdout, exportHelp); done || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Errorf("export takes no arguments, got %q: name the file with -o (try export -h)", fs.Arg(0))}
	}
	if *format == "" {
		*format = app.FormatCSV
		if strings.EqualFold(filepath.Ext(*out), ".xlsx") {
			*format = app.FormatXLSX
		}
	}
	*format = strings.ToLower(*format)
	if *format != app.FormatCSV && *format != app.FormatXLSX {
		return &usageError{fmt.Errorf("-format %q: use csv or xlsx", *format)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if *out == "" {
		n, err := app.ExportRegistrants(ctx, *dataDir, *webinar, *format, stdout)
		if err != nil {
			return err
		}
		// stderr: stdout is the file.
		fmt.Fprintln(stderr, wrote(n, "standard output"))
		return nil
	}
	// A temporary file beside the target, renamed at the end: a failed
	// export neither leaves half a file nor destroys an earlier one.
	f, err := os.CreateTemp(filepath.Dir(*out), ".webinarsync-export-*")
	if err != nil {
		return fmt.Errorf("creating %s: %w (does the folder exist and may you write there?)", *out, err)
	}
	defer os.Remove(f.Name())
	n, err := app.ExportRegistrants(ctx, *dataDir, *webinar, *format, f)
	if err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	if err := os.Rename(f.Name(), *out); err != nil {
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	fmt.Fprintln(stdout, wrote(n, *out))
	return nil
}

func wrote(n int, where string) string {
	switch n {
	case -1:
		return "wrote the registrants to " + where
	case 1:
		return "wrote 1 registrant to " + where
	}
	return fmt.Sprintf("wrote %d registrants to %s", n, where)
}
