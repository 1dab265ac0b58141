package store

// TEMPORARY: signatures only, so ui/ and main can compile while store is
// being written. The store implementation replaces this file.

import (
	"context"
	"io"
	"log/slog"
	"time"

	"webinarsync/gotowebinar"
)

// Options tune Open. The zero value is what the app uses.
type Options struct {
	LockTimeout   time.Duration // how long to wait for another process's lock; 0 = 1s
	MaxBatchDelay time.Duration // bbolt batch window; 0 = bbolt's default
	MaxBatchSize  int           // 0 = bbolt's default
	Logger        *slog.Logger  // nil = slog.Default()
}

// Store is the open database.
type Store struct{}

// Open opens (creating if needed) dir/webinarsync.db. dir is created 0700,
// the file 0600. When another process holds the lock, Open fails within
// LockTimeout with an error wrapping ErrLocked that names dir.
func Open(dir string, opt Options) (*Store, error) { panic("unimplemented") }

// OpenReadOnly opens an existing database for reading, failing with
// ErrLocked (within LockTimeout) while a writer holds it.
func OpenReadOnly(dir string, opt Options) (*Store, error) { panic("unimplemented") }

// Close closes the database.
func (s *Store) Close() error { panic("unimplemented") }

// Dir is the data dir.
func (s *Store) Dir() string { panic("unimplemented") }

// PutEvent stores a verified delivery durably (fsynced before it returns),
// once per EventKey. stored is false for a redelivery, which changes
// nothing. Concurrent calls share commits through bbolt's Batch.
func (s *Store) PutEvent(ctx context.Context, d *gotowebinar.Delivery) (stored bool, err error) {
	panic("unimplemented")
}

// Webinars lists every known webinar, soonest-starting last-first (newest start first).
func (s *Store) Webinars() ([]Webinar, error) { panic("unimplemented") }

// Webinar returns one webinar or ErrNotFound.
func (s *Store) Webinar(webinarKey string) (Webinar, error) { panic("unimplemented") }

// Registrants returns one page of a webinar's registrants and how many match in all.
func (s *Store) Registrants(webinarKey string, q RegistrantQuery) (page []Registrant, total int, err error) {
	panic("unimplemented")
}

// Registrant returns one registrant or ErrNotFound.
func (s *Store) Registrant(webinarKey, registrantKey string) (Registrant, error) {
	panic("unimplemented")
}

// Statuses lists the distinct registrant statuses seen for a webinar.
func (s *Store) Statuses(webinarKey string) ([]string, error) { panic("unimplemented") }

// Questions lists a webinar's custom question texts in first-seen order.
func (s *Store) Questions(webinarKey string) ([]string, error) { panic("unimplemented") }

// Joins lists a webinar's joins, newest first, at most limit (0 = all).
func (s *Store) Joins(webinarKey string, limit int) ([]Join, error) { panic("unimplemented") }

// Events returns one page of the event log, newest first.
func (s *Store) Events(q EventQuery) ([]LogEntry, error) { panic("unimplemented") }

// Event returns one log entry by Seq or ErrNotFound.
func (s *Store) Event(seq uint64) (LogEntry, error) { panic("unimplemented") }

// EventNames lists the distinct eventNames in the log.
func (s *Store) EventNames() ([]string, error) { panic("unimplemented") }

// Counts returns totals.
func (s *Store) Counts() (Counts, error) { panic("unimplemented") }

// LastDelivery is when the newest stored delivery arrived (zero if none).
func (s *Store) LastDelivery() (time.Time, error) { panic("unimplemented") }

// ExportCSV streams the registrants of one webinar (or all webinars when
// webinarKey is "") as CSV from one read transaction.
func (s *Store) ExportCSV(w io.Writer, webinarKey string) error { panic("unimplemented") }

// AddSecretKey stores a webhook secret key (idempotent by ID).
func (s *Store) AddSecretKey(k SecretKey) error { panic("unimplemented") }

// SecretKeys lists stored secret keys, newest ValidFrom first. Served from
// memory: the receiver calls it on every delivery.
func (s *Store) SecretKeys() []SecretKey { panic("unimplemented") }

// Setting reads a setting ("" and no error when unset).
func (s *Store) Setting(name string) (string, error) { panic("unimplemented") }

// SetSetting writes a setting; "" deletes it.
func (s *Store) SetSetting(name, value string) error { panic("unimplemented") }
