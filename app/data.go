package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
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
