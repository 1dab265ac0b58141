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

// cellKind is how a column's values are typed in a spreadsheet. The CSV
// writes them all as text; the XLSX keeps the type, so keys and phone
// numbers stay exact text, dates sort as dates and counts add up.
type cellKind uint8

const (
	textCell   cellKind = iota // keys, names, phone numbers, answers
	timeCell                   // zero time: empty
	numberCell                 // unknown: empty
	boolCell
)

// exportColumn is one column of an export: its header and its type.
type exportColumn struct {
	name string
	kind cellKind
}

// cell is one value of a row, read as its column's kind says; set is false
// for an unknown number (empty, not 0).
type cell struct {
	text string
	time time.Time
	num  int64
	b    bool
	set  bool
}

// registrantColumns are the registrant columns, named as in the GoTo event,
// in the order of the CSV contract (joined and firstJoinTime before the
// attendance detail); custom questions follow them.
func registrantColumns() []exportColumn {
	cols := []exportColumn{{"registrantKey", textCell}}
	for _, f := range new(gotowebinar.Profile).Fields() {
		cols = append(cols, exportColumn{f.Name, textCell})
	}
	return append(cols,
		exportColumn{"status", textCell}, exportColumn{"registrationDate", timeCell}, exportColumn{"registrationSource", textCell},
		exportColumn{"joinUrl", textCell}, exportColumn{"joined", boolCell}, exportColumn{"firstJoinTime", timeCell},
		exportColumn{"attended", boolCell}, exportColumn{"attendanceTimeInSeconds", numberCell},
		exportColumn{"attendanceSource", textCell}, exportColumn{"joinTime", timeCell}, exportColumn{"leaveTime", timeCell})
}

// NoShowsQuery selects the no-shows of a session ("" for any session):
// approved registrants who did not attend. Cancelled, waiting and denied
// registrants never were expected, so a "sorry we missed you" mailing must
// not reach them; status, when not "", lists those of another status instead.
func NoShowsQuery(session, search, status string) RegistrantQuery {
	return RegistrantQuery{NotJoined: true, Session: session, Search: search, Status: cmp.Or(status, StatusApproved)}
}

// StatusApproved is the registrant status of people expected to attend.
const StatusApproved = "APPROVED"

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
	return s.viewRegistrantTable(webinarKey, q, "csv", func(t *registrantTable) error { return writeCSV(w, t.columns, t.rows) })
}

// registrantTable is an export's columns and its rows' source, valid in
// the read transaction that built it. CSV and XLSX both write it, so the
// two formats have one list of columns.
type registrantTable struct {
	columns   []exportColumn
	all       bool // all webinars: rows start with webinarKey, webinarTitle
	questions []string
	sources   []*csvSource
}

// viewRegistrantTable builds the table of the registrants q selects (of one
// webinar, or all when webinarKey is "") in one read transaction and hands
// it to write; format only names the export in errors.
func (s *Store) viewRegistrantTable(webinarKey string, q RegistrantQuery, format string, write func(*registrantTable) error) error {
	f := csvFilter{
		search:    strings.ToLower(strings.TrimSpace(q.Search)),
		status:    strings.TrimSpace(q.Status),
		notJoined: q.NotJoined,
		session:   q.Session,
	}
	err := s.view(func(tx *bolt.Tx) error {
		t := &registrantTable{all: webinarKey == ""}
		var err error
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
				if t.questions, err = decodeStrings(data.Get([]byte(keyQuestions))); err != nil {
					return fmt.Errorf("questions: %w", err)
				}
				if t.sources, err = appendSource(t.sources, wb, data, f); err != nil {
					return err
				}
			}
		} else if meta, webinars := tx.Bucket([]byte(bucketMeta)), tx.Bucket([]byte(bucketWebinars)); meta != nil && webinars != nil {
			// (Both are nil in a database no writer has opened yet: header only.)
			if t.questions, err = decodeStrings(meta.Get([]byte(metaQuestions))); err != nil {
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
				t.sources, err = appendSource(t.sources, wb, data, f)
				return err
			})
			if err != nil {
				return err
			}
		}
		if t.all {
			t.columns = []exportColumn{{"webinarKey", textCell}, {"webinarTitle", textCell}}
		}
		t.columns = append(t.columns, registrantColumns()...)
		for _, q := range t.questions {
			t.columns = append(t.columns, exportColumn{q, textCell})
		}
		return write(t)
	})
	if err != nil {
		return fmt.Errorf("store: export %s %s: %w", format, cmp.Or(webinarKey, "(all webinars)"), err)
	}
	return nil
}

