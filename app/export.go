package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"time"

	"webinarsync/store"
)

// Export formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Export writes the registrants CSV (one webinar, or all when webinarKey is
// "") to w. It is ExportRegistrants in CSV without the count.
func Export(ctx context.Context, dataDir, webinarKey string, w io.Writer) error {
	_, err := ExportRegistrants(ctx, dataDir, webinarKey, FormatCSV, w)
	return err
}

// ExportRegistrants writes the registrants (one webinar, or all when
// webinarKey is "") as format (FormatCSV or FormatXLSX) to w and says how
// many it wrote; -1 when that is unknown (an XLSX from the running app).
// While the app runs it holds the database, so the export then asks the
// running app over its loopback UI instead of waiting for the lock.
func ExportRegistrants(ctx context.Context, dataDir, webinarKey, format string, w io.Writer) (int, error) {
	if format != FormatCSV && format != FormatXLSX {
		return 0, fmt.Errorf("unknown export format %q: use csv or xlsx", format)
	}
	if dataDir == "" {
		dir, err := DefaultDataDir(false)
		if err != nil {
			return 0, err
		}
		dataDir = dir
	}
	st, err := store.OpenReadOnly(dataDir, store.Options{LockTimeout: 300 * time.Millisecond})
	if err == nil {
		defer st.Close()
		n, err := st.ExportRegistrants(w, webinarKey, store.RegistrantQuery{}, format == FormatXLSX)
		if errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("no webinar with key %s in %s: run without -webinar to export every webinar", webinarKey, dataDir)
		}
		if err != nil {
			return 0, fmt.Errorf("exporting from %s: %w", dataDir, err)
		}
		return n, nil
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
	return exportFromRunningApp(ctx, in.UIURL, webinarKey, format, w)
}

func exportFromRunningApp(ctx context.Context, uiURL, webinarKey, format string, w io.Writer) (int, error) {
	u := uiURL + "registrants." + format
	if webinarKey != "" {
		u = uiURL + "webinars/" + url.PathEscape(webinarKey) + "/registrants." + format
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, fmt.Errorf("asking the running app: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("asking the running app at %s: %w", uiURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return 0, fmt.Errorf("no webinar with key %s: run without -webinar to export every webinar: %w", webinarKey, store.ErrNotFound)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("the running app at %s answered %s", uiURL, resp.Status)
	}
	if format == FormatXLSX {
		if _, err := io.Copy(w, resp.Body); err != nil {
			return 0, fmt.Errorf("copying the XLSX from the running app: %w", err)
		}
		return -1, nil
	}
	// Count the records as they pass (a cell may hold line breaks).
	pr, pw := io.Pipe()
	counted := make(chan int, 1)
	go func() {
		n := 0
		r := csv.NewReader(bufio.NewReader(pr))
		r.FieldsPerRecord = -1
		for {
			if _, err := r.Read(); err != nil {
				_, _ = io.Copy(io.Discard, pr)
				break
			}
			n++
		}
		counted <- max(n-1, 0) // the header
	}()
	_, err = io.Copy(w, io.TeeReader(resp.Body, pw))
	pw.Close()
	n := <-counted
	if err != nil {
		return 0, fmt.Errorf("copying the CSV from the running app: %w", err)
	}
	return n, nil
}
