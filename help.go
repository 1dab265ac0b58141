package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

const mainHelp = `webinarsync captures GoTo Webinar events live (webhooks) into a local
database, shows registrants and who joined in your browser, and exports
registrant lists as CSV or Excel. Nothing is lost when the laptop sleeps or the
program restarts: an event GoTo was told we received is already on disk.

Usage:
  webinarsync [flags]
  webinarsync export [-data DIR] [-webinar KEY] [-format csv|xlsx] [-o FILE]
  webinarsync backup [-data DIR] -o FILE
  webinarsync restore [-data DIR] FILE
  webinarsync erase [-data DIR] -email ADDRESS
  webinarsync version

Examples:
  webinarsync                         run; your browser opens on the UI
  webinarsync -demo                   try it against the built-in simulator
  webinarsync export -o list.xlsx     every webinar's registrants, as Excel
  webinarsync export -webinar 1234567890123456789 > registrants.csv
  webinarsync -forward-to https://example.com/hook   also send every event on
  webinarsync backup -o webinarsync-backup.db         a copy, also while running
  webinarsync erase -email ada@example.com            remove a person everywhere

Environment:
  NGROK_AUTHTOKEN, NGROK_DOMAIN       the ngrok tunnel and its static domain
  GOTO_CLIENT_ID, GOTO_CLIENT_SECRET  your GoTo OAuth client
  GOTO_API_URL, GOTO_AUTH_URL, GOTO_TOKEN_URL
                                      other GoTo endpoints (tests, proxies)
  WEBINARSYNC_WEBHOOK_SECRET          use this secret key for our webhooks

Flags:
`

const exportHelp = `webinarsync export writes the registrants of one webinar (-webinar), or of
all webinars, as CSV (UTF-8 with BOM, opens cleanly in Excel) or XLSX, to
standard output or to -o FILE. It works while webinarsync is running.

Examples:
  webinarsync export -o registrants.xlsx
  webinarsync export -webinar 1234567890123456789 -o registrants.csv
  webinarsync export -data /path/to/dir > all.csv

Flags:
`

// parse parses args; -h, -help or --help print help and the flags to
// stdout (done), and a mistyped flag names the closest one.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer, help string) (done bool, err error) {
	fs.SetOutput(io.Discard) // errors are returned, help goes to stdout
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, help)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return true, nil
	}
	if err == nil {
		return false, nil
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		if best := closestFlag(fs, strings.TrimLeft(name, "-")); best != "" {
			return false, &usageError{fmt.Errorf("unknown flag -%s: did you mean -%s? (try -h)", name, best)}
		}
		return false, &usageError{fmt.Errorf("unknown flag -%s (try -h)", name)}
	}
	return false, &usageError{fmt.Errorf("%w (try -h)", err)}
}

// closestFlag is the defined flag nearest to name by edit distance, if
// near enough to be a typo.
func closestFlag(fs *flag.FlagSet, name string) string {
	best, bestD := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		if d := editDistance(name, f.Name); d < bestD {
			best, bestD = f.Name, d
		}
	})
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
