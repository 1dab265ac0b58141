package rcsim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The webinar REST resources, all in the Heavy group, token paged as
// RingCentral pages them: perPage (1..1000, default 100, larger clamped)
// and pageToken, answered with {records, paging}.

const (
	defaultPerPage = 100
	maxPerPage     = 1000
)

func (s *Sim) resourceRoutes(mux *http.ServeMux) {
	const (
		cfg  = "/webinar/configuration/v1"
		reg  = "/webinar/registration/v1"
		hist = "/webinar/history/v1"
	)
	routes := map[string]http.HandlerFunc{
		cfg + "/webinars":                                                s.listWebinars,
		cfg + "/webinars/{webinarId}":                                    s.getWebinar,
		cfg + "/sessions":                                                s.listSessions,
		cfg + "/webinars/{webinarId}/sessions/{sessionId}":               s.getSession,
		reg + "/sessions/{sessionId}":                                    s.getRegistrationSession,
		reg + "/sessions/{sessionId}/registrants":                        s.listRegistrants,
		reg + "/sessions/{sessionId}/registrants/{registrantId}":         s.getRegistrant,
		hist + "/webinars/{webinarId}/sessions/{sessionId}":              s.getHistorySession,
		hist + "/webinars/{webinarId}/sessions/{sessionId}/participants": s.listParticipants,
	}
	for path, h := range routes {
		mux.HandleFunc("GET "+path, s.limited(groupHeavy, h))
	}
}

// pageOf answers one page of records. The page token is opaque to
// clients; here it carries the offset.
func pageOf(w http.ResponseWriter, r *http.Request, records []map[string]any) {
	q := r.URL.Query()
	per := defaultPerPage
	if v := q.Get("perPage"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeErrors(w, http.StatusBadRequest, apiError{Code: "CMN-101", Message: "Parameter [perPage] value is invalid", Parameter: "perPage"})
			return
		}
		per = min(n, maxPerPage)
	}
	offset := 0
	if t := q.Get("pageToken"); t != "" {
		n, ok := decodePageToken(t)
		if !ok || n > len(records) {
			writeErrors(w, http.StatusBadRequest, apiError{Code: "CMN-101", Message: "Parameter [pageToken] value is invalid", Parameter: "pageToken"})
			return
		}
		offset = n
	}
	end := min(offset+per, len(records))
	paging := map[string]any{"perPage": per, "pageToken": pageToken(offset)}
	if end < len(records) {
		paging["nextPageToken"] = pageToken(end)
	}
	if offset > 0 {
		paging["previousPageToken"] = pageToken(max(offset-per, 0))
	}
	writeJSON(w, http.StatusOK, map[string]any{"records": records[offset:end], "paging": paging})
}

func pageToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("rcsim:" + strconv.Itoa(offset)))
}

func decodePageToken(t string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "rcsim:"))
	return n, err == nil && strings.HasPrefix(string(b), "rcsim:") && n >= 0
}

func notFound(w http.ResponseWriter, param string) {
	writeErrors(w, http.StatusNotFound, apiError{Code: "CMN-102", Message: fmt.Sprintf("Resource for parameter [%s] is not found", param), Parameter: param})
}

func (s *Sim) listWebinars(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var recs []map[string]any
	for _, web := range s.world.webinars {
		recs = append(recs, webinarJSON(web))
	}
	s.mu.Unlock()
	pageOf(w, r, recs)
}

func (s *Sim) getWebinar(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	web := s.world.webinar(r.PathValue("webinarId"))
	if web == nil {
		notFound(w, "webinarId")
		return
	}
	writeJSON(w, http.StatusOK, webinarJSON(web))
}

// listSessions lists every session of the user's webinars, optionally
// by status (one value, or several repeated or comma separated).
func (s *Sim) listSessions(w http.ResponseWriter, r *http.Request) {
	var statuses []string
	for _, v := range r.URL.Query()["status"] {
		statuses = append(statuses, strings.Split(v, ",")...)
	}
	s.mu.Lock()
	var recs []map[string]any
	for _, sess := range s.world.sessions {
		if len(statuses) == 0 || slices.Contains(statuses, sess.Status) {
			recs = append(recs, sessionJSON(sess, s.world.webinar(sess.WebinarID)))
		}
	}
	s.mu.Unlock()
	pageOf(w, r, recs)
}

// sessionFor finds the path's session under s.mu, answering 404 unless it
// belongs to the path's webinar (when the path names one).
func (s *Sim) sessionFor(w http.ResponseWriter, r *http.Request) *Session {
	sess := s.world.session(r.PathValue("sessionId"))
	if sess == nil || (r.PathValue("webinarId") != "" && sess.WebinarID != r.PathValue("webinarId")) {
		notFound(w, "sessionId")
		return nil
	}
	return sess
}

func (s *Sim) getSession(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess := s.sessionFor(w, r); sess != nil {
		m := sessionJSON(sess, nil) // the single resource has no webinar object
		m["attendeeJoinUri"] = "https://v.ringcentral.com/w/a/join/" + sess.ID
		m["videoBridgeId"] = "vb-" + sess.ID
		writeJSON(w, http.StatusOK, m)
	}
}

func (s *Sim) getRegistrationSession(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess := s.sessionFor(w, r); sess != nil {
		writeJSON(w, http.StatusOK, registrationSessionJSON(sess, len(s.world.registrants[sess.ID])))
	}
}

