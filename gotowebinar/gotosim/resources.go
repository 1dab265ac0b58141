package gotosim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The REST API for webinars, registrants, sessions and attendees, serving
// what the Generator made (its events' webinars and registrants, and what
// Populate added), so webhooks and REST agree. Shapes follow GoTo's v2
// spec to the letter, including where it types a key as a string in one
// answer and as a number in the next.

// Paging limits of GoTo's listings.
const (
	maxPageSize     = 200
	defaultPageSize = 20
)

func (s *Sim) resourceRoutes(mux *http.ServeMux) {
	const w = "/organizers/{organizerKey}/webinars/{webinarKey}"
	mux.HandleFunc("GET /organizers/{organizerKey}/webinars", s.listWebinars)
	mux.HandleFunc("POST /organizers/{organizerKey}/webinars", s.createWebinar)
	mux.HandleFunc("GET "+w, s.getWebinar)
	mux.HandleFunc("PUT "+w, s.updateWebinar)
	mux.HandleFunc("DELETE "+w, s.cancelWebinar)
	mux.HandleFunc("GET "+w+"/registrants", s.listRegistrants)
	mux.HandleFunc("POST "+w+"/registrants", s.createRegistrant)
	mux.HandleFunc("GET "+w+"/registrants/fields", s.registrationFields) // fields.go
	mux.HandleFunc("GET "+w+"/registrants/{registrantKey}", s.getRegistrant)
	mux.HandleFunc("DELETE "+w+"/registrants/{registrantKey}", s.deleteRegistrant)
	mux.HandleFunc("GET "+w+"/attendees", s.listWebinarAttendees)
	mux.HandleFunc("GET "+w+"/sessions", s.listSessions)
	mux.HandleFunc("GET "+w+"/sessions/{sessionKey}/attendees", s.listAttendees)
	mux.HandleFunc("GET "+w+"/sessions/{sessionKey}/attendees/{registrantKey}", s.getAttendee)
}

// organizer answers 403 unless the path names the sim's organizer.
func (s *Sim) organizer(w http.ResponseWriter, r *http.Request) bool {
	if k := r.PathValue("organizerKey"); k != s.gen.OrganizerKey() {
		writeJSON(w, http.StatusForbidden, map[string]string{"errorCode": "AccessDenied",
			"description": fmt.Sprintf("organizer %q is not the one this token belongs to", k), "incident": randomUUID()})
		return false
	}
	return true
}

// webinarFor finds the path's webinar under g.mu, answering 404 for an
// unknown or cancelled one (as GoTo does for a cancelled webinar).
func (s *Sim) webinarFor(w http.ResponseWriter, r *http.Request) *webinarState {
	key := r.PathValue("webinarKey")
	ws := s.gen.webinarLocked(key)
	if ws == nil || ws.deleted {
		writeNotFound(w, "webinar", key)
		return nil
	}
	return ws
}

// paging reads page and a size-like parameter; ok is false after a 400.
func paging(w http.ResponseWriter, r *http.Request, sizeParam string) (page, size int, ok bool) {
	q := r.URL.Query()
	page, size = 0, defaultPageSize
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page", &page}, {sizeParam, &size}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || (p.name == sizeParam && (n == 0 || n > maxPageSize)) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("%s must be a whole number%s, not %q", p.name,
				map[bool]string{true: " from 1 to 200", false: " from 0"}[p.name == sizeParam], v))
			return 0, 0, false
		}
		*p.dst = n
	}
	return page, size, true
}

// window returns items[page*size : page*size+size], empty past the end.
func window[T any](items []T, page, size int) []T {
	from := min(page*size, len(items))
	return items[from:min(from+size, len(items))]
}

func pageJSON(page, size, total int) map[string]int {
	return map[string]int{"size": size, "totalElements": total, "totalPages": (total + size - 1) / size, "number": page}
}

// number writes a key as the bare JSON number the spec types it as.
func number(k string) json.Number { return json.Number(k) }

func timesJSON(ts []Session) []map[string]string {
	out := make([]map[string]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, map[string]string{"startTime": isoSeconds(t.Start), "endTime": isoSeconds(t.End)})
	}
	return out
}

func (g *Generator) registrationURL(w *webinarState) string {
	return "https://attendee.gotowebinar.com/register/" + w.Key
}