// rows calls fn with each row, in registration-date order over all
// webinars. The row is reused: fn must not keep it.
func (t *registrantTable) rows(fn func(row []cell) error) error {
	h := sourceHeap(t.sources)
	heap.Init(&h)
	row := make([]cell, len(t.columns))
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
		fillRow(row, t.all, src.webinar, &r.Registrant, t.questions)
		if err := fn(row); err != nil {
			return err
		}
		src.advance(&h)
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

// utf8BOM starts every CSV: without it Excel reads the file as the
// system's legacy code page and garbles every name with an accent.
const utf8BOM = "\ufeff"

// rowSource calls fn with each row of a table; fn must not keep the row.
type rowSource func(fn func(row []cell) error) error

// writeCSV writes a table as CSV: every cell as text, formulas neutralized.
func writeCSV(w io.Writer, columns []exportColumn, rows rowSource) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(utf8BOM); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(bw) // reuses bw: it is already buffered
	line := make([]string, len(columns))
	for i, c := range columns {
		line[i] = neutralize(c.name) // custom questions are typed by organizers
	}
	if err := cw.Write(line); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	err := rows(func(row []cell) error {
		for i, c := range row {
			line[i] = neutralize(c.csv(columns[i].kind))
		}
		return cw.Write(line)
	})
	if err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return bw.Flush()
}

// csv is the cell as CSV text.
func (c cell) csv(kind cellKind) string {
	switch kind {
	case timeCell:
		return csvTime(c.time)
	case numberCell:
		if !c.set {
			return ""
		}
		return strconv.FormatInt(c.num, 10)
	case boolCell:
		return strconv.FormatBool(c.b)
	}
	return c.text
}

// advance moves src, the heap's top, to its next registrant.
func (src *csvSource) advance(h *sourceHeap) {
	if src.key, src.value = src.cursor.Next(); src.key == nil {
		heap.Pop(h)
	} else {
		heap.Fix(h, 0)
	}
}

// fillRow fills row with r's cells in registrantTable's column order.
func fillRow(row []cell, all bool, w Webinar, r *Registrant, questions []string) {
	i := 0
	put := func(c cell) {
		row[i] = c
		i++
	}
	text := func(s string) { put(cell{text: s}) }
	at := func(t time.Time) { put(cell{time: t}) }
	if all {
		text(w.WebinarKey)
		text(w.Title)
	}
	text(r.RegistrantKey)
	for _, f := range r.Profile.Fields() {
		text(*f.Value)
	}
	a := attendanceOf(r)
	text(r.Status)
	at(r.RegistrationDate)
	text(r.RegistrationSource)
	text(r.JoinURL)
	put(cell{b: a.attended})
	at(a.firstJoin)
	put(cell{b: a.attended})
	put(cell{num: r.AttendanceTimeInSeconds, set: r.Attended})
	text(a.source)
	at(r.JoinTime)
	at(r.LeaveTime)
	for _, q := range questions {
		answer := ""
		for _, resp := range r.Responses {
			if resp.Question == q {
				answer = resp.Answer()
				break
			}
		}
		text(answer)
	}
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// neutralize prefixes a quote to a cell a spreadsheet would read as a
// formula (OWASP's CSV injection advice), so registrant-typed text stays
// text. Spreadsheets skip leading blanks before a formula (" =1+1",
// "\n@SUM(…)"), so the first character that is not one decides; a leading
// tab or CR is guarded on its own, as OWASP lists them.
func neutralize(s string) string {
	if s == "" {
		return s
	}
	if s[0] == '\t' || s[0] == '\r' {
		return "'" + s
	}
	if t := strings.TrimLeft(s, " \t\r\n\v\f\u00a0\u3000"); t != "" && strings.IndexByte("=+-@", t[0]) >= 0 {
		return "'" + s
	}
	return s
}
