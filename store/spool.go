package store

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// spool runs write (which reads in one bbolt transaction) against a
// temporary file in the data dir, and copies the file to w only once the
// transaction is over. A reader that stalls (a paused download,
// `webinarsync export | less`) must not hold a read transaction open: bbolt
// then cannot grow the file, so deliveries would wait, and Close would hang.
// Memory stays constant; the file is readable by its owner only and removed.
func (s *Store) spool(w io.Writer, write func(io.Writer) error) error {
	f, err := os.CreateTemp(s.dir, ".export-*.csv")
	if err != nil {
		return fmt.Errorf("store: export: temporary file: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("store: export: writing temporary file: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("store: export: rewinding temporary file: %w", err)
	}
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("store: export: sending: %w", err)
	}
	return nil
}
