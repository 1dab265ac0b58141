package gotowebinar

import "strings"

// Subject names who or what the event is about, for a line a person
// reads: the registrant's name and e-mail, or the webinar's title; "" when
// the event says neither.
func (e *Event) Subject() string {
	person := func(first, last, email string) string {
		name := strings.TrimSpace(first + " " + last)
		switch {
		case name != "" && email != "":
			return name + " <" + email + ">"
		case name != "":
			return name
		}
		return email
	}
	switch {
	case e.RegistrantAdded != nil:
		return person(e.RegistrantAdded.FirstName, e.RegistrantAdded.LastName, e.RegistrantAdded.Email)
	case e.RegistrantJoined != nil:
		return person(e.RegistrantJoined.FirstName, e.RegistrantJoined.LastName, e.RegistrantJoined.Email)
	case e.Webinar != nil:
		return e.Webinar.WebinarTitle
	}
	return ""
}
