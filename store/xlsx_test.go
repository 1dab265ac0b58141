package store

import (
	"bytes"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"webinarsync/gotowebinar"
)

// openXLSX reads an export back with excelize, as a spreadsheet would.
func openXLSX(t *testing.T, b []byte) (*excelize.File, string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f, f.GetSheetName(0)
}

func TestExportXLSX_TypedCellsSameColumnsFrozenHeader(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-1", webinarKey, "12345678901234567890", "2025-05-01T11:00:00+02:00",
			"firstName", "=HYPERLINK(\"http://evil\")", "phone", "+49 0301234", "zipCode", "01067",
			"responses", raw(`[["Role?","MULTIPLE_CHOICE",["Dev"]]]`)),
		joinedBody("ev-2", webinarKey, "12345678901234567890", "9", "2025-06-10T15:00:00Z"),
	)
	var buf bytes.Buffer
	if err := s.ExportXLSX(&buf, webinarKey, RegistrantQuery{}); err != nil {
		t.Fatal(err)
	}
	f, sheet := openXLSX(t, buf.Bytes())
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	csvRows := exportCSV(t, s, webinarKey)
	if !slices.Equal(rows[0], csvRows[0]) || len(rows) != 2 {
		t.Fatalf("header %q (%d rows), want the CSV's %q", rows[0], len(rows), csvRows[0])
	}
	cellOf := func(name string) string {
		t.Helper()
		ref, err := excelize.CoordinatesToCellName(slices.Index(rows[0], name)+1, 2)
		if err != nil {
			t.Fatalf("column %s: %v", name, err)
		}
		return ref
	}
	// Keys, phone numbers and zip codes are text, exact; formulas are text.
	for col, want := range map[string]string{
		"registrantKey": "12345678901234567890", "phone": "+49 0301234", "zipCode": "01067",
		"firstName": `=HYPERLINK("http://evil")`, "Role?": "Dev",
	} {
		ref := cellOf(col)
		typ, _ := f.GetCellType(sheet, ref)
		v, _ := f.GetCellValue(sheet, ref)
		formula, _ := f.GetCellFormula(sheet, ref)
		if typ != excelize.CellTypeInlineString || v != want || formula != "" {
			t.Errorf("%s: type %v value %q formula %q, want text %q", col, typ, v, formula, want)
		}
	}
	// Dates are date cells: a number with a date format, in UTC.
	f.Close()
	raw, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for col, want := range map[string]time.Time{
		"registrationDate": time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC),
		"firstJoinTime":    time.Date(2025, 6, 10, 15, 0, 0, 0, time.UTC),
	} {
		ref := cellOf(col)
		typ, _ := raw.GetCellType(sheet, ref)
		v, _ := raw.GetCellValue(sheet, ref)
		style, _ := raw.GetCellStyle(sheet, ref)
		st, _ := raw.GetStyle(style)
		serial, err := excelize.ExcelDateToTime(parseFloat(t, v), false)
		if err != nil || typ != excelize.CellTypeUnset || !serial.Equal(want) || st == nil || st.CustomNumFmt == nil {
			t.Errorf("%s: type %v raw %q (%v, %v) style %+v, want a date cell of %v", col, typ, v, serial, err, st, want)
		}
	}
	if typ, _ := raw.GetCellType(sheet, cellOf("joined")); typ != excelize.CellTypeBool {
		t.Errorf("joined is %v, want a boolean", typ)
	}
	panes, err := raw.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v: want the header row frozen", panes, err)
	}
}

func TestExportAttendeesXLSX_CountsAreNumbers(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z"))
	join := time.Date(2025, 6, 10, 15, 1, 0, 0, time.UTC)
	err := mergeGoToAttendance(s, webinarKey, gotowebinarSession("9"), []attendeeIn{
		{RegistrantKey: "1", AttendanceTimeInSeconds: 1800, Attendance: []attendanceIn{{JoinTime: gtTime(join), LeaveTime: gtTime(join.Add(30 * time.Minute))}}},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.ExportAttendeesXLSX(&buf, webinarKey); err != nil {
		t.Fatal(err)
	}
	f, sheet := openXLSX(t, buf.Bytes())
	rows, _ := f.GetRows(sheet)
	if len(rows) != 2 || !slices.Equal(rows[0], columnNames(attendeeColumns())) {
		t.Fatalf("rows = %q", rows)
	}
	ref, _ := excelize.CoordinatesToCellName(slices.Index(rows[0], "attendanceTimeInSeconds")+1, 2)
	typ, _ := f.GetCellType(sheet, ref)
	v, _ := f.GetCellValue(sheet, ref)
	if typ != excelize.CellTypeUnset || v != "1800" {
		t.Errorf("attendanceTimeInSeconds: type %v value %q, want the number 1800", typ, v)
	}
}

type (
	attendeeIn   = gotowebinar.Attendee
	attendanceIn = gotowebinar.AttendanceInterval
)

func gotowebinarSession(key string) gotowebinar.Session {
	return gotowebinar.Session{SessionKey: gotowebinar.Key(key)}
}

func gtTime(t time.Time) gotowebinar.Time { return gotowebinar.Time{Time: t} }

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return f
}
