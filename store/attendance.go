package store

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
	"webinarsync/record"
)

// Session is one session of a webinar as GoTo's REST API reported it.
type Session struct {
	WebinarKey          string    `json:"webinarKey"`
	SessionKey          string    `json:"sessionKey"`
	StartTime           time.Time `json:"startTime,omitzero"`
	EndTime             time.Time `json:"endTime,omitzero"`
	RegistrantsAttended int       `json:"registrantsAttended"`
}

// Attendance is one registrant's attendance of one session, from GoTo's
// attendees report.
type Attendance struct {
	WebinarKey              string     `json:"webinarKey"`
	SessionKey              string     `json:"sessionKey"`
	RegistrantKey           string     `json:"registrantKey"`
	FirstName               string     `json:"firstName,omitempty"`
	LastName                string     `json:"lastName,omitempty"`
	Email                   string     `json:"email,omitempty"`
	AttendanceTimeInSeconds int64      `json:"attendanceTimeInSeconds"`
	Intervals               []Interval `json:"intervals,omitempty"`
}

// Interval is one stretch between joining and leaving.
type Interval struct {
	JoinTime  time.Time `json:"joinTime,omitzero"`
	LeaveTime time.Time `json:"leaveTime,omitzero"`
}

// JoinTime is when they first joined the session (zero if unknown).
func (a Attendance) JoinTime() time.Time {
	var t time.Time
	for _, iv := range a.Intervals {
		if !iv.JoinTime.IsZero() && (t.IsZero() || iv.JoinTime.Before(t)) {
			t = iv.JoinTime
		}
	}
	return t
}

// LeaveTime is when they last left the session (zero if unknown).
func (a Attendance) LeaveTime() time.Time {
	var t time.Time
	for _, iv := range a.Intervals {
		if iv.LeaveTime.After(t) {
			t = iv.LeaveTime
		}
	}
	return t
}

