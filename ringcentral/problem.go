package ringcentral

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ErrNotLoggedIn: there is no RingCentral login to call the API with.
var ErrNotLoggedIn = errors.New("not logged in to RingCentral")

// ProblemKind names what went wrong talking to RingCentral.
type ProblemKind string

// The kinds of Problem. ui turns each into words.
const (
	ProblemOther          ProblemKind = "other"           // nothing more is known: details are in the log
	ProblemInterrupted    ProblemKind = "interrupted"     // webinarsync stopped (context cancelled)
	ProblemNotLoggedIn    ProblemKind = "not_logged_in"   // no login to call RingCentral with
	ProblemLoginExpired   ProblemKind = "login_expired"   // 401, or the refresh refused (invalid_grant): log in again
	ProblemLoginRefused   ProblemKind = "login_refused"   // the token endpoint refused a login (Reason: its error)
	ProblemForbidden      ProblemKind = "forbidden"       // 403: a missing app permission, licence or user role
	ProblemNotFound       ProblemKind = "not_found"       // 404
	ProblemRateLimited    ProblemKind = "rate_limited"    // 429 outlasting our retries
	ProblemDown           ProblemKind = "down"            // 5xx
	ProblemAddressRefused ProblemKind = "address_refused" // RingCentral could not validate our webhook address (SUB-520, SUB-525, CMN-101 on deliveryMode.address)
	ProblemRefused        ProblemKind = "refused"         // any other 4xx
	ProblemUnreachable    ProblemKind = "unreachable"     // the network: RingCentral could not be reached
	ProblemTimeout        ProblemKind = "timeout"         // RingCentral did not answer in time
	ProblemBadAnswer      ProblemKind = "bad_answer"      // RingCentral's answer could not be read
)

// Problem is an error talking to RingCentral, classified so the UI can
// say it in words, and plain data so a last problem survives a restart.
type Problem struct {
	Kind   ProblemKind `json:"kind"`
	Status int         `json:"status,omitempty"` // the HTTP status, when RingCentral answered
	Code   string      `json:"code,omitempty"`   // RingCentral's errorCode (CMN-301, OAU-210, SUB-520…) or OAuth error
	Reason string      `json:"reason,omitempty"` // RingCentral's own message
	Host   string      `json:"host,omitempty"`   // the host that could not be reached
}

// APIError is an answer from RingCentral's REST API other than 2xx.
type APIError struct {
	Method, Path string
	Status       int
	Codes        []string // every errors[].errorCode (and a top-level errorCode), in order
	Message      string   // the first message
	Parameter    string   // the first errors[].parameterName, e.g. deliveryMode.address
	Group        string   // X-Rate-Limit-Group, when sent
	RetryAfter   time.Duration
}

