package gotowebinar

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// ErrNotLoggedIn: there is no GoTo login to call the API with.
var ErrNotLoggedIn = errors.New("not logged in to GoTo")

// ProblemKind names what went wrong talking to GoTo.
type ProblemKind string

// The kinds of Problem. ui turns each into words.
const (
	ProblemOther           ProblemKind = "other"            // nothing more is known: details are in the log
	ProblemInterrupted     ProblemKind = "interrupted"      // webinarsync stopped (context cancelled)
	ProblemNotLoggedIn     ProblemKind = "not_logged_in"    // no login to call GoTo with
	ProblemLoginExpired    ProblemKind = "login_expired"    // GoTo refused the refresh or the access token
	ProblemLoginRefused    ProblemKind = "login_refused"    // GoTo's token endpoint refused (Reason: its error and description)
	ProblemTimeout         ProblemKind = "timeout"          // GoTo did not answer in time
	ProblemRateLimited     ProblemKind = "rate_limited"     // 429 outlasting our retries
	ProblemGoToDown        ProblemKind = "goto_down"        // 5xx
	ProblemNotFound        ProblemKind = "not_found"        // 404
	ProblemForbidden       ProblemKind = "forbidden"        // 403 other than a refused token
	ProblemConflict        ProblemKind = "conflict"         // 409: for a registrant, registered already
	ProblemCallbackRefused ProblemKind = "callback_refused" // 400 about the callback URL: GoTo could not reach us
	ProblemRefused         ProblemKind = "refused"          // any other 4xx
	ProblemUnreachable     ProblemKind = "unreachable"      // the network: GoTo could not be reached
	ProblemBadAnswer       ProblemKind = "bad_answer"       // GoTo's answer could not be read
)

// Problem is an error talking to GoTo, classified so the UI can say it in
// words, and plain data so a sync's last problem survives a restart.
type Problem struct {
	Kind   ProblemKind `json:"kind"`
	Status int         `json:"status,omitempty"` // GoTo's HTTP status, when it answered
	Reason string      `json:"reason,omitempty"` // GoTo's own message or code
	Host   string      `json:"host,omitempty"`   // the host that could not be reached
}

// Classify says what kind of problem err is.
func Classify(err error) Problem {
	var (
		apiErr   *APIError
		retrieve *oauth2.RetrieveError
		urlErr   *url.Error
		netErr   net.Error
		syntax   *json.SyntaxError
		typeErr  *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return Problem{Kind: ProblemInterrupted}
	case errors.Is(err, ErrNotLoggedIn):
		return Problem{Kind: ProblemNotLoggedIn}
	case errors.Is(err, ErrLoginExpired), IsInvalidToken(err):
		return Problem{Kind: ProblemLoginExpired}
	case errors.As(err, &apiErr):
		return classifyAPIError(apiErr)
	case errors.As(err, &retrieve) && retrieve.ErrorCode != "":
		reason := retrieve.ErrorCode
		if retrieve.ErrorDescription != "" {
			reason += " (" + retrieve.ErrorDescription + ")"
		}
		return Problem{Kind: ProblemLoginRefused, Reason: reason}
	case errors.Is(err, context.DeadlineExceeded):
		return Problem{Kind: ProblemTimeout}
	case errors.As(err, &urlErr), errors.As(err, &netErr):
		p := Problem{Kind: ProblemUnreachable}
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

func classifyAPIError(e *APIError) Problem {
	p := Problem{Status: e.Status, Reason: cmp.Or(e.Message, e.Code)}
	switch {
	case e.Status == http.StatusTooManyRequests:
		p.Kind = ProblemRateLimited
	case e.Status >= 500:
		p.Kind = ProblemGoToDown
	case e.Status == http.StatusNotFound:
		p.Kind = ProblemNotFound
	case e.Status == http.StatusForbidden:
		p.Kind = ProblemForbidden
	case e.Status == http.StatusConflict:
		p.Kind = ProblemConflict
	case e.Status == http.StatusBadRequest && strings.Contains(strings.ToLower(p.Reason), "callback"):
		p.Kind = ProblemCallbackRefused
	default:
		p.Kind = ProblemRefused
	}
	return p
}

// Isolated reports whether err spoils one item only: GoTo refused that
// request (a 4xx other than a refused token or its rate limit), or its
// answer could not be read. Anything else (the network, GoTo down, the
// login, the disk) is worth stopping for.
func Isolated(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Status >= 400 && apiErr.Status < 500 && !apiErr.InvalidToken() && apiErr.Status != http.StatusTooManyRequests
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	return errors.As(err, &syntaxErr) || errors.As(err, &typeErr)
}
