package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/record"
)

// ProviderGoTo is GoTo Webinar, the first provider: its deliveries come
// through PutEvent, and its keys are stored bare, as every database written
// before a second provider has them, so nothing needs migrating.
const ProviderGoTo = "goto"

// ProviderEvent is a verified delivery from a provider other than GoTo
// (RingCentral Webinar), as the store takes it: provider-neutral, stored
// once per the provider's own id of the delivery, its body byte for byte.
type ProviderEvent struct {
	Provider     string // e.g. "ringcentral"; never ProviderGoTo
	ID           string // the provider's id of this delivery (RingCentral's uuid)
	Name         string // what happened, in the provider's words (RingCentral's event filter)
	WebinarID    string // the provider's id of the webinar it is about; "" if none
	Raw          []byte // the body as received
	ReceivedAt   time.Time
	ForwardedFor string
	// Join, when set, is what the delivery tells of someone joining a
	// session (RingCentral's participants, polled): the views take it
	// (applied from the log record, so a restart after a crash does too).
	Join *record.Join
}

// ProviderKey namespaces a provider's id (of a webinar, a registrant or a
// delivery) so that it can never equal another provider's: GoTo's stay
// bare (digits, or GoTo's eventKeys), every other provider's carry its name
// and a colon, which no GoTo key has.
func ProviderKey(provider, id string) string {
	if provider == "" || provider == ProviderGoTo {
		return id
	}
	return provider + ":" + id
}

// ProviderOf is the provider a namespaced key belongs to.
func ProviderOf(key string) string {
	if p, _, ok := strings.Cut(key, ":"); ok && p != "" && !strings.ContainsAny(p, "/?#") {
		return p
	}
	return ProviderGoTo
}

// PutProviderEvent stores a verified delivery from another provider
// durably (fsynced before it returns), once per provider and ID; stored is
// false for a redelivery. It shares commits with GoTo's deliveries and is
// in the log, the event log page, backups, retention and erasure like
// them. The views take its Join, if any; what else it says about
// webinars and registrants reaches them through the provider's catch-up,
// since RingCentral's bodies are undocumented hints.
func (s *Store) PutProviderEvent(ctx context.Context, e *ProviderEvent) (stored bool, err error) {
	switch {
	case e == nil:
		return false, errors.New("store: put provider event: nil event")
	case e.Provider == "" || e.Provider == ProviderGoTo || strings.ContainsAny(e.Provider, ":/?#"):
		return false, fmt.Errorf("store: put provider event: %q is not another provider's name", e.Provider)
	case e.ID == "":
		return false, fmt.Errorf("store: put %s event %q: no id", e.Provider, e.Name)
	case s.writer == nil:
		return false, fmt.Errorf("store: put %s event %s: the store is open read-only", e.Provider, e.ID)
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("store: put %s event %s: %w", e.Provider, e.ID, err)
	}
	receivedAt := storableTime(e.ReceivedAt)
	if receivedAt.IsZero() {
		receivedAt = time.Now().UTC()
	}
	key := ProviderKey(e.Provider, e.ID)
	var entry LogEntry
	err = s.writer.do(func(tx *bolt.Tx) error {
		stored, entry = false, LogEntry{}
		var err error
		entry, stored, err = putLogTx(tx, LogEntry{
			Provider:     e.Provider,
			EventKey:     key,
			EventName:    e.Name,
			WebinarKey:   providerWebinarKey(e),
			ReceivedAt:   receivedAt,
			ForwardedFor: e.ForwardedFor,
			Raw:          e.Raw,
			Join:         e.Join,
		})
		if err == nil && stored {
			err = enqueueIfForwarding(tx, entry.Seq, receivedAt)
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: put %s event %s: %w", e.Provider, e.ID, err)
	}
	if stored {
		s.views.acknowledged(entry.Seq, nil) // the applier indexes its name only
		s.publish(entry)
	}
	return stored, nil
}

func providerWebinarKey(e *ProviderEvent) string {
	if e.WebinarID == "" {
		return ""
	}
	return ProviderKey(e.Provider, e.WebinarID)
}