// Code is RingCentral's first errorCode, or "".
func (e *APIError) Code() string {
	if len(e.Codes) == 0 {
		return ""
	}
	return e.Codes[0]
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ringcentral: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if len(e.Codes) > 0 {
		b.WriteString(": " + strings.Join(e.Codes, ","))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// addressRefused reports whether RingCentral refused a subscription
// because its validation request to our address failed.
func (e *APIError) addressRefused() bool {
	if e.Status != http.StatusBadRequest {
		return false
	}
	if slices.Contains(e.Codes, "SUB-520") || slices.Contains(e.Codes, "SUB-525") {
		return true
	}
	return slices.Contains(e.Codes, "CMN-101") &&
		(strings.Contains(e.Parameter, "address") || strings.Contains(e.Message, "deliveryMode.address"))
}

// IsNotFound reports whether err is RingCentral answering 404.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// apiErrorBody is every error shape RingCentral uses: OAuth's error and
// error_description, errors[] (ApiErrorResponseModel, with parameterName
// on 400s), and the older top-level errorCode and message.
type apiErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCode        string `json:"errorCode"`
	Message          string `json:"message"`
	Errors           []struct {
		ErrorCode     string `json:"errorCode"`
		Message       string `json:"message"`
		ParameterName string `json:"parameterName"`
	} `json:"errors"`
}

func (b apiErrorBody) codes() []string {
	var cs []string
	for _, e := range b.Errors {
		if e.ErrorCode != "" && !slices.Contains(cs, e.ErrorCode) {
			cs = append(cs, e.ErrorCode)
		}
	}
	if b.ErrorCode != "" && !slices.Contains(cs, b.ErrorCode) {
		cs = append(cs, b.ErrorCode)
	}
	return cs
}

func (b apiErrorBody) message() string {
	for _, e := range b.Errors {
		if e.Message != "" {
			return e.Message
		}
	}
	return cmp.Or(b.Message, b.ErrorDescription)
}

func (b apiErrorBody) parameter() string {
	for _, e := range b.Errors {
		if e.ParameterName != "" {
			return e.ParameterName
		}
	}
	return ""
}

// Classify says what kind of problem err is.
func Classify(err error) Problem {
	var (
		apiErr  *APIError
		tokErr  *TokenError
		urlErr  *url.Error
		netErr  net.Error
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case err == nil:
		return Problem{}
	case errors.Is(err, context.Canceled):
		return Problem{Kind: ProblemInterrupted}
	case errors.Is(err, ErrNotLoggedIn):
		return Problem{Kind: ProblemNotLoggedIn}
	case errors.Is(err, ErrLoginExpired):
		p := Problem{Kind: ProblemLoginExpired}
		if errors.As(err, &tokErr) {
			p.Status, p.Code, p.Reason = tokErr.Status, tokenErrorCode(tokErr), tokErr.Description
		}
		return p
	case errors.As(err, &apiErr):
		return classifyAPIError(apiErr)
	case errors.As(err, &tokErr):
		return classifyTokenError(tokErr)
	case errors.Is(err, context.DeadlineExceeded):
		return Problem{Kind: ProblemTimeout}
	case errors.As(err, &urlErr), errors.As(err, &netErr):
		p := Problem{Kind: ProblemUnreachable}
		if netErr != nil && netErr.Timeout() {
			p.Kind = ProblemTimeout
		}
		if urlErr != nil {
			if u, perr := url.Parse(urlErr.URL); perr == nil {
				p.Host = u.Host
			}
		}
		return p
	case errors.As(err, &syntax), errors.As(err, &typeErr):
		return Problem{Kind: ProblemBadAnswer}
	}
	return Problem{Kind: ProblemOther}
}

func tokenErrorCode(e *TokenError) string {
	if len(e.ErrorCodes) > 0 {
		return e.ErrorCodes[0]
	}
	return e.Code
}

func classifyTokenError(e *TokenError) Problem {
	p := Problem{Status: e.Status, Code: tokenErrorCode(e), Reason: cmp.Or(e.Description, e.Code)}
	switch {
	case e.Status == http.StatusTooManyRequests:
		p.Kind = ProblemRateLimited
	case e.Status >= 500:
		p.Kind = ProblemDown
	default:
		// A refusal at login; one while refreshing is wrapped in
		// ErrLoginExpired and classified before this.
		p.Kind = ProblemLoginRefused
	}
	return p
}

func classifyAPIError(e *APIError) Problem {
	p := Problem{Status: e.Status, Code: e.Code(), Reason: e.Message}
	switch {
	case e.Status == http.StatusUnauthorized:
		p.Kind = ProblemLoginExpired
	case e.Status == http.StatusTooManyRequests:
		p.Kind = ProblemRateLimited
	case e.Status >= 500:
		p.Kind = ProblemDown
	case e.Status == http.StatusNotFound:
		p.Kind = ProblemNotFound
	case e.Status == http.StatusForbidden:
		p.Kind = ProblemForbidden
	case e.addressRefused():
		p.Kind = ProblemAddressRefused
	default:
		p.Kind = ProblemRefused
	}
	return p
}

// Isolated reports whether err spoils one item only: RingCentral refused
// that request (a 4xx other than 401 or 429), or its answer could not be
// read. Anything else (the network, RingCentral down, the login) is worth
// stopping for.
func Isolated(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Status >= 400 && apiErr.Status < 500 &&
			apiErr.Status != http.StatusUnauthorized && apiErr.Status != http.StatusTooManyRequests
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	return errors.As(err, &syntaxErr) || errors.As(err, &typeErr)
}
