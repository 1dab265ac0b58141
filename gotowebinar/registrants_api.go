package gotowebinar

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Registrant is a registrant as GoTo's REST API describes it. The listing
// fills the first eight fields only; GetRegistrant fills the rest too.
type Registrant struct {
	RegistrantKey    Key    `json:"registrantKey"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	Email            string `json:"email"`
	RegistrationDate Time   `json:"registrationDate"`
	Status           string `json:"status"` // APPROVED, WAITING or DENIED
	JoinURL          string `json:"joinUrl,omitempty"`
	TimeZone         string `json:"timeZone,omitempty"`

	Source                  string    `json:"source,omitempty"`
	Phone                   string    `json:"phone,omitempty"`
	Address                 string    `json:"address,omitempty"`
	City                    string    `json:"city,omitempty"`
	State                   string    `json:"state,omitempty"`
	ZipCode                 string    `json:"zipCode,omitempty"`
	Country                 string    `json:"country,omitempty"`
	Organization            string    `json:"organization,omitempty"`
	JobTitle                string    `json:"jobTitle,omitempty"`
	Industry                string    `json:"industry,omitempty"`
	NumberOfEmployees       string    `json:"numberOfEmployees,omitempty"`
	PurchasingRole          string    `json:"purchasingRole,omitempty"`
	PurchasingTimeFrame     string    `json:"purchasingTimeFrame,omitempty"`
	ImplementationTimeFrame string    `json:"implementationTimeFrame,omitempty"`
	QuestionsAndComments    string    `json:"questionsAndComments,omitempty"`
	Type                    string    `json:"type,omitempty"` // REGULAR or LATE
	Unsubscribed            bool      `json:"unsubscribed,omitempty"`
	Responses               Responses `json:"responses,omitempty"`
}

// UnmarshalJSON reads employeeCount as numberOfEmployees when only it is
// given; the spec lists both.
func (r *Registrant) UnmarshalJSON(b []byte) error {
	type plain Registrant
	var raw struct {
		plain
		EmployeeCount string `json:"employeeCount"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("registrant: %w", err)
	}
	*r = Registrant(raw.plain)
	r.NumberOfEmployees = cmp.Or(r.NumberOfEmployees, raw.EmployeeCount)
	return nil
}

// Profile returns the registrant's own fields under the names GoTo's
// events use: REST calls the comments questionsAndComments, and may give
// the time frame as implementationTimeFrame only.
func (r Registrant) Profile() Profile {
	return Profile{
		FirstName: r.FirstName, LastName: r.LastName, Email: r.Email,
		Phone: r.Phone, Address: r.Address, City: r.City, State: r.State, Country: r.Country, ZipCode: r.ZipCode,
		Organization: r.Organization, JobTitle: r.JobTitle, Industry: r.Industry,
		NumberOfEmployees: r.NumberOfEmployees, PurchasingRole: r.PurchasingRole,
		PurchasingTimeFrame: cmp.Or(r.PurchasingTimeFrame, r.ImplementationTimeFrame),
		Comments:            r.QuestionsAndComments,
	}
}

// RegistrantPage is one page of a webinar's registrants. Paged is false
// when GoTo answered with the bare array of all of them.
type RegistrantPage struct {
	Registrants []Registrant
	Total       int
	Page        int
	Limit       int
	Paged       bool
}

// NewRegistrant is a registration to make (the spec's RegistrantFields).
// GoTo requires the first three, and whatever else the webinar's own form
// requires (Client.RegistrationFields): standard fields and answers to its
// questions.
type NewRegistrant struct {
	FirstName            string               `json:"firstName"`
	LastName             string               `json:"lastName"`
	Email                string               `json:"email"`
	Source               string               `json:"source,omitempty"`
	Address              string               `json:"address,omitempty"`
	City                 string               `json:"city,omitempty"`
	State                string               `json:"state,omitempty"`
	ZipCode              string               `json:"zipCode,omitempty"`
	Country              string               `json:"country,omitempty"`
	Phone                string               `json:"phone,omitempty"`
	Organization         string               `json:"organization,omitempty"`
	JobTitle             string               `json:"jobTitle,omitempty"`
	QuestionsAndComments string               `json:"questionsAndComments,omitempty"`
	Industry             string               `json:"industry,omitempty"`
	NumberOfEmployees    string               `json:"numberOfEmployees,omitempty"`
	PurchasingTimeFrame  string               `json:"purchasingTimeFrame,omitempty"`
	PurchasingRole       string               `json:"purchasingRole,omitempty"`
	Responses            []RegistrantResponse `json:"responses,omitempty"`
}

