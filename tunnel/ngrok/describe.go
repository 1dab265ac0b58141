package ngrok

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	ngrokgo "golang.ngrok.com/ngrok/v2"
)

const tokenPage = "https://dashboard.ngrok.com/get-started/your-authtoken"

// ErrNoAuthtoken means no ngrok authtoken is configured: without one ngrok
// refuses to connect (and ngrok-go would keep retrying), so we do not try.
var ErrNoAuthtoken = errors.New("live events need an ngrok authtoken: set NGROK_AUTHTOKEN (or enter it on the settings page); " +
	"get yours, free, at " + tokenPage)

// errDomain is a domain setting we can tell is wrong without asking ngrok.
type errDomain struct{ domain, why string }

func (e *errDomain) Error() string {
	return fmt.Sprintf("the ngrok domain %q (NGROK_DOMAIN) %s: give only the host name of your static domain, e.g. my-name.ngrok-free.app",
		e.domain, e.why)
}

// errListenTimeout is Listen's deadline passing; last is the last thing
// ngrok-go reported meanwhile, if anything.
type errListenTimeout struct {
	after time.Duration
	last  error
}

func (e *errListenTimeout) Error() string {
	s := fmt.Sprintf("ngrok did not answer within %s: check your internet connection", seconds(e.after))
	if e.last != nil {
		s += " (last error: " + cleanMessage(e.last.Error()) + ")"
	}
	return s
}

func (e *errListenTimeout) Unwrap() error { return context.DeadlineExceeded }

func seconds(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return d.String()
}

// codeText is what an ngrok error code means for the organizer, for the
// codes people meet (https://ngrok.com/docs/errors); ok is false for the rest.
func codeText(n string) (text string, ok bool) {
	switch n {
	case "105", "106", "107":
		return "ngrok refused the authtoken: copy it again from " + tokenPage, true
	case "4018":
		return "ngrok needs a verified account for this: sign up at https://dashboard.ngrok.com/signup and copy your authtoken from " + tokenPage, true
	case "108":
		return "another ngrok agent is already running on this account (a free account allows one at a time): " +
			"stop the other one (the ngrok program, or another webinarsync) and this one connects on its next try", true
	case "120", "121":
		return "ngrok no longer accepts this version of its library: update webinarsync", true
	case "313", "314", "319", "7117", "7118", "15000":
		return "ngrok will not give you this domain: it is not reserved on your ngrok account, or your plan does not allow it; " +
			"claim your free static domain at https://dashboard.ngrok.com/domains and set exactly that name, or leave NGROK_DOMAIN empty for a random address", true
	case "15002":
		return "your ngrok plan needs a reserved domain: claim your free static domain at https://dashboard.ngrok.com/domains and set it as NGROK_DOMAIN", true
	case "320", "414":
		return "this domain belongs to another ngrok account: use the authtoken of the account that reserved it, or a domain of your own account", true
	case "334":
		return "this address is already online from another ngrok agent (another copy of webinarsync?): stop that one; this one keeps trying", true
	case "9030", "9035", "9037":
		return "the ngrok domain is not a valid address: give only the host name of your static domain, e.g. my-name.ngrok-free.app", true
	}
	return "", false
}

// permanentCode says the code will not go away by trying again: a new
// token, domain or build is needed, so we wait for Reconfigure.
func permanentCode(n string) bool {
	switch n {
	case "105", "106", "107", "4018", "120", "121",
		"313", "314", "319", "320", "414", "7117", "7118", "15000", "15002",
		"9030", "9035", "9037":
		return true
	}
	return false
}

var (
	codeRE      = regexp.MustCompile(`(?i)\bERR_NGROK_(\d+)\b`)
	tokenLineRE = regexp.MustCompile(`(?i)(your (?:authtoken|credential):\s*)\S+`)
	docsLinkRE  = regexp.MustCompile(`(?i)https://ngrok\.com/docs/errors/err_ngrok_\d+`)
	spaceRE     = regexp.MustCompile(`\s+`)
)

// Describe puts an error from ngrok into words an organizer can act on,
// keeping ngrok's ERR_NGROK_nnn code in the text.
func Describe(err error) string { return describe(err, DefaultListenTimeout) }

func describe(err error, timeout time.Duration) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, ErrNoAuthtoken) {
		return ErrNoAuthtoken.Error()
	}
	var de *errDomain
	if errors.As(err, &de) {
		return de.Error()
	}
	if n := errorCode(err); n != "" {
		code := "ERR_NGROK_" + n
		if w, ok := codeText(n); ok {
			return w + " (" + code + ")"
		}
		msg := strings.TrimSpace(strings.ReplaceAll(cleanMessage(err.Error()), code, ""))
		msg = strings.TrimRight(msg, " :;,.")
		return fmt.Sprintf("ngrok error %s: %s (see https://ngrok.com/docs/errors/err_ngrok_%s)", code, msg, n)
	}
	var lt *errListenTimeout
	if errors.As(err, &lt) {
		return lt.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return (&errListenTimeout{after: timeout}).Error()
	}
	if errors.Is(err, context.Canceled) {
		return "connecting to ngrok was stopped"
	}
	msg := cleanMessage(err.Error())
	if strings.Contains(msg, "failed to dial ngrok server") {
		return "could not reach ngrok: check your internet connection (" + msg + ")"
	}
	return "ngrok: " + msg
}

// errorCode is the number of the ERR_NGROK_nnn code err carries, or "".
func errorCode(err error) string {
	var ne ngrokgo.Error
	if errors.As(err, &ne) {
		if m := codeRE.FindStringSubmatch(ne.Code()); m != nil {
			return m[1]
		}
	}
	if m := codeRE.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return ""
}

// permanent says trying again with the same settings cannot help.
func permanent(err error) bool {
	var de *errDomain
	return errors.Is(err, ErrNoAuthtoken) || errors.As(err, &de) || permanentCode(errorCode(err))
}

// cleanMessage makes ngrok's multi-line text one short line without the
// token ngrok echoes back ("Your authtoken: …") or the docs link.
func cleanMessage(s string) string {
	s = tokenLineRE.ReplaceAllString(s, "${1}[hidden]")
	s = docsLinkRE.ReplaceAllString(s, "")
	s = strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
	const max = 300
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// MaskToken shows enough of a token to recognise it ("2ab…xyz9") and
// never the whole of it: at most a third of its characters.
func MaskToken(tok string) string {
	r := []rune(strings.TrimSpace(tok))
	switch n := len(r); {
	case n == 0:
		return ""
	case n < 12:
		return "…"
	case n < 24:
		return string(r[:2]) + "…" + string(r[n-2:])
	default:
		return string(r[:3]) + "…" + string(r[n-4:])
	}
}

// redact hides tok wherever it appears in s, and whatever ngrok echoes
// after "Your authtoken:".
func redact(s, tok string) string {
	if tok != "" && strings.Contains(s, tok) {
		s = strings.ReplaceAll(s, tok, MaskToken(tok))
	}
	return tokenLineRE.ReplaceAllString(s, "${1}[hidden]")
}
