package store

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AddSecretKey stores a webhook secret key (idempotent by ID).
func (s *Store) AddSecretKey(k SecretKey) error {
	if k.ID == "" {
		return errors.New("store: add secret key: no id")
	}
	k.ValidFrom = k.ValidFrom.UTC()
	s.secretsMu.Lock()
	defer s.secretsMu.Unlock()
	if i := slices.IndexFunc(s.secrets, func(o SecretKey) bool { return o.ID == k.ID }); i >= 0 &&
		s.secrets[i].Value == k.Value && s.secrets[i].ValidFrom.Equal(k.ValidFrom) {
		return nil // already stored: no write, no fsync
	}
	v, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("store: add secret key %s: %w", k.ID, err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketSecrets)).Put([]byte(k.ID), v)
	})
	if err != nil {
		return fmt.Errorf("store: add secret key %s: %w", k.ID, err)
	}
	s.secrets = slices.DeleteFunc(slices.Clone(s.secrets), func(o SecretKey) bool { return o.ID == k.ID })
	s.secrets = append(s.secrets, k)
	sortSecrets(s.secrets)
	return nil
}

// SecretKeys lists stored secret keys, newest ValidFrom first. Served from
// memory: the receiver calls it on every delivery.
func (s *Store) SecretKeys() []SecretKey {
	s.secretsMu.RLock()
	defer s.secretsMu.RUnlock()
	return slices.Clone(s.secrets)
}

// KeyGrace is how long a superseded secret key is still accepted: GoTo
// retries a delivery for days, not weeks, and a key kept for ever is one
// more that an old leak could sign with.
const KeyGrace = 7 * 24 * time.Hour

// AcceptedSecretKeys are the keys a delivery may be signed with at now:
// every stored key but those superseded more than KeyGrace ago (a newer
// key has been valid for longer than that).
func (s *Store) AcceptedSecretKeys(now time.Time) []SecretKey {
	keys := s.SecretKeys() // newest first
	var retired time.Time  // keys valid from before this are superseded for good
	for _, k := range keys {
		if since := k.ValidFrom.Add(KeyGrace); since.Before(now) {
			retired = k.ValidFrom
			break
		}
	}
	return slices.DeleteFunc(keys, func(k SecretKey) bool { return k.ValidFrom.Before(retired) })
}

// RemoveSecretKey forgets a secret key: deliveries signed with it are
// refused from now on.
func (s *Store) RemoveSecretKey(id string) error {
	s.secretsMu.Lock()
	defer s.secretsMu.Unlock()
	err := s.update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketSecrets)).Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("store: remove secret key %s: %w", id, err)
	}
	s.secrets = slices.DeleteFunc(slices.Clone(s.secrets), func(o SecretKey) bool { return o.ID == id })
	return nil
}

func (s *Store) loadSecrets() error {
	var keys []SecretKey
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketSecrets))
		if b == nil {
			return nil
		}
		return b.ForEach(func(id, v []byte) error {
			var k SecretKey
			if err := json.Unmarshal(v, &k); err != nil {
				return fmt.Errorf("decode secret key %s: %w", id, err)
			}
			keys = append(keys, k)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("load secret keys: %w", err)
	}
	sortSecrets(keys)
	s.secretsMu.Lock()
	s.secrets = keys
	s.secretsMu.Unlock()
	return nil
}

func sortSecrets(keys []SecretKey) {
	slices.SortFunc(keys, func(a, b SecretKey) int {
		if c := b.ValidFrom.Compare(a.ValidFrom); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// Setting reads a setting ("" and no error when unset).
func (s *Store) Setting(name string) (string, error) {
	var v string
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte(bucketSettings)); b != nil && name != "" {
			v = string(b.Get([]byte(name)))
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", name, err)
	}
	return v, nil
}

// SetSetting writes a setting; "" deletes it.
func (s *Store) SetSetting(name, value string) error {
	if name == "" {
		return errors.New("store: set setting: no name")
	}
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketSettings))
		if value == "" {
			return b.Delete([]byte(name))
		}
		return b.Put([]byte(name), []byte(value))
	})
	if err != nil {
		return fmt.Errorf("store: set setting %s: %w", name, err)
	}
	return nil
}

// ErrUnreadableSetting: a setting kept as JSON no longer decodes.
var ErrUnreadableSetting = errors.New("the saved setting is unreadable")

// SettingJSON decodes the setting name into v. It reports false, leaving v
// alone, when the setting is unset.
func (s *Store) SettingJSON(name string, v any) (bool, error) {
	raw, err := s.Setting(name)
	if err != nil || raw == "" {
		return false, err
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return false, fmt.Errorf("store: setting %s: %w: %w", name, ErrUnreadableSetting, err)
	}
	return true, nil
}

// SetSettingJSON keeps v as the setting name, encoded as JSON.
func (s *Store) SetSettingJSON(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: set setting %s: %w", name, err)
	}
	return s.SetSetting(name, string(b))
}