// Fields lists r's standard fields under the names GoTo's registration
// form gives them (RegistrationField.Field), so code that fills in a
// webinar's form field by field can reach every one of them.
func (r *NewRegistrant) Fields() [16]ProfileField {
	return [...]ProfileField{
		{Name: "firstName", Value: &r.FirstName}, {Name: "lastName", Value: &r.LastName}, {Name: "email", Value: &r.Email},
		{Name: "address", Value: &r.Address}, {Name: "city", Value: &r.City}, {Name: "state", Value: &r.State}, {Name: "zipCode", Value: &r.ZipCode},
		{Name: "country", Value: &r.Country}, {Name: "phone", Value: &r.Phone}, {Name: "organization", Value: &r.Organization},
		{Name: "jobTitle", Value: &r.JobTitle}, {Name: "questionsAndComments", Value: &r.QuestionsAndComments},
		{Name: "industry", Value: &r.Industry}, {Name: "numberOfEmployees", Value: &r.NumberOfEmployees},
		{Name: "purchasingTimeFrame", Value: &r.PurchasingTimeFrame}, {Name: "purchasingRole", Value: &r.PurchasingRole},
	}
}

// Field returns where r keeps the standard field a registration form
// names (in any case, or by the other name GoTo's documents give it), or
// nil for a field r cannot send.
func (r *NewRegistrant) Field(name string) *string {
	name = canonicalField(name)
	for _, f := range r.Fields() {
		if f.Name == name {
			return f.Value
		}
	}
	return nil
}

// Registrant is r as GoTo lists it once created at t: what was sent, with
// GoTo's key and join link. Responses are the caller's to add, since only
// the form says what the questions and answer keys are in words
// (RegistrationFields.Describe).
func (r NewRegistrant) Registrant(c CreatedRegistrant, t time.Time) Registrant {
	return Registrant{
		RegistrantKey: c.RegistrantKey, JoinURL: c.JoinURL, RegistrationDate: Time{Time: t},
		FirstName: r.FirstName, LastName: r.LastName, Email: r.Email, Source: r.Source,
		Phone: r.Phone, Address: r.Address, City: r.City, State: r.State, ZipCode: r.ZipCode, Country: r.Country,
		Organization: r.Organization, JobTitle: r.JobTitle, Industry: r.Industry,
		NumberOfEmployees: r.NumberOfEmployees, PurchasingRole: r.PurchasingRole,
		PurchasingTimeFrame: r.PurchasingTimeFrame, QuestionsAndComments: r.QuestionsAndComments,
	}
}

// RegistrantResponse answers one custom question when registering: the
// text for a short answer, the answer's key for a multiple choice.
type RegistrantResponse struct {
	QuestionKey  Key
	ResponseText string
	AnswerKey    Key
}

// MarshalJSON writes the keys as the JSON numbers the spec types them as.
func (a RegistrantResponse) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"questionKey":`)
	b.Write(keyJSON(a.QuestionKey))
	if a.ResponseText != "" {
		t, err := json.Marshal(a.ResponseText)
		if err != nil {
			return nil, err
		}
		b.WriteString(`,"responseText":`)
		b.Write(t)
	}
	if a.AnswerKey != "" {
		b.WriteString(`,"answerKey":`)
		b.Write(keyJSON(a.AnswerKey))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// keyJSON writes a key of digits as a bare number, anything else as text.
func keyJSON(k Key) []byte {
	if isDigits(string(k)) {
		return []byte(k)
	}
	b, _ := json.Marshal(string(k)) // a string always marshals
	return b
}

// CreatedRegistrant is GoTo's answer to a registration.
type CreatedRegistrant struct {
	RegistrantKey Key    `json:"registrantKey"`
	JoinURL       string `json:"joinUrl"`
}

func registrantsPath(organizerKey, webinarKey Key) (string, error) {
	p, err := webinarPath(organizerKey, webinarKey)
	if err != nil {
		return "", err
	}
	return p + "/registrants", nil
}

func registrantPath(organizerKey, webinarKey, registrantKey Key) (string, error) {
	p, err := registrantsPath(organizerKey, webinarKey)
	if err != nil {
		return "", err
	}
	if registrantKey == "" {
		return "", errors.New("gotowebinar: no registrant key given")
	}
	return p + "/" + url.PathEscape(string(registrantKey)), nil
}

// RegistrantsPage returns one page (from 0) of a webinar's registrants,
// limit per page (capped at MaxPageSize). limit 0 asks without paging, and
// GoTo then answers with all of them in a bare array.
func (c *Client) RegistrantsPage(ctx context.Context, organizerKey, webinarKey Key, page, limit int) (RegistrantPage, error) {
	path, err := registrantsPath(organizerKey, webinarKey)
	if err != nil {
		return RegistrantPage{}, err
	}
	var q url.Values
	if limit > 0 {
		q = url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(min(limit, MaxPageSize))}}
	}
	raw, err := c.send(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return RegistrantPage{}, err
	}
	out, err := decodeRegistrantPage(raw)
	if err != nil {
		return RegistrantPage{}, fmt.Errorf("gotowebinar: GET %s: GoTo's answer is not a list of registrants: %w", path, err)
	}
	return out, nil
}

// decodeRegistrantPage reads either answer GoTo gives: the bare array
// (RegistrantArray) or {data, total, page, limit, pageSize}.
func decodeRegistrantPage(raw []byte) (RegistrantPage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return RegistrantPage{}, nil
	}
	if raw[0] == '[' {
		var rs []Registrant
		if err := json.Unmarshal(raw, &rs); err != nil {
			return RegistrantPage{}, err
		}
		return RegistrantPage{Registrants: rs, Total: len(rs), Limit: len(rs)}, nil
	}
	var p struct {
		Data  []Registrant `json:"data"`
		Total int          `json:"total"`
		Page  int          `json:"page"`
		Limit int          `json:"limit"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return RegistrantPage{}, err
	}
	return RegistrantPage{Registrants: p.Data, Total: p.Total, Page: p.Page, Limit: p.Limit, Paged: true}, nil
}

