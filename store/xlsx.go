package store

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// ExportXLSX is ExportFilteredCSV as an Excel workbook: the same columns
// and rows (one row source), but typed cells: keys, phone numbers and
// answers as text (a 19-digit key would lose digits as a number), dates
// as date cells in UTC, counts as numbers, and a frozen header row. Text
// cells are never formulas, so no cell needs the CSV's quote prefix.
func (s *Store) ExportXLSX(w io.Writer, webinarKey string, q RegistrantQuery) error {
	return s.exportXLSX(w, "Registrants", func(fill func([]exportColumn, rowSource) error) error {
		return s.viewRegistrantTable(webinarKey, q, "xlsx", func(t *registrantTable) error { return fill(t.columns, t.rows) })
	})
}

// ExportAttendeesXLSX is ExportAttendeesCSV as an Excel workbook.
func (s *Store) ExportAttendeesXLSX(w io.Writer, webinarKey string) error {
	return s.exportXLSX(w, "Attendees", func(fill func([]exportColumn, rowSource) error) error {
		return s.viewAttendees(webinarKey, "xlsx", func(rows rowSource) error { return fill(attendeeColumns(), rows) })
	})
}

// exportXLSX builds a one-sheet workbook: view reads the table in one read
// transaction and hands it to fill, which streams the rows into excelize's
// stream writer. That writer keeps rows past a few MB in a temporary file
// (in the data dir, owner-only), so memory stays bounded and, as with the
// CSV's spool, the zip is written to w only after the transaction is over.
func (s *Store) exportXLSX(w io.Writer, sheet string, view func(fill func([]exportColumn, rowSource) error) error) error {
	f := excelize.NewFile(excelize.Options{TmpDir: s.dir})
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return fmt.Errorf("store: export xlsx: %w", err)
	}
	var sw *excelize.StreamWriter
	err := view(func(columns []exportColumn, rows rowSource) error {
		var err error
		sw, err = streamXLSX(f, sheet, columns, rows)
		return err
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("store: export xlsx: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("store: export xlsx: sending: %w", err)
	}
	return nil
}

// streamXLSX writes the header and rows to a new stream writer on sheet.
func streamXLSX(f *excelize.File, sheet string, columns []exportColumn, rows rowSource) (*excelize.StreamWriter, error) {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	// ISO order, unambiguous in every locale; the values are UTC.
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: new("yyyy-mm-dd hh:mm:ss")})
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	// Panes and widths must come before the first row.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	for i, c := range columns {
		width := 16.0
		if c.kind == timeCell {
			width = 20
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return nil, fmt.Errorf("xlsx: %w", err)
		}
	}
	values := make([]any, len(columns))
	for i, c := range columns {
		values[i] = excelize.Cell{StyleID: bold, Value: c.name}
	}
	if err := sw.SetRow("A1", values); err != nil {
		return nil, fmt.Errorf("xlsx: header: %w", err)
	}
	n := 1
	err = rows(func(row []cell) error {
		n++
		for i, c := range row {
			values[i] = xlsxValue(columns[i].kind, c, date)
		}
		ref, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(ref, values)
	})
	if err != nil {
		return nil, fmt.Errorf("xlsx: row %d: %w", n, err)
	}
	return sw, nil
}

// xlsxValue is a cell as excelize's stream writer types it; nil leaves the
// cell empty (unknown, not 0 or 1900-01-00).
func xlsxValue(kind cellKind, c cell, dateStyle int) any {
	switch kind {
	case timeCell:
		if c.time.IsZero() {
			return nil
		}
		return excelize.Cell{StyleID: dateStyle, Value: c.time.UTC()}
	case numberCell:
		if !c.set {
			return nil
		}
		return c.num
	case boolCell:
		return c.b
	}
	if c.text == "" {
		return nil
	}
	return c.text // an inline string: text, never a formula
}

// ExportRegistrants writes the registrants q selects (of one webinar, or
// all when webinarKey is "") as CSV or, with xlsx, as a workbook, and says
// how many registrants it wrote (for the command line's report).
func (s *Store) ExportRegistrants(w io.Writer, webinarKey string, q RegistrantQuery, xlsx bool) (int, error) {
	n := 0
	count := func(rows rowSource) rowSource {
		return func(fn func([]cell) error) error {
			return rows(func(row []cell) error { n++; return fn(row) })
		}
	}
	if xlsx {
		err := s.exportXLSX(w, "Registrants", func(fill func([]exportColumn, rowSource) error) error {
			return s.viewRegistrantTable(webinarKey, q, "xlsx", func(t *registrantTable) error { return fill(t.columns, count(t.rows)) })
		})
		return n, err
	}
	err := s.spool(w, func(w io.Writer) error {
		return s.viewRegistrantTable(webinarKey, q, "csv", func(t *registrantTable) error { return writeCSV(w, t.columns, count(t.rows)) })
	})
	return n, err
}
