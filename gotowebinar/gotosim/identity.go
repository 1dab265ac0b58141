package gotosim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Who the token's user is, as GoTo's other services say it. Today's token
// response names only a principal (the e-mail), so a client learns its
// organizer key here: SCIM's "me" (its id is the user key, which GoTo
// Webinar calls the organizer key) or, for account admins, the admin
// API's "me". Both sit at the API origin, not under /G2W/rest/v2.
const (
	IdentityMePath = "/identity/v1/Users/me"
	AdminMePath    = "/admin/rest/v1/me"
)

// IdentityScope is the scope SCIM's "me" needs; the token's scope names it
// unless the sim is told to refuse that endpoint.
const IdentityScope = "identity:scim.me"

// scimUser is SCIM's core User, as GoTo's identity service answers "me".
type scimUser struct {
	Schemas     []string    `json:"schemas"`
	ID          string      `json:"id"`
	UserName    string      `json:"userName"`
	DisplayName string      `json:"displayName"`
	Name        scimName    `json:"name"`
	Emails      []scimEmail `json:"emails"`
	Active      bool        `json:"active"`
	Locale      string      `json:"locale"`
}

type scimName struct {
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

type scimEmail struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Primary bool   `json:"primary"`
}

// usersMe serves GET /identity/v1/Users/me.
func (s *Sim) usersMe(w http.ResponseWriter, r *http.Request) {
	if !s.bearer(w, r) {
		return
	}
	if s.refuseIdentity != 0 {
		// SCIM's error shape (RFC 7644 §3.12), status as text.
		writeJSON(w, s.refuseIdentity, map[string]any{
			"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
			"status":  strconv.Itoa(s.refuseIdentity),
			"detail":  "the token lacks the scope " + IdentityScope,
		})
		return
	}
	writeJSON(w, http.StatusOK, scimUser{
		Schemas:     []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		ID:          s.gen.OrganizerKey(),
		UserName:    OrganizerEmail,
		DisplayName: OrganizerFirstName + " " + OrganizerLastName,
		Name:        scimName{GivenName: OrganizerFirstName, FamilyName: OrganizerLastName},
		Emails:      []scimEmail{{Value: OrganizerEmail, Type: "work", Primary: true}},
		Active:      true,
		Locale:      "en_US",
	})
}

// adminMe serves GET /admin/rest/v1/me. Its keys are bare JSON numbers
// beyond 2^53, as GoTo's admin API sends them, so a client reading them
// through float64 gets them wrong.
func (s *Sim) adminMe(w http.ResponseWriter, r *http.Request) {
	if !s.bearer(w, r) {
		return
	}
	if s.refuseAdmin != 0 {
		writeJSON(w, s.refuseAdmin, map[string]string{"errorCode": "AccessDenied",
			"message": "only account admins may read this", "incident": randomUUID()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	// Written by hand: the point is the bare digits (the names are plain
	// ASCII, which %q quotes as JSON does).
	_, _ = fmt.Fprintf(w, `{"key":%s,"accountKey":%s,"email":%q,"firstName":%q,"lastName":%q,"locale":"en_US","adminRoles":["SUPER_USER"]}`+"\n",
		s.gen.OrganizerKey(), s.gen.AccountKey(), OrganizerEmail, OrganizerFirstName, OrganizerLastName)
}

// bearer answers 401, as GoTo's identity services do, unless the request
// carries a valid access token.
func (s *Sim) bearer(w http.ResponseWriter, r *http.Request) bool {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if strings.EqualFold(scheme, "Bearer") && s.tokenValid(strings.TrimSpace(tok)) {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "the access token is missing, unknown or expired"})
	return false
}

// grantedScope is the token's scope: GoTo Webinar's, and the profile's
// unless SCIM's "me" is to refuse (as for a client without that scope).
func (s *Sim) grantedScope() string {
	if s.refuseIdentity != 0 {
		return "collab:"
	}
	return "collab: " + IdentityScope
}
