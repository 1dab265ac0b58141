package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/ringcentral"
	rclive "webinarsync/ringcentral/live"
	"webinarsync/store"
)

// Formatting for people: thousands separators, UTC times spelled out,
// durations in round units, states in words.

// num formats n with thousands separators: 1234567 → "1,234,567".
func num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

const (
	dayLayout  = "Mon 2 Jan 2006"
	timeLayout = "Mon 2 Jan 2006, 15:04 UTC"
)

// when formats t as "Mon 2 Jan 2026, 15:04 UTC"; "—" when unknown.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(timeLayout)
}

// whenShort is when for a table cell: "2 Jan 2026, 15:04 UTC", no weekday.
func whenShort(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2 Jan 2006, 15:04 UTC")
}

// isoTime is t for a <time datetime> attribute.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// span formats a scheduled session: "Mon 2 Jan 2026, 15:00–16:00 UTC",
// spelling out the end's date when the session runs past midnight.
func span(start, end time.Time) string {
	switch {
	case start.IsZero():
		return "—"
	case end.IsZero() || !end.After(start):
		return when(start)
	}
	start, end = start.UTC(), end.UTC()
	if start.YearDay() == end.YearDay() && start.Year() == end.Year() {
		return start.Format("Mon 2 Jan 2006, 15:04") + "–" + end.Format("15:04 UTC")
	}
	return start.Format("Mon 2 Jan 2006, 15:04") + " – " + end.Format(timeLayout)
}

// spanIn formats a session in the webinar's own time zone, or "" when the
// zone is unknown to this computer or is UTC anyway.
func spanIn(start, end time.Time, zone string) string {
	if start.IsZero() || zone == "" {
		return ""
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || loc == time.UTC {
		return ""
	}
	start = start.In(loc)
	s := start.Format("Mon 2 Jan, 15:04")
	if !end.IsZero() && end.After(start) {
		end = end.In(loc)
		if end.YearDay() == start.YearDay() {
			s += "–" + end.Format("15:04")
		} else {
			s += " – " + end.Format("Mon 2 Jan, 15:04")
		}
	}
	return s + " " + zone + " time"
}

// ago says how long before now t was: "12 s ago", "3 min ago"; "never"
// for the zero time.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	if d < 0 {
		return "in " + roughDuration(-d)
	}
	if d < time.Second {
		return "just now"
	}
	return roughDuration(d) + " ago"
}

// roughDuration is d in its largest whole unit.
func roughDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	default:
		return num(int(d/(24*time.Hour))) + " days"
	}
}

// percent is part/whole as a whole percentage, or -1 when whole is 0.
func percent(part, whole int) int {
	if whole <= 0 {
		return -1
	}
	p := (part*100 + whole/2) / whole
	return min(max(p, 0), 100)
}

// percentText is percent in words: "37%", or "—" when there is no base.
func percentText(part, whole int) string {
	p := percent(part, whole)
	if p < 0 {
		return "—"
	}
	return strconv.Itoa(p) + "%"
}

// plural picks the word for n: plural(1, "answer", "answers").
func plural(n int, one, many string) string {
	if n == 1 {
		return num(n) + " " + one
	}
	return num(n) + " " + many
}

// webinarStatusWords says what GoTo's webinar status means, and that a
// webinar whose last session is over has ended (GoTo still says NEW).
func webinarStatusWords(w store.Webinar, now time.Time) string {
	status := strings.ToUpper(w.Status)
	if (status == "NEW" || status == "UPDATED") && webinarEnded(w, now) {
		return "Ended"
	}
	switch status {
	case "NEW":
		return "Scheduled"
	case "UPDATED":
		return "Updated"
	case "DELETED":
		return "Deleted at GoTo"
	case "":
		// Known from a listing (a catch-up, or a provider without webinar
		// events), not from a webinar event: its times still tell.
		switch {
		case len(w.Times) == 0:
			return "Details not received yet"
		case webinarEnded(w, now):
			return "Ended"
		}
		return "Scheduled"
	}
	return humanize(status)
}

func webinarDeleted(w store.Webinar) bool { return strings.EqualFold(w.Status, "DELETED") }

// humanize turns an API constant into a word: "APPROVED" → "Approved",
// "single_session" → "Single session".
func humanize(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToLower(strings.ReplaceAll(s, "_", " "))
	return strings.ToUpper(s[:1]) + s[1:]
}

// stateWords says what a GoTo webhook or subscription state means.
func stateWords(s string) string {
	switch strings.ToUpper(s) {
	case "ACTIVE":
		return "Active"
	case "INACTIVE":
		return "Inactive"
	case "":
		return "Not set up"
	}
	return humanize(s)
}

