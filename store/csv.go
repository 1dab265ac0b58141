package store

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
)

// registrantColumns are the registrant columns, named as in the GoTo event.
func registrantColumns() []string {
	cols := []string{"registrantKey"}
	for _, f := range new(gotowebinar.Profile).Fields() {
		cols = append(cols, f.Name)
	}
	return append(cols, "status", "registrationDate", "registrationSource", "joinUrl", "joined", "firstJoinTime",
		"attended", "attendanceTimeInSeconds", "joinTime", "leaveTime")
}

// ExportCSV streams the registrants of one webinar (or all webinars when
// webinarKey is "") as CSV from one read transaction.
// Rows are in registration-date order; memory use does not grow with the
// number of registrants (one index cursor per webinar).
func (s *Store) ExportCSV(w io.Writer, webinarKey string) error {
	return s.ExportFilteredCSV(w, webinarKey, RegistrantQuery{})
}

// ExportFilteredCSV is ExportCSV keeping only the registrants q selects by
// Search, Status, NotJoined and Session, as Registrants does (the no-shows
// download); Sort, Offset and Limit do not apply. Columns stay the same.
func (s *Store) ExportFilteredCSV(w io.Writer, webinarKey string, q RegistrantQuery) error {
	return s.spool(w, func(w io.Writer) error { return s.exportFilteredCSV(w, webinarKey, q) })
}

func (s *Store) exportFilteredCSV(w io.Writer, webinarKey string, q RegistrantQuery) error {
	f := csvFilter{
		search:    strings.ToLower(strings.TrimSpace(q.Search)),
		status:    strings.TrimSpace(q.Status),
		notJoined: q.NotJoined,
		session:   q.Session,
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		var (
			sources   []*csvSource
			questions []string
			err       error
		)
		if webinarKey != "" {
			wb, found, err := getWebinar(tx, webinarKey)
			if err != nil {
				return err
			}
			if !found {
				return ErrNotFound
			}
			data, _ := webinarData(tx, webinarKey, false)
			if data != nil {
				if questions, err = decodeStrings(data.Get([]byte(keyQuestions))); err != nil {
					return fmt.Errorf("questions: %w", err)
				}
				if sources, err = appendSource(sources, wb, data, f); err != nil {
					return err
				}
			}
		} else {
			meta, webinars := tx.Bucket([]byte(bucketMeta)), tx.Bucket([]byte(bucketWebinars))
			if meta == nil || webinars == nil { // a database no writer has opened yet
				return writeCSV(w, true, nil, nil)
			}
			if questions, err = decodeStrings(meta.Get([]byte(metaQuestions))); err != nil {
				return fmt.Errorf("questions: %w", err)
			}
			err = webinars.ForEach(func(k, v []byte) error {
				var wb Webinar
				if err := json.Unmarshal(v, &wb); err != nil {
					return fmt.Errorf("decode webinar %s: %w", k, err)
				}
				data, _ := webinarData(tx, wb.WebinarKey, false)
				if data == nil {
					return nil
				}
				var err error
				sources, err = appendSource(sources, wb, data, f)
				return err
			})
			if err != nil {
				return err
			}
		}
		return writeCSV(w, webinarKey == "", questions, sources)
	})
	if err != nil {
		return fmt.Errorf("store: export csv %s: %w", cmp.Or(webinarKey, "(all webinars)"), err)
	}
	return nil
}

// csvFilter is the part of a RegistrantQuery an export applies.
type csvFilter struct {
	search, status string // search lower-cased
	notJoined      bool
	session        string
}

// csvSource walks one webinar's registration-date index.
type csvSource struct {
	webinar Webinar
	regs    *bolt.Bucket
	cursor  *bolt.Cursor
	key     []byte // current index key; nil when done
	value   []byte // current index entry's searchText
	filter  csvFilter
	joined  map[string]bool // with filter.notJoined: registrants to leave out
}

func appendSource(sources []*csvSource, w Webinar, data *bolt.Bucket, f csvFilter) ([]*csvSource, error) {
	regs, index := data.Bucket([]byte(subRegistrants)), data.Bucket([]byte(subByRegDate))
	if regs == nil || index == nil {
		return sources, nil
	}
	src := &csvSource{webinar: w, regs: regs, cursor: index.Cursor(), filter: f}
	if f.notJoined {
		var err error
		if src.joined, err = joinedRegistrants(data, f.session); err != nil {
			return nil, err
		}
	}
	if src.key, src.value = src.cursor.First(); src.key == nil {
		return sources, nil
	}
	return append(sources, src), nil
}

// keep reports whether the current registrant passes the filter.
func (src *csvSource) keep() bool {
	return matchesSearchText(src.value, src.filter.search, src.filter.status) && !src.joined[string(src.key[8:])]
}

// sourceHeap merges the webinars' indexes into one registration-date order.
type sourceHeap []*csvSource

func (h sourceHeap) Len() int { return len(h) }
func (h sourceHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].key, h[j].key); c != 0 {
		return c < 0
	}
	return h[i].webinar.WebinarKey < h[j].webinar.WebinarKey
}
func (h sourceHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *sourceHeap) Push(x any)   { *h = append(*h, x.(*csvSource)) }
func (h *sourceHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func writeCSV(w io.Writer, all bool, questions []string, sources []*csvSource) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw) // reuses bw: it is already buffered
	var header []string
	if all {
		header = append(header, "webinarKey", "webinarTitle")
	}
	header = append(header, registrantColumns()...)
	for _, q := range questions {
		header = append(header, neutralize(q))
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}

	h := sourceHeap(sources)
	heap.Init(&h)
	row := make([]string, len(header))
	for h.Len() > 0 {
		src := h[0]
		if !src.keep() {
			src.advance(&h)
			continue
		}
		regKey := src.key[8:]
		v := src.regs.Get(regKey)
		if v == nil {
			return fmt.Errorf("registrant %s of %s indexed but missing", regKey, src.webinar.WebinarKey)
		}
		r, err := decodeRegistrant(v)
		if err != nil {
			return fmt.Errorf("registrant %s: %w", regKey, err)
		}
		fillRow(row, all, src.webinar, &r.Registrant, questions)
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
		src.advance(&h)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// advance moves src, the heap's top, to its next registrant.
func (src *csvSource) advance(h *sourceHeap) {
	if src.key, src.value = src.cursor.Next(); src.key == nil {
		heap.Pop(h)
	} else {
		heap.Fix(h, 0)
	}
}

func fillRow(row []string, all bool, w Webinar, r *Registrant, questions []string) {
	i := 0
	put := func(s string) {
		row[i] = neutralize(s)
		i++
	}
	if all {
		put(w.WebinarKey)
		put(w.Title)
	}
	put(r.RegistrantKey)
	for _, f := range r.Profile.Fields() {
		put(*f.Value)
	}
	for _, s := range []string{
		r.Status, csvTime(r.RegistrationDate), r.RegistrationSource, r.JoinURL,
		strconv.FormatBool(r.Joined()), csvTime(r.FirstJoinTime),
		strconv.FormatBool(r.Attended), attendanceSeconds(r), csvTime(r.JoinTime), csvTime(r.LeaveTime),
	} {
		put(s)
	}
	for _, q := range questions {
		answer := ""
		for _, resp := range r.Responses {
			if resp.Question == q {
				answer = resp.Answer()
				break
			}
		}
		put(answer)
	}
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// neutralize prefixes a quote to a cell a spreadsheet would read as a
// formula (OWASP's CSV injection advice), so registrant-typed text stays text.
func neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
