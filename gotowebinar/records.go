package gotowebinar

import "webinarsync/record"

// GoTo's REST answers as the provider-neutral records the store merges.
// GoTo's keys are the store's keys as they are.

// Record is w as the store takes it.
func (w Webinar) Record() record.Webinar {
	times := make([]record.Span, 0, len(w.Times))
	for _, tr := range w.Times {
		times = append(times, record.Span{Start: tr.StartTime.Time, End: tr.EndTime.Time, TimeZone: tr.TimeZone})
	}
	return record.Webinar{
		Key: string(w.WebinarKey), Title: w.Subject, Description: w.Description, TimeZone: w.TimeZone, Times: times,
		OrganizerKey: string(w.OrganizerKey), AccountKey: string(w.AccountKey),
		RecurrenceKey: string(w.RecurrenceKey), RecurrenceType: w.RecurrenceType, ExperienceType: w.ExperienceType,
	}
}

// Record is r as the store takes it.
func (r Registrant) Record() record.Registrant {
	return record.Registrant{
		Key: string(r.RegistrantKey), Profile: r.Profile(), Status: r.Status,
		RegisteredAt: r.RegistrationDate.Time, Source: r.Source, JoinURL: r.JoinURL,
		Responses: []record.Response(r.Responses),
	}
}

// Record is s as the store takes it.
func (s Session) Record() record.Session {
	return record.Session{Key: string(s.SessionKey), Start: s.StartTime.Time, End: s.EndTime.Time, Attended: s.RegistrantsAttended}
}

// Record is a as the store takes it.
func (a Attendee) Record() record.Attendee {
	out := record.Attendee{RegistrantKey: string(a.RegistrantKey), FirstName: a.FirstName, LastName: a.LastName,
		Email: a.Email, Seconds: a.AttendanceTimeInSeconds}
	for _, iv := range a.Attendance {
		out.Intervals = append(out.Intervals, record.Span{Start: iv.JoinTime.Time, End: iv.LeaveTime.Time})
	}
	return out
}

// Records turns a slice of GoTo's answers into the store's records.
func Records[T interface{ Record() R }, R any](items []T) []R {
	out := make([]R, len(items))
	for i, it := range items {
		out[i] = it.Record()
	}
	return out
}