// stateClass picks the badge colour for a state.
func stateClass(s string) string {
	switch strings.ToUpper(s) {
	case "ACTIVE":
		return "badge badge-ok"
	case "":
		return "badge badge-none"
	}
	return "badge badge-warn"
}

// eventWords says what an event name means.
func eventWords(name string) string {
	switch name {
	case gotowebinar.EventRegistrantAdded:
		return "Someone registered"
	case gotowebinar.EventRegistrantJoined:
		return "A registrant joined"
	case gotowebinar.EventWebinarCreated:
		return "A webinar was created"
	case gotowebinar.EventWebinarChanged:
		return "A webinar was changed"
	case gotowebinar.EventSurveySubmitted:
		return "A survey was submitted (kept as sent)"
	}
	if name == rclive.EventJoined {
		return "RingCentral: someone joined (read from the session's participant list)"
	}
	if strings.HasPrefix(name, "/webinar/") {
		switch ringcentral.KindOf(name) {
		case ringcentral.KindSessions:
			return "RingCentral: a session was created or changed"
		case ringcentral.KindSessionState:
			return "RingCentral: a session started or ended"
		case ringcentral.KindRegistrationState:
			return "RingCentral: registration opened or closed"
		case ringcentral.KindRegistrants:
			return "RingCentral: someone registered, or a registration changed"
		}
		return "A RingCentral event we do not know (kept as sent)"
	}
	return "An event we do not know"
}

// prettyJSON indents raw JSON for reading; it returns raw as it is when it
// is not JSON.
func prettyJSON(raw []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}

// fullName is the registrant's name as people write it.
func fullName(first, last string) string {
	n := strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
	if n == "" {
		return "(no name given)"
	}
	return n
}

// webinarTitle is the title, or a stand-in when GoTo has not told us yet.
func webinarTitle(w store.Webinar) string {
	if strings.TrimSpace(w.Title) == "" {
		return "Webinar " + w.WebinarKey
	}
	return w.Title
}

// webinarURL is the webinar's page.
func webinarURL(key string) string { return "/webinars/" + url.PathEscape(key) }

// csvURL is the webinar's registrants download.
func csvURL(key string) string { return webinarURL(key) + "/registrants.csv" }

// sessions lists a webinar's scheduled sessions, first first.
func sessions(w store.Webinar) []gotowebinar.TimeRange {
	if len(w.Times) > 0 {
		return w.Times
	}
	if w.StartTime.IsZero() {
		return nil
	}
	return []gotowebinar.TimeRange{{
		StartTime: gotowebinar.Time{Time: w.StartTime},
		EndTime:   gotowebinar.Time{Time: w.EndTime},
		TimeZone:  w.TimeZone,
	}}
}

// sessionZone is the zone a session is given in: its own, else the webinar's.
func sessionZone(w store.Webinar, tr gotowebinar.TimeRange) string {
	if tr.TimeZone != "" {
		return tr.TimeZone
	}
	return w.TimeZone
}

func itoa(n int) string { return strconv.Itoa(n) }

func itoa64(n uint64) string { return strconv.FormatUint(n, 10) }

// attendanceKnown reports whether an attendance rate means something yet:
// somebody was there, or a session has started. Before that (no session
// started, or no session times known and nobody joined) a rate of 0% would
// claim a no-show that has not happened.
func attendanceKnown(w store.Webinar, now time.Time) bool {
	if w.Present() > 0 {
		return true
	}
	start := firstStart(w)
	return !start.IsZero() && !start.After(now)
}

// webinarEnded reports whether a webinar's last known session is over:
// GoTo then refuses changes to its registrants.
func webinarEnded(w store.Webinar, now time.Time) bool {
	ss := sessions(w)
	if len(ss) == 0 {
		return false
	}
	end := ss[len(ss)-1].EndTime.Time
	return !end.IsZero() && end.Before(now)
}

// providerName is the webinar platform a webinar key belongs to.
func providerName(webinarKey string) string {
	switch p := store.ProviderOf(webinarKey); p {
	case store.ProviderGoTo:
		return "GoTo"
	case "ringcentral":
		return "RingCentral"
	default:
		return p
	}
}

// providerID is a webinar key as its platform writes it, without our
// provider prefix.
func providerID(webinarKey string) string {
	if p := store.ProviderOf(webinarKey); p != store.ProviderGoTo {
		return strings.TrimPrefix(webinarKey, p+":")
	}
	return webinarKey
}