// listWebinars serves the organizer's webinars scheduled in [fromTime,
// toTime] (a session overlapping it), paged by page and size.
func (s *Sim) listWebinars(w http.ResponseWriter, r *http.Request) {
	if !s.organizer(w, r) {
		return
	}
	q := r.URL.Query()
	var from, to time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"fromTime", &from}, {"toTime", &to}} {
		t, err := time.Parse(time.RFC3339, q.Get(p.name))
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("%s is required, in ISO8601 UTC format such as 2020-03-13T10:00:00Z; got %q", p.name, q.Get(p.name)))
			return
		}
		*p.dst = t
	}
	page, size, ok := paging(w, r, "size")
	if !ok {
		return
	}
	g := s.gen
	g.mu.Lock()
	var all []map[string]any
	for _, ws := range g.webinars {
		if ws.deleted || !overlaps(ws.Times, from, to) {
			continue
		}
		all = append(all, map[string]any{
			"webinarKey": ws.Key, "webinarID": webinarID(ws.Key), "organizerKey": ws.OrganizerKey,
			"accountKey": ws.AccountKey, "subject": ws.Title, "description": ws.Description,
			"times": timesJSON(ws.Times), "timeZone": ws.TimeZone, "locale": "en_US",
			"approvalType": "AUTOMATIC", "registrationUrl": g.registrationURL(ws), "impromptu": false,
			"isPasswordProtected": false, "recurrenceType": ws.RecurrenceType,
			"experienceType": strings.ToLower(ws.ExperienceType),
		})
	}
	g.mu.Unlock()
	body := map[string]any{"page": pageJSON(page, size, len(all))}
	if items := window(all, page, size); len(items) > 0 {
		// GoTo leaves _embedded out of an empty page.
		body["_embedded"] = map[string]any{"webinars": items}
	}
	writeJSON(w, http.StatusOK, body)
}

func overlaps(times []Session, from, to time.Time) bool {
	for _, t := range times {
		if t.Start.Before(to) && t.End.After(from) {
			return true
		}
	}
	return false
}

// webinarID is the 9-digit ID people type to join, made from the key.
func webinarID(key string) string {
	if len(key) < 9 {
		return key
	}
	return key[len(key)-9:]
}