func (s *Sim) listRegistrants(w http.ResponseWriter, r *http.Request) {
	withQ := r.URL.Query().Get("includeQuestionnaire") == "true"
	s.mu.Lock()
	sess := s.sessionFor(w, r)
	if sess == nil {
		s.mu.Unlock()
		return
	}
	var recs []map[string]any
	for _, reg := range s.world.registrants[sess.ID] {
		recs = append(recs, registrantJSON(reg, withQ))
	}
	s.mu.Unlock()
	pageOf(w, r, recs)
}

func (s *Sim) getRegistrant(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessionFor(w, r)
	if sess == nil {
		return
	}
	id := r.PathValue("registrantId")
	i := slices.IndexFunc(s.world.registrants[sess.ID], func(x *Registrant) bool { return x.ID == id })
	if i < 0 {
		notFound(w, "registrantId")
		return
	}
	writeJSON(w, http.StatusOK, registrantJSON(s.world.registrants[sess.ID][i], r.URL.Query().Get("includeQuestionnaire") == "true"))
}

func (s *Sim) getHistorySession(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessionFor(w, r)
	if sess == nil {
		return
	}
	ps := s.world.participants[sess.ID]
	m := map[string]any{"id": sess.ID, "title": sess.Title, "status": sess.Status,
		"creationTime": isoTime(sess.Created), "lastModifiedTime": isoTime(sess.Modified),
		"scheduledStartTime": isoTime(sess.ScheduledStart), "scheduledDuration": int(sess.ScheduledDuration / time.Second),
		"participantCount": len(ps), "attendeeCount": len(ps), "uniqueParticipantCount": len(ps), "uniqueAttendeeCount": len(ps)}
	if !sess.Start.IsZero() {
		m["startTime"] = isoTime(sess.Start)
	}
	if !sess.End.IsZero() {
		m["endTime"] = isoTime(sess.End)
		m["duration"] = int((sess.End.Sub(sess.Start) + time.Second - 1) / time.Second)
	}
	if sess.RuntimeStatus != "" {
		m["runtimeStatus"] = sess.RuntimeStatus
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Sim) listParticipants(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	sess := s.sessionFor(w, r)
	if sess == nil {
		s.mu.Unlock()
		return
	}
	var recs []map[string]any
	for _, p := range s.world.participants[sess.ID] {
		m := map[string]any{"id": p.ID, "firstName": p.FirstName, "lastName": p.LastName, "email": p.Email,
			"role": p.Role, "originalRole": p.Role, "type": "User", "registrantId": p.RegistrantID,
			"joinTime": isoTime(p.Join), "wasEjected": false, "qnaBlocked": false}
		if !p.Leave.IsZero() {
			m["leaveTime"] = isoTime(p.Leave)
		}
		recs = append(recs, m)
	}
	s.mu.Unlock()
	pageOf(w, r, recs)
}

func webinarJSON(web *Webinar) map[string]any {
	return map[string]any{"id": web.ID, "title": web.Title, "description": web.Description,
		"creationTime": isoTime(web.Created), "lastModifiedTime": isoTime(web.Created),
		"settings": map[string]any{"registrationEnabled": true, "recordingEnabled": true, "qnaEnabled": true},
		"host": map[string]any{"entitled": true, "userId": HostUserID, "accountId": AccountID,
			"linkedUser": map[string]any{"userId": HostUserID, "accountId": AccountID, "domain": "pbx"}}}
}

// sessionJSON is a SessionGlobalListEntry; web nil leaves the webinar
// object out, as the single resource does.
func sessionJSON(sess *Session, web *Webinar) map[string]any {
	m := map[string]any{"id": sess.ID, "title": sess.Title, "status": sess.Status,
		"creationTime": isoTime(sess.Created), "lastModifiedTime": isoTime(sess.Modified),
		"scheduledStartTime": isoTime(sess.ScheduledStart), "scheduledDuration": int(sess.ScheduledDuration / time.Second),
		"timeZone": "Europe/Berlin", "localeCode": "en-US", "panelJoinTimeOffset": 900,
		"hostJoinUri": "https://v.ringcentral.com/w/join/" + sess.ID}
	if web != nil {
		m["webinar"] = map[string]any{"id": web.ID, "title": web.Title, "description": web.Description,
			"host": map[string]any{"linkedUser": map[string]any{"userId": HostUserID, "accountId": AccountID, "domain": "pbx"}}}
	}
	return m
}

func registrationSessionJSON(sess *Session, count int) map[string]any {
	status := "Closed"
	if sess.RegistrationOpen {
		status = "Open"
	}
	return map[string]any{"id": sess.ID, "registrationStatus": status, "registrantCount": count,
		"hasRealRegistrants": count > 0, "registrationPageUri": "https://rcsim.webinar.example/register/" + sess.ID}
}

func registrantJSON(r *Registrant, withQuestionnaire bool) map[string]any {
	m := map[string]any{"id": r.ID, "firstName": r.FirstName, "lastName": r.LastName, "email": r.Email,
		"creationTime": isoTime(r.Created), "lastModifiedTime": isoTime(r.Changed), "registrationTime": isoTime(r.Registered),
		"source": r.Source, "registeredPostWebinar": false,
		"joinUri":         "https://v.ringcentral.com/w/a/join/" + r.ID + "?u=" + mailLocal(r.Email),
		"cancellationUri": "https://rcsim.webinar.example/register?action=cancel&r=" + r.ID}
	if r.ParticipantID != "" {
		m["participantId"] = r.ParticipantID
	}
	if withQuestionnaire {
		m["questionnaire"] = []map[string]any{{"questionId": "q-1", "answerIds": []string{"1"}, "answerText": "Yes"}}
	}
	return m
}
