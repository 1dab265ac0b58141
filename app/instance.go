package app

import (
	"encoding/json"
	"errors"
	"fmt"
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

// ErrAlreadyRunning is returned when another webinarsync holds the data dir.
var ErrAlreadyRunning = errors.New("webinarsync is already running")

// lockedError says which process holds the data dir, and where its UI is.
func lockedError(dir string, cause error) error {
	in, err := readInstance(dir)
	if err != nil {
		return fmt.Errorf("%w with data dir %s; stop it first or use another -data dir: %w", ErrAlreadyRunning, dir, cause)
	}
	return fmt.Errorf("%w with data dir %s (process %d, UI at %s); stop it first or use another -data dir: %w",
		ErrAlreadyRunning, dir, in.PID, in.UIURL, cause)
}