// MergeSessionAttendance stores a session and who attended it, as a
// provider reported at observedAt, replacing what an earlier report said of that
// session, and updates each registrant's attendance over all sessions
// (Attended, AttendanceTimeInSeconds, first JoinTime, last LeaveTime).
// Someone GoTo reports who is not known yet is added from the report.
func (s *Store) MergeSessionAttendance(webinarKey string, sess record.Session, attendees []record.Attendee, observedAt time.Time) error {
	if webinarKey == "" || sess.Key == "" {
		return errors.New("store: merge attendance: no webinar or session key")
	}
	observedAt = storableTime(observedAt)
	sessionKey := sess.Key
	err := s.batch(func(tx *bolt.Tx) error {
		if webinarDeleted(tx, webinarKey) { // deleted here: not copied back (erase.go)
			return nil
		}
		_, known, err := getWebinar(tx, webinarKey)
		if err != nil {
			return err
		}
		w, data, err := ensureWebinar(tx, gotowebinar.WebinarRef{WebinarKey: gotowebinar.Key(webinarKey)})
		if err != nil {
			return err
		}
		sessions, err := data.CreateBucketIfNotExists([]byte(subSessions))
		if err != nil {
			return fmt.Errorf("sessions: %w", err)
		}
		att, err := data.CreateBucketIfNotExists([]byte(subAttendance))
		if err != nil {
			return fmt.Errorf("attendance: %w", err)
		}
		sv, err := json.Marshal(Session{
			WebinarKey: webinarKey, SessionKey: sessionKey,
			StartTime: storableTime(sess.Start), EndTime: storableTime(sess.End),
			RegistrantsAttended: max(sess.Attended, len(attendees)),
		})
		if err != nil {
			return err
		}
		if !bytes.Equal(sessions.Get([]byte(sessionKey)), sv) {
			if err := sessions.Put([]byte(sessionKey), sv); err != nil {
				return fmt.Errorf("session %s: %w", sessionKey, err)
			}
		}

		// Replace the session's attendance, noting whose changed.
		prefix := append([]byte(sessionKey), 0)
		old := map[string][]byte{}
		c := att.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			old[string(k[len(prefix):])] = bytes.Clone(v)
		}
		affected := map[string]Attendance{}
		for _, a := range attendees {
			rec := attendanceRecord(webinarKey, sessionKey, a)
			if rec.RegistrantKey == "" || registrantErased(tx, webinarKey, rec.RegistrantKey) {
				continue
			}
			v, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			if prev, ok := old[rec.RegistrantKey]; !ok || !bytes.Equal(prev, v) {
				if err := att.Put(append(bytes.Clone(prefix), rec.RegistrantKey...), v); err != nil {
					return fmt.Errorf("attendance %s/%s: %w", sessionKey, rec.RegistrantKey, err)
				}
				affected[rec.RegistrantKey] = rec
			}
			delete(old, rec.RegistrantKey)
		}
		for regKey := range old {
			// GoTo no longer reports them for this session.
			if err := att.Delete(append(bytes.Clone(prefix), regKey...)); err != nil {
				return fmt.Errorf("attendance %s/%s: %w", sessionKey, regKey, err)
			}
			affected[regKey] = Attendance{}
		}
		if len(affected) == 0 {
			if !known {
				return putWebinar(tx, w)
			}
			return nil
		}

		totals, err := attendanceTotals(att)
		if err != nil {
			return err
		}
		registrants, attended := w.Registrants, w.Attended
		for regKey, rec := range affected {
			if err := applyAttendance(tx, data, &w, regKey, rec, totals[regKey], observedAt); err != nil {
				return err
			}
		}
		if !known || w.Registrants != registrants || w.Attended != attended {
			return putWebinar(tx, w)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: merge attendance of %s session %s: %w", webinarKey, sessionKey, err)
	}
	return nil
}

func attendanceRecord(webinarKey, sessionKey string, a record.Attendee) Attendance {
	rec := Attendance{
		WebinarKey: webinarKey, SessionKey: sessionKey, RegistrantKey: a.RegistrantKey,
		FirstName: a.FirstName, LastName: a.LastName, Email: a.Email,
		AttendanceTimeInSeconds: max(a.Seconds, 0),
	}
	for _, iv := range a.Intervals {
		rec.Intervals = append(rec.Intervals, Interval{JoinTime: storableTime(iv.Start), LeaveTime: storableTime(iv.End)})
	}
	slices.SortFunc(rec.Intervals, func(x, y Interval) int { return x.JoinTime.Compare(y.JoinTime) })
	return rec
}

// attendanceTotal is a registrant's attendance over every session.
type attendanceTotal struct {
	seconds     int64
	join, leave time.Time
}

// attendanceTotals sums the webinar's attendance by registrant.
func attendanceTotals(att *bolt.Bucket) (map[string]attendanceTotal, error) {
	out := map[string]attendanceTotal{}
	err := att.ForEach(func(k, v []byte) error {
		var a Attendance
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("decode attendance %q: %w", k, err)
		}
		t := out[a.RegistrantKey]
		t.seconds += a.AttendanceTimeInSeconds
		if j := a.JoinTime(); !j.IsZero() && (t.join.IsZero() || j.Before(t.join)) {
			t.join = j
		}
		if l := a.LeaveTime(); l.After(t.leave) {
			t.leave = l
		}
		out[a.RegistrantKey] = t
		return nil
	})
	return out, err
}

// applyAttendance writes a registrant's attendance totals; rec is their
// new attendance of the merged session (empty when it was withdrawn), used
// to create a registrant known only from the report.
func applyAttendance(tx *bolt.Tx, data *bolt.Bucket, w *Webinar, regKey string, rec Attendance, t attendanceTotal, observedAt time.Time) error {
	regs := data.Bucket([]byte(subRegistrants))
	r, found, err := getRegistrant(regs, regKey)
	if err != nil {
		return err
	}
	if !found {
		if rec.RegistrantKey == "" {
			return nil // withdrawn for someone we never knew
		}
		r = registrantRecord{
			Registrant: Registrant{WebinarKey: w.WebinarKey, RegistrantKey: regKey},
			IndexTime:  firstNonZero(t.join, observedAt),
		}
	}
	oldIndex := r.indexKey()
	mergeString(&r.FirstName, rec.FirstName, false)
	mergeString(&r.LastName, rec.LastName, false)
	mergeString(&r.Email, rec.Email, false)
	attended := !t.join.IsZero() || t.seconds > 0
	if found && r.Attended == attended && r.AttendanceTimeInSeconds == t.seconds &&
		r.JoinTime.Equal(t.join) && r.LeaveTime.Equal(t.leave) {
		return nil
	}
	switch {
	case attended && !r.Attended:
		w.Attended++
	case !attended && r.Attended && w.Attended > 0:
		w.Attended--
	}
	r.Attended, r.AttendanceTimeInSeconds, r.JoinTime, r.LeaveTime = attended, t.seconds, t.join, t.leave
	if err := putRegistrant(data, r, oldIndex, found); err != nil {
		return err
	}
	if found {
		return nil
	}
	w.Registrants++
	if err := addCounter(tx.Bucket([]byte(bucketMeta)), metaRegistrants, 1); err != nil {
		return fmt.Errorf("count registrants: %w", err)
	}
	return nil
}

