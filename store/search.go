package store

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Searches across webinars and the registrations-per-day count, both read
// from the registration-date index so no registrant record is decoded
// except the ones returned.

// PersonMatch is a registrant SearchPeople found, with the webinar they
// registered for.
type PersonMatch struct {
	Webinar    Webinar
	Registrant Registrant
}

// SearchPeople finds registrants of every webinar whose name, e-mail or
// organization contains query (any case), newest registration first
// within each webinar, webinars in Webinars' order. It returns up to limit
// of them and how many match in all.
func (s *Store) SearchPeople(query string, limit int) (matches []PersonMatch, total int, err error) {
	search := strings.ToLower(strings.TrimSpace(query))
	if search == "" {
		return nil, 0, nil
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	ws, err := s.Webinars()
	if err != nil {
		return nil, 0, err
	}
	err = s.view(func(tx *bolt.Tx) error {
		for _, w := range ws {
			data, _ := webinarData(tx, w.WebinarKey, false)
			if data == nil {
				continue
			}
			regs, index := data.Bucket([]byte(subRegistrants)), data.Bucket([]byte(subByRegDate))
			if regs == nil || index == nil {
				continue
			}
			c := index.Cursor()
			for k, v := c.Last(); k != nil; k, v = c.Prev() {
				if len(k) < 8 || !matchesSearchText(v, search, "") {
					continue
				}
				total++
				if len(matches) == limit {
					continue
				}
				rv := regs.Get(k[8:])
				if rv == nil {
					return fmt.Errorf("registrant %s of %s indexed but missing", k[8:], w.WebinarKey)
				}
				r, err := decodeRegistrant(rv)
				if err != nil {
					return fmt.Errorf("registrant %s of %s: %w", k[8:], w.WebinarKey, err)
				}
				matches = append(matches, PersonMatch{Webinar: w, Registrant: r.Registrant})
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: search people %q: %w", query, err)
	}
	return matches, total, nil
}

// DayCount is how many registered on one day.
type DayCount struct {
	Day   time.Time // midnight UTC
	Count int
}

// RegistrationsPerDay counts a webinar's registrations per UTC day, from
// the first day with one to the last, days without any included as 0.
// Registrants whose registration date is unknown are indexed by when we
// first heard of them and count on that day.
func (s *Store) RegistrationsPerDay(webinarKey string) ([]DayCount, error) {
	var out []DayCount
	err := s.viewWebinarData(webinarKey, func(data *bolt.Bucket) error {
		index := data.Bucket([]byte(subByRegDate))
		if index == nil {
			return nil
		}
		c := index.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) < 8 {
				continue
			}
			n := binary.BigEndian.Uint64(k[:8])
			if n == 0 || n == 1<<64-1 {
				continue // no usable time: not on any day
			}
			day := time.Unix(0, int64(n^1<<63)).UTC().Truncate(24 * time.Hour)
			if len(out) > 0 {
				last := out[len(out)-1].Day
				for d := last.AddDate(0, 0, 1); !d.After(day); d = d.AddDate(0, 0, 1) {
					if len(out) > 3660 { // ten years of days: a bad clock, stop padding
						break
					}
					out = append(out, DayCount{Day: d})
				}
			}
			if len(out) == 0 || !out[len(out)-1].Day.Equal(day) {
				out = append(out, DayCount{Day: day})
			}
			out[len(out)-1].Count++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: registrations per day of %s: %w", webinarKey, err)
	}
	return out, nil
}
