package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"webinarsync/app"
	"webinarsync/store"
)

// The data lifecycle commands: backup and restore.

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

func runData(cmd string, args []string, stdout io.Writer) error {
	help := map[string]string{"backup": backupHelp, "restore": restoreHelp}[cmd]
	fs := flag.NewFlagSet("webinarsync "+cmd, flag.ContinueOnError)
	dataDir := fs.String("data", "", "data dir (default: your config dir/webinarsync)")
	var out *string
	if cmd == "backup" {
		out = fs.String("o", "", "write the backup to this file (required)")
	}
	if done, err := parse(fs, args, stdout, help); done || err != nil {
		return err
	}
	switch cmd {
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

func size(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", (n+1023)>>10)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