// Sessions lists a webinar's sessions GoTo reported, earliest first.
func (s *Store) Sessions(webinarKey string) ([]Session, error) {
	var out []Session
	err := s.viewWebinarData(webinarKey, func(data *bolt.Bucket) error {
		b := data.Bucket([]byte(subSessions))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var ss Session
			if err := json.Unmarshal(v, &ss); err != nil {
				return fmt.Errorf("decode session %s: %w", k, err)
			}
			out = append(out, ss)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: sessions of %s: %w", webinarKey, err)
	}
	slices.SortFunc(out, func(a, b Session) int {
		return cmp.Or(a.StartTime.Compare(b.StartTime), cmp.Compare(a.SessionKey, b.SessionKey))
	})
	return out, nil
}

// Attendance lists a webinar's attendance by session (in Sessions' order),
// then by first join.
func (s *Store) Attendance(webinarKey string) ([]Attendance, error) {
	var out []Attendance
	err := s.viewWebinarData(webinarKey, func(data *bolt.Bucket) error {
		var err error
		out, err = readAttendance(data)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: attendance of %s: %w", webinarKey, err)
	}
	return out, nil
}

func readAttendance(data *bolt.Bucket) ([]Attendance, error) {
	b := data.Bucket([]byte(subAttendance))
	if b == nil {
		return nil, nil
	}
	start := map[string]time.Time{}
	if sb := data.Bucket([]byte(subSessions)); sb != nil {
		_ = sb.ForEach(func(k, v []byte) error {
			var ss Session
			if json.Unmarshal(v, &ss) == nil {
				start[string(k)] = ss.StartTime
			}
			return nil
		})
	}
	var out []Attendance
	err := b.ForEach(func(k, v []byte) error {
		var a Attendance
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("decode attendance %q: %w", k, err)
		}
		out = append(out, a)
		return nil
	})
	slices.SortFunc(out, func(a, b Attendance) int {
		return cmp.Or(start[a.SessionKey].Compare(start[b.SessionKey]), cmp.Compare(a.SessionKey, b.SessionKey),
			a.JoinTime().Compare(b.JoinTime()), cmp.Compare(a.RegistrantKey, b.RegistrantKey))
	})
	return out, err
}

// attendeeColumns are the columns of ExportAttendeesCSV.
func attendeeColumns() []exportColumn {
	return []exportColumn{
		{"sessionKey", textCell}, {"sessionStartTime", timeCell}, {"sessionEndTime", timeCell},
		{"registrantKey", textCell}, {"firstName", textCell}, {"lastName", textCell}, {"email", textCell},
		{"attendanceTimeInSeconds", numberCell}, {"joinTime", timeCell}, {"leaveTime", timeCell},
		{"attendance", textCell}, {"source", textCell},
	}
}

// ExportAttendeesCSV writes who attended each session of a webinar: GoTo's
// attendance report (source "report": every join and leave, in the
// attendance cell as ISO 8601 intervals), then, for people a webhook saw
// join but no report lists yet (a session still running, or not synced),
// their first join (source "webhook").
func (s *Store) ExportAttendeesCSV(w io.Writer, webinarKey string) error {
	return s.spool(w, func(w io.Writer) error {
		return s.viewAttendees(webinarKey, "csv", func(rows rowSource) error { return writeCSV(w, attendeeColumns(), rows) })
	})
}

// viewAttendees hands write the attendee rows of a webinar, read in one
// transaction; format only names the export in errors.
func (s *Store) viewAttendees(webinarKey, format string, write func(rowSource) error) error {
	err := s.viewWebinarData(webinarKey, func(data *bolt.Bucket) error {
		sessions := map[string]Session{}
		if sb := data.Bucket([]byte(subSessions)); sb != nil {
			err := sb.ForEach(func(k, v []byte) error {
				var ss Session
				if err := json.Unmarshal(v, &ss); err != nil {
					return fmt.Errorf("decode session %s: %w", k, err)
				}
				sessions[string(k)] = ss
				return nil
			})
			if err != nil {
				return err
			}
		}
		report, err := readAttendance(data)
		if err != nil {
			return err
		}
		reported := map[string]bool{}
		for _, a := range report {
			reported[a.SessionKey+"\x00"+a.RegistrantKey] = true
		}
		// Joins the report does not cover: the first per session and person.
		var live []Attendance
		firstJoin := map[string]int{}
		if jb := data.Bucket([]byte(subJoins)); jb != nil {
			err := jb.ForEach(func(k, v []byte) error { // join-time order
				var j Join
				if err := json.Unmarshal(v, &j); err != nil {
					return fmt.Errorf("decode join %q: %w", k, err)
				}
				id := j.SessionKey + "\x00" + j.RegistrantKey
				if reported[id] {
					return nil
				}
				if _, seen := firstJoin[id]; seen {
					return nil
				}
				firstJoin[id] = len(live)
				live = append(live, Attendance{SessionKey: j.SessionKey, RegistrantKey: j.RegistrantKey,
					FirstName: j.FirstName, LastName: j.LastName, Email: j.Email,
					Intervals: []Interval{{JoinTime: j.JoinTime}}})
				return nil
			})
			if err != nil {
				return err
			}
		}
		return write(attendeeRows(sessions, report, live))
	})
	if err != nil {
		return fmt.Errorf("store: export attendees %s of %s: %w", format, webinarKey, err)
	}
	return nil
}

// attendeeRows is the attendees table: the report's rows, then the joins
// only a webhook saw (their time attended is unknown: empty, not 0).
func attendeeRows(sessions map[string]Session, report, live []Attendance) rowSource {
	return func(fn func(row []cell) error) error {
		row := make([]cell, len(attendeeColumns()))
		write := func(a Attendance, source string) error {
			ss := sessions[a.SessionKey]
			var ivs []string
			if source == "report" {
				for _, iv := range a.Intervals {
					ivs = append(ivs, csvTime(iv.JoinTime)+"/"+csvTime(iv.LeaveTime))
				}
			}
			copy(row, []cell{
				{text: a.SessionKey}, {time: ss.StartTime}, {time: ss.EndTime}, {text: a.RegistrantKey},
				{text: a.FirstName}, {text: a.LastName}, {text: a.Email},
				{num: a.AttendanceTimeInSeconds, set: source == "report"},
				{time: a.JoinTime()}, {time: a.LeaveTime()}, {text: strings.Join(ivs, "; ")}, {text: source},
			})
			return fn(row)
		}
		for _, a := range report {
			if err := write(a, "report"); err != nil {
				return err
			}
		}
		for _, a := range live {
			if err := write(a, "webhook"); err != nil {
				return err
			}
		}
		return nil
	}
}

// registrantAttendance is a registrant's attendance as the exports say it:
// attended when a webhook saw them join or GoTo's report lists them, from
// which source, and their earliest known join.
type registrantAttendance struct {
	attended  bool
	source    string // "webhook", "report", "webhook+report" or ""
	firstJoin time.Time
}

func attendanceOf(r *Registrant) registrantAttendance {
	a := registrantAttendance{attended: r.Joined() || r.Attended, firstJoin: r.FirstJoinTime}
	switch {
	case r.Joined() && r.Attended:
		a.source = "webhook+report"
	case r.Joined():
		a.source = "webhook"
	case r.Attended:
		a.source = "report"
	}
	// The report knows joins made while webinarsync was not running.
	if !r.JoinTime.IsZero() && (a.firstJoin.IsZero() || r.JoinTime.Before(a.firstJoin)) {
		a.firstJoin = r.JoinTime
	}
	return a
}