func (s *Sim) getWebinar(w http.ResponseWriter, r *http.Request) {
	if !s.organizer(w, r) {
		return
	}
	g := s.gen
	g.mu.Lock()
	ws := s.webinarFor(w, r)
	if ws == nil {
		g.mu.Unlock()
		return
	}
	now := g.now()
	inSession := false
	for _, t := range ws.Times {
		inSession = inSession || (!now.Before(t.Start) && now.Before(t.End))
	}
	// WebinarByKey: numeric keys, and "type"/"recurrencePeriod" for the
	// recurrence the listing calls recurrenceType.
	body := map[string]any{
		"webinarKey": number(ws.Key), "webinarID": webinarID(ws.Key), "subject": ws.Title,
		"description": ws.Description, "organizerKey": number(ws.OrganizerKey),
		"organizerEmail": OrganizerEmail, "organizerName": OrganizerFirstName + " " + OrganizerLastName,
		"times": timesJSON(ws.Times), "registrationUrl": g.registrationURL(ws), "inSession": inSession,
		"impromptu": false, "type": ws.RecurrenceType, "timeZone": ws.TimeZone,
		"numberOfRegistrants": len(ws.registrants), "registrationLimit": 1000, "locale": "en_US",
		"accountKey": ws.AccountKey, "recurrencePeriod": ws.RecurrenceType,
		"experienceType": strings.ToLower(ws.ExperienceType), "isPasswordProtected": false,
	}
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

type dateTimeRange struct {
	StartTime string `json:"startTime"`
	EndTime   string `json:"endTime"`
}

func parseRanges(rs []dateTimeRange) ([]Session, error) {
	var out []Session
	for i, tr := range rs {
		start, err1 := time.Parse(time.RFC3339, tr.StartTime)
		end, err2 := time.Parse(time.RFC3339, tr.EndTime)
		if err1 != nil || err2 != nil || !end.After(start) {
			return nil, fmt.Errorf("times[%d] is not a startTime before an endTime in ISO8601 (%q, %q)", i, tr.StartTime, tr.EndTime)
		}
		out = append(out, Session{Start: start.UTC(), End: end.UTC()})
	}
	return out, nil
}

func (s *Sim) createWebinar(w http.ResponseWriter, r *http.Request) {
	if !s.organizer(w, r) {
		return
	}
	var req struct {
		Subject             string          `json:"subject"`
		Description         string          `json:"description"`
		Times               []dateTimeRange `json:"times"`
		TimeZone            string          `json:"timeZone"`
		Type                string          `json:"type"`
		Locale              string          `json:"locale"`
		IsPasswordProtected bool            `json:"isPasswordProtected"`
		RecordingAssetKey   string          `json:"recordingAssetKey"`
		IsOndemand          bool            `json:"isOndemand"`
		IsBreakout          bool            `json:"isBreakout"`
		ExperienceType      string          `json:"experienceType"`
		EmailSettings       json.RawMessage `json:"emailSettings"`
		RecurrenceStart     *dateTimeRange  `json:"recurrenceStart"`
		RecurrencePattern   string          `json:"recurrencePattern"`
		RecurrenceEnd       string          `json:"recurrenceEnd"`
	}
	if err := decodeBody(r, &req, false); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	kind := cmp.Or(req.Type, "single_session")
	times, err := parseRanges(req.Times)
	switch {
	case err != nil:
	case strings.TrimSpace(req.Subject) == "" || len(req.Subject) > 128:
		err = fmt.Errorf("subject is required, at most 128 characters")
	case kind != "single_session" && kind != "series" && kind != "sequence":
		err = fmt.Errorf("type must be single_session, series or sequence, not %q", kind)
	case kind == "sequence":
		err = fmt.Errorf("this simulator does not create sequences; use times with type series")
	case len(times) == 0 || (kind == "single_session" && len(times) != 1):
		err = fmt.Errorf("a %s webinar needs %s", kind, map[bool]string{true: "exactly one times entry", false: "two or more times entries"}[kind == "single_session"])
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	g := s.gen
	g.mu.Lock()
	now := g.now().UTC()
	wb := Webinar{
		Title: req.Subject, Description: req.Description, ExperienceType: strings.ToUpper(cmp.Or(req.ExperienceType, "CLASSIC")),
		RecurrenceType: kind, TimeZone: cmp.Or(req.TimeZone, "UTC"), Times: times,
	}
	if kind == "series" {
		wb.RecurrenceKey = g.newKey(19)
	}
	ws := g.newWebinar(wb, nil, now)
	g.enqueueLocked(WebinarCreatedJSON(g.eventKey(), now, ws.Webinar, Form{}))
	out := map[string]string{"webinarKey": ws.Key}
	if ws.RecurrenceKey != "" {
		out["recurrenceKey"] = ws.RecurrenceKey
	}
	g.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

func (s *Sim) updateWebinar(w http.ResponseWriter, r *http.Request) {
	if !s.organizer(w, r) {
		return
	}
	var req struct {
		Subject       string          `json:"subject"`
		Description   string          `json:"description"`
		Times         []dateTimeRange `json:"times"`
		TimeZone      string          `json:"timeZone"`
		Locale        string          `json:"locale"`
		EmailSettings json.RawMessage `json:"emailSettings"`
	}
	if err := decodeBody(r, &req, false); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	times, err := parseRanges(req.Times)
	if err == nil && req.Subject == "" && req.Description == "" && len(times) == 0 && req.TimeZone == "" && req.Locale == "" {
		err = fmt.Errorf("nothing to update: give at least one of subject, description, times, timeZone, locale")
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	g := s.gen
	g.mu.Lock()
	defer g.mu.Unlock()
	ws := s.webinarFor(w, r)
	if ws == nil {
		return
	}
	now := g.now().UTC()
	if len(ws.Times) > 0 && ws.Times[len(ws.Times)-1].End.Before(now) {
		writeError(w, http.StatusBadRequest, "the webinar has ended; it can no longer be changed")
		return
	}
	if req.Subject != "" {
		ws.Title = req.Subject
	}
	if req.Description != "" {
		ws.Description = req.Description
	}
	if req.TimeZone != "" {
		ws.TimeZone = req.TimeZone
	}
	if len(times) > 0 {
		ws.Times = times
	}
	g.enqueueLocked(WebinarChangedJSON(g.eventKey(), now, ws.Webinar, "UPDATED", Form{}))
	w.WriteHeader(http.StatusAccepted)
}

func (s *Sim) cancelWebinar(w http.ResponseWriter, r *http.Request) {
	if !s.organizer(w, r) {
		return
	}
	g := s.gen
	g.mu.Lock()
	defer g.mu.Unlock()
	ws := s.webinarFor(w, r)
	if ws == nil {
		return
	}
	now := g.now()
	for _, t := range ws.Times {
		if !now.Before(t.Start) && now.Before(t.End) {
			writeJSON(w, http.StatusConflict, map[string]string{"errorCode": "Conflict", "description": "the webinar is in session", "incident": randomUUID()})
			return
		}
	}
	ws.deleted = true
	g.enqueueLocked(WebinarChangedJSON(g.eventKey(), now.UTC(), ws.Webinar, "DELETED", Form{}))
	w.WriteHeader(http.StatusNoContent)
}

// restStatus is a registrant's status as the REST API spells it; "" for a
// cancelled registration, which it no longer lists.
func restStatus(status string) string {
	switch status {
	case "Approved":
		return "APPROVED"
	case "Waiting":
		return "WAITING"
	case "Denied":
		return "DENIED"
	}
	return ""
}

// registrantJSON is the listing's Registrant: the basic fields only.
func registrantJSON(ws *webinarState, reg *Registrant) map[string]any {
	return map[string]any{
		"lastName": reg.LastName, "email": reg.Email, "firstName": reg.FirstName,
		"registrantKey": number(reg.Key), "registrationDate": isoMillis(reg.Registered),
		"status": restStatus(reg.Status), "joinUrl": reg.JoinURL, "timeZone": ws.TimeZone,
	}
}

// listRegistrants answers as GoTo does: a bare array of all registrants
// without page and limit, {data,total,page,limit,pageSize} with either.
func (s *Sim) listRegistrants(w http.ResponseWriter, r *http.Request) {
	if !s.organizer(w, r) {
		return
	}
	q := r.URL.Query()
	paged := q.Has("page") || q.Has("limit")
	page, limit, ok := paging(w, r, "limit")
	if !ok {
		return
	}
	g := s.gen
	g.mu.Lock()
	ws := s.webinarFor(w, r)
	if ws == nil {
		g.mu.Unlock()
		return
	}
	all := make([]map[string]any, 0, len(ws.registrants))
	for _, reg := range ws.registrants {
		if restStatus(reg.Status) != "" {
			all = append(all, registrantJSON(ws, reg))
		}
	}
	g.mu.Unlock()
	if !paged {
		writeJSON(w, http.StatusOK, all)
		return
	}
	items := window(all, page, limit)
	writeJSON(w, http.StatusOK, map[string]any{"data": items, "total": len(all), "page": page, "limit": limit, "pageSize": len(items)})
}

// registrantLocked finds a current (not cancelled) registrant of ws.
func registrantLocked(ws *webinarState, key string) *Registrant {
	for _, reg := range ws.registrants {
		if reg.Key == key && restStatus(reg.Status) != "" {
			return reg
		}
	}
	return nil
}

func (s *Sim) getRegistrant(w http.ResponseWriter, r *http.Request) {
	if !s.organizer(w, r) {
		return
	}
	g := s.gen
	g.mu.Lock()
	ws := s.webinarFor(w, r)
	if ws == nil {
		g.mu.Unlock()
		return
	}
	reg := registrantLocked(ws, r.PathValue("registrantKey"))
	if reg == nil {
		g.mu.Unlock()
		writeNotFound(w, "registrant", r.PathValue("registrantKey"))
		return
	}
	body := registrantJSON(ws, reg)
	for k, v := range map[string]string{
		"source": reg.RegistrationSource, "phone": reg.Phone, "state": reg.State, "city": reg.City,
		"organization": reg.Organization, "zipCode": reg.ZipCode, "numberOfEmployees": reg.NumberOfEmployees,
		"industry": reg.Industry, "jobTitle": reg.JobTitle, "purchasingRole": reg.PurchasingRole,
		"purchasingTimeFrame": reg.PurchasingTimeFrame, "questionsAndComments": reg.Comments,
		"country": reg.Country, "address": reg.Address,
	} {
		body[k] = v
	}
	body["type"] = "REGULAR"
	body["unsubscribed"] = false
	responses := make([]map[string]string, 0, len(reg.Responses))
	for _, a := range reg.Responses {
		responses = append(responses, map[string]string{"question": a.Question, "answer": joinAnswers(a.Answers)})
	}
	body["responses"] = responses
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

func (s *Sim) createRegistrant(w http.ResponseWriter, r *http.Request) {
	if !s.organizer(w, r) {
		return
	}
	var req registrationRequest // fields.go
	if err := decodeBody(r, &req, false); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	req.Email = strings.TrimSpace(req.Email)
	if strings.TrimSpace(req.FirstName) == "" || strings.TrimSpace(req.LastName) == "" || !strings.Contains(req.Email, "@") {
		writeError(w, http.StatusBadRequest, "firstName, lastName and a valid email are required")
		return
	}
	g := s.gen
	g.mu.Lock()
	defer g.mu.Unlock()
	ws := s.webinarFor(w, r)
	if ws == nil {
		return
	}
	answers, refusal := formOf(ws).check(req) // fields.go
	if refusal != "" {
		writeError(w, http.StatusBadRequest, refusal)
		return
	}
	for _, reg := range ws.registrants {
		if strings.EqualFold(reg.Email, req.Email) && restStatus(reg.Status) != "" {
			writeJSON(w, http.StatusConflict, map[string]any{"errorCode": "Conflict",
				"description": "The user is already registered", "registrantKey": number(reg.Key), "joinUrl": reg.JoinURL})
			return
		}
	}
	now := g.now().UTC()
	reg := &Registrant{
		Key: g.registrantKey(), FirstName: req.FirstName, LastName: req.LastName, Email: req.Email,
		Phone: req.Phone, Address: req.Address, City: req.City, State: req.State, Country: req.Country,
		ZipCode: req.ZipCode, Organization: req.Organization, JobTitle: req.JobTitle, Industry: req.Industry,
		Comments: req.QuestionsAndComments, NumberOfEmployees: req.NumberOfEmployees,
		PurchasingRole: req.PurchasingRole, PurchasingTimeFrame: req.PurchasingTimeFrame,
		Status: "Approved", RegistrationSource: req.Source, Registered: now, Responses: answers,
	}
	reg.JoinURL = "https://global.gotowebinar.com/join/" + ws.Key + "/" + reg.Key
	ws.registrants = append(ws.registrants, reg)
	g.enqueueLocked(RegistrantAddedJSON(g.eventKey(), now, ws.Webinar, *reg, Form{}))
	writeJSON(w, http.StatusCreated, map[string]any{"registrantKey": number(reg.Key), "joinUrl": reg.JoinURL})
}

// deleteRegistrant cancels a registration. GoTo allows it only for a
// scheduled webinar, so once the last session has ended it answers 400.
func (s *Sim) deleteRegistrant(w http.ResponseWriter, r *http.Request) {
	if !s.organizer(w, r) {
		return
	}
	g := s.gen
	g.mu.Lock()
	defer g.mu.Unlock()
	ws := s.webinarFor(w, r)
	if ws == nil {
		return
	}
	reg := registrantLocked(ws, r.PathValue("registrantKey"))
	if reg == nil {
		writeNotFound(w, "registrant", r.PathValue("registrantKey"))
		return
	}
	if n := len(ws.Times); n > 0 && ws.Times[n-1].End.Before(g.now()) {
		writeError(w, http.StatusBadRequest, "registrants can only be removed from a scheduled, future webinar; this one has ended")
		return
	}
	reg.Status = "Cancelled" // off the listings, and joins no more
	w.WriteHeader(http.StatusNoContent)
}

// sessionJSON is a started session as the sessions listing shows it.
func sessionJSON(ws *webinarState, sess Session, now time.Time) map[string]any {
	attended := len(ws.attended[sess.Key])
	approved := 0
	for _, reg := range ws.registrants {
		if reg.Status == "Approved" {
			approved++
		}
	}
	end := sess.End
	if now.Before(end) {
		end = now // running: it has lasted until now
	}
	return map[string]any{
		"sessionKey": sess.Key, "webinarKey": ws.Key, "webinarName": ws.Title,
		"startTime": isoSeconds(sess.Start), "endTime": isoSeconds(end),
		"registrantsAttended": attended, "registrantCount": approved,
		"accountKey": ws.AccountKey, "creatingOrganizerKey": ws.OrganizerKey,
		"creatingOrganizerName": OrganizerFirstName + " " + OrganizerLastName,
		"startingOrganizerKey":  ws.OrganizerKey, "startingOrganizerName": OrganizerFirstName + " " + OrganizerLastName,
		"totalPollCount": 0, "timeZone": ws.TimeZone, "experienceType": strings.ToLower(ws.ExperienceType),
		"webinarID": webinarID(ws.Key),
	}
}

// startedSessions are the sessions of ws with a key that have begun.
func startedSessions(ws *webinarState, now time.Time) []Session {
	var out []Session
	for _, t := range ws.Times {
		if t.Key != "" && !t.Start.After(now) {
			out = append(out, t)
		}
	}
	return out
}

func (s *Sim) listSessions(w http.ResponseWriter, r *http.Request) {
	if !s.organizer(w, r) {
		return
	}
	page, size, ok := paging(w, r, "size")
	if !ok {
		return
	}
	g := s.gen
	g.mu.Lock()
	ws := s.webinarFor(w, r)
	if ws == nil {
		g.mu.Unlock()
		return
	}
	now := g.now().UTC()
	var all []map[string]any
	for _, sess := range startedSessions(ws, now) {
		all = append(all, sessionJSON(ws, sess, now))
	}
	g.mu.Unlock()
	body := map[string]any{"page": pageJSON(page, size, len(all))}
	if items := window(all, page, size); len(items) > 0 {
		body["_embedded"] = map[string]any{"sessionInfoResources": items}
	}
	writeJSON(w, http.StatusOK, body)
}

// sessionFor finds the path's started session of ws, answering 404 otherwise.
func sessionFor(w http.ResponseWriter, r *http.Request, ws *webinarState, now time.Time) bool {
	key := r.PathValue("sessionKey")
	for _, sess := range startedSessions(ws, now) {
		if sess.Key == key {
			return true
		}
	}
	writeNotFound(w, "session", key)
	return false
}

func attendeeJSON(ws *webinarState, sessionKey string, a Attendance) map[string]any {
	var reg *Registrant
	for _, x := range ws.registrants {
		if x.Key == a.RegistrantKey {
			reg = x
		}
	}
	intervals := make([]map[string]string, 0, len(a.Intervals))
	for _, iv := range a.Intervals {
		intervals = append(intervals, map[string]string{"joinTime": isoMillis(iv[0]), "leaveTime": isoMillis(iv[1])})
	}
	return map[string]any{
		"registrantKey": number(a.RegistrantKey), "firstName": reg.FirstName, "lastName": reg.LastName,
		"email": reg.Email, "attendanceTimeInSeconds": a.Seconds, "sessionKey": number(sessionKey),
		"attendance": intervals,
	}
}

// sessionAttendees is the attendance of the request's webinar session,
// keyed like GoTo's answer; ok is false when it has answered already (no
// such webinar or session).
func (s *Sim) sessionAttendees(w http.ResponseWriter, r *http.Request) (attendees []Attendance, rows []map[string]any, ok bool) {
	if !s.organizer(w, r) {
		return nil, nil, false
	}
	g := s.gen
	g.mu.Lock()
	defer g.mu.Unlock()
	ws := s.webinarFor(w, r)
	if ws == nil {
		return nil, nil, false
	}
	now := g.now().UTC()
	if !sessionFor(w, r, ws, now) {
		return nil, nil, false
	}
	key := r.PathValue("sessionKey")
	attendees = ws.attendanceLocked(key, now)
	rows = make([]map[string]any, 0, len(attendees))
	for _, a := range attendees {
		rows = append(rows, attendeeJSON(ws, key, a))
	}
	return attendees, rows, true
}

// listAttendees answers with a bare array, unpaged, as GoTo does.
func (s *Sim) listAttendees(w http.ResponseWriter, r *http.Request) {
	if _, rows, ok := s.sessionAttendees(w, r); ok {
		writeJSON(w, http.StatusOK, rows)
	}
}

func (s *Sim) getAttendee(w http.ResponseWriter, r *http.Request) {
	attendees, rows, ok := s.sessionAttendees(w, r)
	if !ok {
		return
	}
	regKey := r.PathValue("registrantKey")
	for i, a := range attendees {
		if a.RegistrantKey == regKey {
			writeJSON(w, http.StatusOK, rows[i])
			return
		}
	}
	writeNotFound(w, "attendee", regKey)
}

// enqueueLocked hands out body as the next event once Run delivers, as
// GoTo fires a webhook for a change made through its API. Before the first
// event nobody can be listening, so nothing is queued.
func (g *Generator) enqueueLocked(body []byte) {
	if !g.started {
		return
	}
	g.queue = append(g.queue, body)
	g.remember(body)
}
