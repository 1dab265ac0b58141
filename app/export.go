package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"webinarsync/store"
)

// Export writes the registrants CSV (one webinar, or all when webinarKey is
// "") to w. While the app runs it holds the database, so Export then asks
// the running app over its loopback UI instead of waiting for the lock.
func Export(ctx context.Context, dataDir, webinarKey string, w io.Writer) error {
	if dataDir == "" {
		dir, err := DefaultDataDir(false)
		if err != nil {
			return err
		}
		dataDir = dir
	}
	st, err := store.OpenReadOnly(dataDir, store.Options{LockTimeout: 300 * time.Millisecond})
	if err == nil {
		defer st.Close()
		if err := st.ExportCSV(w, webinarKey); err != nil {
			return fmt.Errorf("exporting from %s: %w", dataDir, err)
		}
		return nil
	}
	if !errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("opening %s: %w", dataDir, err)
	}
	in, ierr := readInstance(dataDir)
	if ierr != nil {
		return fmt.Errorf("the database in %s is in use, and no running webinarsync says where it is: %w", dataDir, ierr)
	}
	return exportFromRunningApp(ctx, in.UIURL, webinarKey, w)
}

func exportFromRunningApp(ctx context.Context, uiURL, webinarKey string, w io.Writer) error {
	u := uiURL + "registrants.csv"
	if webinarKey != "" {
		u = uiURL + "webinars/" + url.PathEscape(webinarKey) + "/registrants.csv"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("asking the running app: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("asking the running app at %s: %w", uiURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("no webinar with key %s: %w", webinarKey, store.ErrNotFound)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the running app at %s answered %s", uiURL, resp.Status)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("copying the CSV from the running app: %w", err)
	}
	return nil
}
