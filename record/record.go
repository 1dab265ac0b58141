// Package record holds the provider-neutral records the store takes,
// whatever provider told of them: a webinar, a registrant, a session and
// who attended it. GoTo's and RingCentral's clients turn their answers into
// these; the store merges them into its views. Keys are as the store keeps
// them: GoTo's bare, every other provider's namespaced (store.ProviderKey).
package record

import (
	"strings"
	"time"
)

// Profile is what registrants tell about themselves on the registration
// form, under the names GoTo's events give it (the first provider's names,
// which every provider's registrants are kept under). Events and the
// store embed it; Fields walks it, so code that treats every field alike (merging,
// export) cannot miss one. It has no JSON methods, so where it is embedded
// its fields stay flat in the JSON (events, and records already stored).
type Profile struct {
	FirstName           string `json:"firstName"`
	LastName            string `json:"lastName"`
	Email               string `json:"email"`
	Phone               string `json:"phone,omitempty"`
	Address             string `json:"address,omitempty"`
	City                string `json:"city,omitempty"`
	State               string `json:"state,omitempty"`
	Country             string `json:"country,omitempty"`
	ZipCode             string `json:"zipCode,omitempty"`
	Organization        string `json:"organization,omitempty"`
	JobTitle            string `json:"jobTitle,omitempty"`
	Industry            string `json:"industry,omitempty"` // the guide spells it "Industry"; decoding is case-insensitive
	NumberOfEmployees   string `json:"numberOfEmployees,omitempty"`
	PurchasingRole      string `json:"purchasingRole,omitempty"`
	PurchasingTimeFrame string `json:"purchasingTimeFrame,omitempty"`
	Comments            string `json:"comments,omitempty"`
}

// ProfileField is one field of a Profile: its name in GoTo's events (and
// in the registrants CSV) and where its value is.
type ProfileField struct {
	Name  string
	Value *string
}

// Fields lists p's fields in the order of the struct. It is an array so
// that walking it allocates nothing: the CSV export does so once a row.
func (p *Profile) Fields() [16]ProfileField {
	return [...]ProfileField{
		{"firstName", &p.FirstName}, {"lastName", &p.LastName}, {"email", &p.Email},
		{"phone", &p.Phone}, {"address", &p.Address}, {"city", &p.City}, {"state", &p.State},
		{"country", &p.Country}, {"zipCode", &p.ZipCode}, {"organization", &p.Organization},
		{"jobTitle", &p.JobTitle}, {"industry", &p.Industry}, {"numberOfEmployees", &p.NumberOfEmployees},
		{"purchasingRole", &p.PurchasingRole}, {"purchasingTimeFrame", &p.PurchasingTimeFrame},
		{"comments", &p.Comments},
	}
}

// Response is one answer to an organizer's custom registration question.
type Response struct {
	Question string   `json:"question"`
	Type     string   `json:"type,omitempty"` // MULTIPLE_CHOICE or SHORT_ANSWER when GoTo says
	Answers  []string `json:"answers"`
}

// Answer joins the answers for display and CSV cells.
func (r Response) Answer() string { return strings.Join(r.Answers, "; ") }

// Span is a stretch of time: a webinar's scheduled time, or one stretch
// between joining and leaving.
type Span struct {
	Start, End time.Time
	TimeZone   string // the zone the provider gave for it, if any
}

// Webinar is a webinar as a provider's API lists it now.
type Webinar struct {
	Key            string
	Title          string
	Description    string
	TimeZone       string
	Times          []Span // its sessions' scheduled times
	OrganizerKey   string
	AccountKey     string
	RecurrenceKey  string
	RecurrenceType string // GoTo's single_session, series or sequence
	ExperienceType string // GoTo's CLASSIC, BROADCAST or SIMULIVE
}

// Registrant is one registration as a provider's API gives it.
type Registrant struct {
	Key string
	Profile
	Status       string // as the provider spells it (GoTo's APPROVED, WAITING, DENIED)
	RegisteredAt time.Time
	Source       string // where they registered from, in the provider's words
	JoinURL      string
	Responses    []Response
}

// Session is one held (or running) session of a webinar.
type Session struct {
	Key        string
	Start, End time.Time
	Attended   int // how many attended, as the provider counts them (0: it does not say)
}

// Attendee is one registrant's attendance of one session.
type Attendee struct {
	RegistrantKey string
	FirstName     string
	LastName      string
	Email         string
	Seconds       int64  // time attended, as the provider counts it
	Intervals     []Span // Start is when they joined, End when they left
}

// Join is someone joining a session, as a provider told of it (GoTo's
// registrant.joined, RingCentral's participants polled while it runs).
type Join struct {
	SessionKey    string
	RegistrantKey string
	FirstName     string
	LastName      string
	Email         string
	At            time.Time
}
