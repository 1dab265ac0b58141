package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// instanceFile tells other webinarsync processes (a second start, the
// export subcommand) which process holds the data dir and where its UI is.
const instanceFile = "instance.json"

type instance struct {
	PID     int       `json:"pid"`
	UIURL   string    `json:"uiURL"`
	Started time.Time `json:"started"`
}

func (in instance) write(dir string) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encoding instance: %w", err)
	}
	tmp := filepath.Join(dir, instanceFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("writing instance file: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, instanceFile)); err != nil {
		return fmt.Errorf("writing instance file: %w", err)
	}
	return nil
}

func readInstance(dir string) (instance, error) {
	var in instance
	b, err := os.ReadFile(filepath.Join(dir, instanceFile))
	if err != nil {
		return in, fmt.Errorf("reading instance file: %w", err)
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return in, fmt.Errorf("reading instance file: %w", err)
	}
	return in, nil
}

func removeInstance(dir string) {
	_ = os.Remove(filepath.Join(dir, instanceFile))
}

// ErrAlreadyRunning is returned when another webinarsync holds the data dir
// or the UI's address; errors.As gives the *AlreadyRunningError.
var ErrAlreadyRunning = errors.New("webinarsync is already running")

// AlreadyRunningError says which webinarsync is in the way and where its
// UI is, so main can open that one instead of failing.
type AlreadyRunningError struct {
	DataDir string // the data dir it holds, "" when only the address clashed
	PID     int    // 0 when unknown
	UIURL   string // "" when unknown
	Cause   error
	// Addr and OtherDataDir are set when the running webinarsync serves the
	// UI's address with another data dir than this start's, OtherDataDir:
	// it is another instance, not the one to open; DataDir is its data dir
	// ("" when it does not say).
	Addr, OtherDataDir string
}

func (e *AlreadyRunningError) Error() string {
	if e.OtherDataDir != "" {
		theirs := "another data dir"
		if e.DataDir != "" {
			theirs = "data dir " + e.DataDir
		}
		return fmt.Sprintf("%s on %s with %s, not %s: stop it or use another -addr",
			ErrAlreadyRunning.Error(), e.Addr, theirs, e.OtherDataDir)
	}
	msg := ErrAlreadyRunning.Error()
	if e.DataDir != "" {
		msg += " with data dir " + e.DataDir
	}
	switch {
	case e.PID != 0 && e.UIURL != "":
		msg += fmt.Sprintf(" (process %d, UI at %s)", e.PID, e.UIURL)
	case e.UIURL != "":
		msg += " (UI at " + e.UIURL + ")"
	}
	msg += "; stop it first or use another -data dir and -addr"
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

func (e *AlreadyRunningError) Is(target error) bool { return target == ErrAlreadyRunning }
func (e *AlreadyRunningError) Unwrap() error        { return e.Cause }

// lockedError says which process holds the data dir, and where its UI is.
func lockedError(dir string, cause error) error {
	e := &AlreadyRunningError{DataDir: dir, Cause: cause}
	if in, err := readInstance(dir); err == nil {
		e.PID, e.UIURL = in.PID, in.UIURL
	}
	return e
}

// anotherInstance is the error for a start whose UI address is taken by a
// webinarsync at uiURL while this start's data dir, dataDir, opened: the
// running one holds another data dir (it would hold ours locked), so
// opening its UI would show other data.
func anotherInstance(addr, uiURL, theirDir, dataDir string, cause error) *AlreadyRunningError {
	if abs, err := filepath.Abs(dataDir); err == nil {
		dataDir = abs
	}
	return &AlreadyRunningError{DataDir: theirDir, UIURL: uiURL, Cause: cause, Addr: addr, OtherDataDir: dataDir}
}

// webinarsyncAt reports whether the UI address is served by a webinarsync
// (its status API answers), so a second start can send the organizer there,
// and the data dir it says it uses ("" when it does not say).
func webinarsyncAt(ctx context.Context, addr string) (uiURL, dataDir string, ok bool) {
	uiURL = "http://" + addr + "/"
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uiURL+"api/status", nil)
	if err != nil {
		return "", "", false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", false
	}
	defer resp.Body.Close()
	var st struct {
		Login   json.RawMessage `json:"login"`
		Tunnel  json.RawMessage `json:"tunnel"`
		DataDir string          `json:"dataDir"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st) != nil ||
		st.Login == nil || st.Tunnel == nil {
		return "", "", false
	}
	return uiURL, st.DataDir, true
}
