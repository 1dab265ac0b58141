package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"webinarsync/store"
)

// Backup writes a consistent copy of the database in dataDir (""
// = DefaultDataDir) to w and says how many bytes it wrote. While the app
// runs it holds the database, so Backup then asks the running app over its
// loopback UI (GET /backup), as ExportRegistrants does.
func Backup(ctx context.Context, dataDir string, w io.Writer) (int64, error) {
	dataDir, err := dataDirOrDefault(dataDir)
	if err != nil {
		return 0, err
	}
	st, err := store.OpenReadOnly(dataDir, store.Options{LockTimeout: 300 * time.Millisecond})
	if err == nil {
		defer st.Close()
		return st.Backup(w)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("no data in %s: is this the right -data? (webinarsync has not run with it yet)", dataDir)
	}
	if !errors.Is(err, store.ErrLocked) {
		return 0, fmt.Errorf("opening %s: %w", dataDir, err)
	}
	in, ierr := readInstance(dataDir)
	if ierr != nil {
		return 0, fmt.Errorf("the database in %s is in use, and no running webinarsync says where it is: %w", dataDir, ierr)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, in.UIURL+"backup", nil)
	if err != nil {
		return 0, fmt.Errorf("asking the running app: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("asking the running app at %s for a backup: %w", in.UIURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("the running app at %s answered %s to a backup (is it an older version? stop it and run the backup again)", in.UIURL, resp.Status)
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("copying the backup from the running app: %w", err)
	}
	return n, nil
}

// Restore replaces the database in dataDir with the backup at file; see
// store.Restore. It refuses while a webinarsync runs with dataDir.
func Restore(dataDir, file string) (keptAside string, err error) {
	dataDir, err = dataDirOrDefault(dataDir)
	if err != nil {
		return "", err
	}
	return store.Restore(dataDir, file, time.Now())
}

func dataDirOrDefault(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return DefaultDataDir(false)
}

// Erase erases the person with the e-mail address email from the database
// in dataDir ("" = DefaultDataDir) and compacts the file; see
// store.ErasePerson. While the app runs it holds the database, so Erase
// then asks the running app over its loopback UI (POST /api/erase), as
// Backup does. When the erasure is done but the compaction is not, it
// returns the counts with an error wrapping store.ErrNotCompacted.
func Erase(ctx context.Context, dataDir, email string) (store.Erasure, error) {
	addr, err := store.NormalizeAddress(email)
	if err != nil {
		return store.Erasure{}, err
	}
	dataDir, err = dataDirOrDefault(dataDir)
	if err != nil {
		return store.Erasure{}, err
	}
	if _, err := os.Stat(filepath.Join(dataDir, store.FileName)); errors.Is(err, fs.ErrNotExist) {
		return store.Erasure{}, fmt.Errorf("no data in %s: is this the right -data? (webinarsync has not run with it yet)", dataDir)
	}
	// Warnings only: the command prints what it did.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := store.Open(dataDir, store.Options{LockTimeout: 300 * time.Millisecond, Logger: log})
	if err == nil {
		er, eerr := st.ErasePerson(ctx, addr)
		return er, errors.Join(eerr, st.Close())
	}
	if !errors.Is(err, store.ErrLocked) {
		return store.Erasure{}, fmt.Errorf("opening %s: %w", dataDir, err)
	}
	in, ierr := readInstance(dataDir)
	if ierr != nil {
		return store.Erasure{}, fmt.Errorf("the database in %s is in use, and no running webinarsync says where it is: %w", dataDir, ierr)
	}
	form := url.Values{"email": {addr}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.UIURL+"api/erase", strings.NewReader(form.Encode()))
	if err != nil {
		return store.Erasure{}, fmt.Errorf("asking the running app: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return store.Erasure{}, fmt.Errorf("asking the running app at %s to erase: %w", in.UIURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&e) == nil && e.Error != "" {
			return store.Erasure{}, fmt.Errorf("the running app at %s did not erase: %s", in.UIURL, e.Error)
		}
		return store.Erasure{}, fmt.Errorf("the running app at %s answered %s to an erasure (is it an older version? stop it and run the erasure again)", in.UIURL, resp.Status)
	}
	var er store.Erasure
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&er); err != nil {
		return store.Erasure{}, fmt.Errorf("reading the running app's answer: %w", err)
	}
	if er.Found() && !er.Compacted {
		return er, fmt.Errorf("%w (the running app could not rewrite the file just now)", store.ErrNotCompacted)
	}
	return er, nil
}