// LastPage reports whether p, asked for as page number with limit, is the
// listing's last.
func (p RegistrantPage) LastPage(number, limit int) bool {
	if p.Limit > 0 {
		limit = p.Limit // GoTo's own page size, should it cap ours
	}
	return !p.Paged || len(p.Registrants) == 0 || (number+1)*limit >= p.Total
}

// ListRegistrants lists every registrant of a webinar, page by page.
func (c *Client) ListRegistrants(ctx context.Context, organizerKey, webinarKey Key) ([]Registrant, error) {
	var all []Registrant
	seen := map[Key]bool{}
	for page := 0; page < maxPages; page++ {
		p, err := c.RegistrantsPage(ctx, organizerKey, webinarKey, page, c.pageSize)
		if err != nil {
			return nil, err
		}
		for _, r := range p.Registrants {
			// Someone registering while we page shifts the rest by one.
			if !seen[r.RegistrantKey] {
				seen[r.RegistrantKey] = true
				all = append(all, r)
			}
		}
		if p.LastPage(page, c.pageSize) {
			break
		}
	}
	return all, nil
}

// PageSize is how many items the Client asks for per page.
func (c *Client) PageSize() int { return c.pageSize }

// GetRegistrant returns one registrant with every field of its registration.
func (c *Client) GetRegistrant(ctx context.Context, organizerKey, webinarKey, registrantKey Key) (Registrant, error) {
	path, err := registrantPath(organizerKey, webinarKey, registrantKey)
	if err != nil {
		return Registrant{}, err
	}
	var r Registrant
	if err := c.call(ctx, http.MethodGet, path, nil, nil, &r); err != nil {
		return Registrant{}, err
	}
	if r.RegistrantKey == "" {
		r.RegistrantKey = registrantKey
	}
	return r, nil
}

// CreateRegistrant registers someone for a webinar. GoTo answers 409
// (IsConflict) when they are registered already. resend re-sends the
// confirmation e-mail to someone registering again.
func (c *Client) CreateRegistrant(ctx context.Context, organizerKey, webinarKey Key, r NewRegistrant, resend bool) (CreatedRegistrant, error) {
	path, err := registrantsPath(organizerKey, webinarKey)
	if err != nil {
		return CreatedRegistrant{}, err
	}
	var q url.Values
	if resend {
		q = url.Values{"resendConfirmation": {"true"}}
	}
	// The client asks with Accept: application/json, the version of this
	// call that takes every field, not only the name and e-mail.
	var out CreatedRegistrant
	if err := c.call(ctx, http.MethodPost, path, q, r, &out); err != nil {
		return CreatedRegistrant{}, err
	}
	if out.RegistrantKey == "" {
		return CreatedRegistrant{}, fmt.Errorf("gotowebinar: POST %s: GoTo's answer has no registrantKey", path)
	}
	return out, nil
}

// DeleteRegistrant removes a registration; GoTo allows it only for a
// scheduled, future webinar.
func (c *Client) DeleteRegistrant(ctx context.Context, organizerKey, webinarKey, registrantKey Key) error {
	path, err := registrantPath(organizerKey, webinarKey, registrantKey)
	if err != nil {
		return err
	}
	return c.call(ctx, http.MethodDelete, path, nil, nil, nil)
}
