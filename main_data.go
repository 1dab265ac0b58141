package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"webinarsync/app"
	"webinarsync/store"
)

// The data lifecycle commands: backup, restore and erase.

const backupHelp = `webinarsync backup writes a consistent copy of the whole database to FILE.
It works while webinarsync is running (it then asks the running app), and
deliveries go on meanwhile. The copy is checked before it is kept.

Examples:
  webinarsync backup -o webinarsync-backup.db
  webinarsync backup -data /path/to/dir -o backup.db

Flags:
`

const restoreHelp = `webinarsync restore replaces the database with a backup FILE. Stop
webinarsync first. The backup is checked before anything changes, and the
current database is kept beside it as webinarsync.db.before-restore-<time>.

Examples:
  webinarsync restore webinarsync-backup.db
  webinarsync restore -data /path/to/dir backup.db

Flags:
`

const eraseHelp = `webinarsync erase removes the person with the e-mail address ADDRESS (in any
upper or lower case) from every webinar: their registrations and answers,
joins, attendance, the raw events GoTo sent about them, the delivery records
that show them and the events waiting to be forwarded. Where someone else's
answer names the address, it is replaced by [erased]. Then the database file
is rewritten (compacted) so no copy stays in it. It works while webinarsync
is running (it then asks the running app). Backups made before still hold
the person; at GoTo they stay registered until you remove them there.

Examples:
  webinarsync erase -email ada@example.com
  webinarsync erase -data /path/to/dir -email ada@example.com

Flags:
`

func runData(cmd string, args []string, stdout io.Writer) error {
	help := map[string]string{"backup": backupHelp, "restore": restoreHelp, "erase": eraseHelp}[cmd]
	fs := flag.NewFlagSet("webinarsync "+cmd, flag.ContinueOnError)
	dataDir := fs.String("data", "", "data dir (default: your config dir/webinarsync)")
	var out, email *string
	switch cmd {
	case "backup":
		out = fs.String("o", "", "write the backup to this file (required)")
	case "erase":
		email = fs.String("email", "", "the e-mail address of the person to erase (required)")
	}
	if done, err := parse(fs, args, stdout, help); done || err != nil {
		return err
	}
	switch cmd {
	case "erase":
		if fs.NArg() > 0 || strings.TrimSpace(*email) == "" {
			return &usageError{fmt.Errorf("erase needs the person's address: webinarsync erase -email ADDRESS (try erase -h)")}
		}
		return runErase(*dataDir, *email, stdout)
	case "backup":
		if fs.NArg() > 0 || *out == "" {
			return &usageError{fmt.Errorf("backup writes to a file: name it with -o (try backup -h)")}
		}
		return runBackup(*dataDir, *out, stdout)
	default: // restore
		if fs.NArg() != 1 {
			return &usageError{fmt.Errorf("restore takes one backup file: webinarsync restore FILE (try restore -h)")}
		}
		aside, err := app.Restore(*dataDir, fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "restored %s\n", fs.Arg(0))
		if aside != "" {
			fmt.Fprintf(stdout, "the previous database is kept at %s (delete it once all is well)\n", aside)
		}
		return nil
	}
}

// runBackup writes to a temporary file beside out, checks it restores,
// and only then renames it: a failed backup neither leaves half a file nor
// replaces an earlier good one.
func runBackup(dataDir, out string, stdout io.Writer) error {
	f, err := os.CreateTemp(filepath.Dir(out), ".webinarsync-backup-*")
	if err != nil {
		return fmt.Errorf("creating %s: %w (does the folder exist and may you write there?)", out, err)
	}
	defer os.Remove(f.Name())
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	n, err := app.Backup(ctx, dataDir, f)
	if err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	if err := store.CheckFile(f.Name()); err != nil {
		return fmt.Errorf("the backup failed its check, so it was not kept: %w", err)
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	fmt.Fprintf(stdout, "wrote a backup (%s) to %s; restore it with: webinarsync restore %s\n", size(n), out, out)
	return nil
}

// runErase erases a person and says, kind by kind, what went.
func runErase(dataDir, email string, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	er, err := app.Erase(ctx, dataDir, email)
	if errors.Is(err, store.ErrNoAddress) {
		return &usageError{fmt.Errorf("%q is no e-mail address (try erase -h)", email)}
	}
	if err != nil && !errors.Is(err, store.ErrNotCompacted) {
		return err
	}
	if !er.Found() {
		fmt.Fprintf(stdout, "nobody with the address %s was found: nothing was erased\n", email)
		return err
	}
	fmt.Fprintf(stdout, "erased %s:\n", email)
	line := func(n int, what, note string) {
		if n > 0 {
			fmt.Fprintf(stdout, "  %-20s %d%s\n", what, n, note)
		}
	}
	webinars := ""
	if er.Webinars > 0 {
		webinars = fmt.Sprintf(" (in %d webinar%s)", er.Webinars, map[bool]string{true: "s"}[er.Webinars > 1])
	}
	line(er.Registrants, "registrations", webinars)
	line(er.Joins, "joins", "")
	line(er.Attendance, "attendance records", "")
	line(er.Events, "event bodies", " (each replaced by a note of the erasure)")
	line(er.Deliveries, "delivery records", "")
	line(er.Outbox, "forwarding sends", "")
	line(er.Redacted, "others' records", " (the address replaced by [erased])")
	for _, where := range er.Remaining {
		fmt.Fprintf(stdout, "the address is still in %s: not a registrant's record (your own login or a setting may use it)\n", where)
	}
	for _, aside := range er.KeptAside {
		fmt.Fprintf(stdout, "%s, kept aside by a restore, still holds them: delete it once all is well\n", aside)
	}
	if err != nil {
		return fmt.Errorf("%w: old copies may stay in its unused space until it is compacted; run this again later, or let the running app's daily pass do it", err)
	}
	fmt.Fprintln(stdout, "the database file was compacted: no copy of them is left in it")
	return nil
}

func size(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", (n+1023)>>10)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
