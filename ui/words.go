package ui

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"webinarsync/forward"
	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/catchup"
	"webinarsync/gotowebinar/login"
	"webinarsync/gotowebinar/reconcile"
	"webinarsync/store"
)

// This file is where the states the GoTo side reports become the
// organizer's words: the login, the webhooks, the catch-up sync and what
// GoTo refused. Everything else in ui shows these words; nothing below ui
// writes sentences for people.

// doing is what we asked of GoTo when it failed us: it decides what the
// organizer is told happens next.
type doing int

const (
	settingUpWebhooks   doing = iota // retried in the background
	removingWebhooks                 // the organizer may try again
	syncing                          // the next sync continues
	changingRegistrants              // the organizer may try again
)

// next says what happens after a failure that may pass.
func (d doing) next() string {
	switch d {
	case settingUpWebhooks:
		return "trying again shortly"
	case syncing:
		return "the next sync continues"
	}
	return "try again in a moment"
}

// describe says in the organizer's words what went wrong with GoTo.
// callback is the address GoTo was to deliver to, "" when not known.
func describe(p gotowebinar.Problem, d doing, callback string) string {
	reason := cmp.Or(p.Reason, http.StatusText(p.Status))
	switch p.Kind {
	case gotowebinar.ProblemInterrupted:
		return "It was interrupted: webinarsync stopped."
	case gotowebinar.ProblemNotLoggedIn:
		return "Not logged in to GoTo."
	case gotowebinar.ProblemLoginExpired:
		return "Your GoTo session expired: log in again."
	case gotowebinar.ProblemLoginRefused:
		return "GoTo said: " + p.Reason + ". Check the OAuth client in Settings, then try again."
	case gotowebinar.ProblemTimeout:
		return "GoTo did not answer in time; " + d.next() + "."
	case gotowebinar.ProblemRateLimited:
		return "GoTo asked us to slow down (too many requests); " + d.next() + "."
	case gotowebinar.ProblemGoToDown:
		return fmt.Sprintf("GoTo had a problem on its side (HTTP %d); %s.", p.Status, d.next())
	case gotowebinar.ProblemUnreachable:
		host := "GoTo"
		if p.Host != "" {
			host = "GoTo (" + p.Host + ")"
		}
		return "Could not reach " + host + ": check this computer's internet connection; " + d.next() + "."
	case gotowebinar.ProblemBadAnswer:
		return "GoTo's answer was not what we expected; details are in the log."
	case gotowebinar.ProblemCallbackRefused:
		if d == settingUpWebhooks && callback != "" {
			return "GoTo could not reach this computer at " + callback +
				" (it checks the address before delivering). Is the tunnel online? Trying again shortly."
		}
	case gotowebinar.ProblemForbidden:
		if mentionsScope(p.Reason) {
			return "GoTo refused because the OAuth client lacks the GoTo Webinar scope (" + gotowebinar.ScopeCollab +
				"): tick it on the client in GoTo's developer portal, then log out and log in again so GoTo grants it."
		}
		if d == settingUpWebhooks {
			return "GoTo refused: your GoTo account may not be allowed to manage webhooks (" + reason + ")."
		}
		return "GoTo refused: your GoTo account may not be allowed to do this (" + reason + ")."
	case gotowebinar.ProblemNotFound:
		switch d {
		case settingUpWebhooks:
			return "GoTo no longer knows one of our webhooks; setting it up again shortly."
		case changingRegistrants:
			return "GoTo does not know this webinar (cancelled, or of another organizer)."
		}
		return "GoTo no longer has it (deleted or cancelled)."
	case gotowebinar.ProblemConflict:
		if d == changingRegistrants {
			return "GoTo says this e-mail address is registered already."
		}
	case gotowebinar.ProblemOther:
		if d == settingUpWebhooks {
			return "Setting up the webhooks at GoTo failed; details are in the log. Trying again shortly."
		}
		return "Something went wrong talking to GoTo; details are in the log."
	}
	if d == settingUpWebhooks {
		return "GoTo refused to set up the webhooks: " + reason + "."
	}
	return "GoTo refused: " + reason + "."
}

// mentionsScope reports whether GoTo's refusal is about the token's scope
// rather than the account's rights.
func mentionsScope(reason string) bool {
	return strings.Contains(strings.ToLower(reason), "scope")
}

// loginWords is the login's state for the pages. keysKnown says whether
// deliveries can be verified while logged out.
func loginWords(st login.State, hooks reconcile.Status, demo, keysKnown bool, callback string) LoginStatus {
	name := st.Identity.Name()
	switch {
	case demo && st.Status == login.LoggedOut:
		return LoginStatus{State: LoginDemo, Organizer: "Built-in simulator",
			Detail: "Demo mode: not logged in to the built-in simulator. Restart with -demo to log in again."}
	case demo:
		return LoginStatus{State: LoginDemo, Organizer: name + " — built-in simulator",
			Detail: "Demo mode: logged in to the built-in GoTo simulator with the same OAuth login and webhook setup a real GoTo account gets."}
	case st.Status == login.LoggedOut:
		detail := "Log in with GoTo so webinarsync can set up its webhooks."
		switch {
		case !st.Configured && keysKnown:
			detail = "Not logged in to GoTo. Deliveries signed with a known secret key are still received and stored. To log in, enter your GoTo OAuth client in Settings."
		case !st.Configured:
			detail = "Not logged in to GoTo. No webhook secret key is known yet, so deliveries are refused until one is (set WEBINARSYNC_WEBHOOK_SECRET). To log in, enter your GoTo OAuth client in Settings."
		case keysKnown:
			detail += " Meanwhile, deliveries signed with a known secret key are still received and stored."
		}
		return LoginStatus{State: LoginLoggedOut, Detail: detail}
	case st.Status == login.Expired:
		return LoginStatus{State: LoginExpired, Organizer: name,
			Detail: "Your GoTo session expired: log in again. Events GoTo still delivers are received and stored meanwhile."}
	}
	return LoginStatus{State: LoginLoggedIn, Organizer: name, Detail: webhookProblemWords(hooks, callback)}
}

// webhookProblemWords says what went wrong in the last webhook setup, ""
// when nothing did.
func webhookProblemWords(hooks reconcile.Status, callback string) string {
	switch {
	case hooks.WaitingForTunnel:
		return "Waiting for the tunnel: GoTo needs a public address to deliver to."
	case hooks.Problem != nil:
		return describe(*hooks.Problem, settingUpWebhooks, callback)
	}
	return ""
}

// webhookWords is each event's webhook for the pages; last says when an
// event was last delivered.
func webhookWords(st login.State, hooks reconcile.Status, demo bool, callback string, last func(event string) time.Time) []WebhookStatus {
	problem := webhookProblemWords(hooks, callback)
	out := make([]WebhookStatus, 0, len(hooks.Hooks))
	for _, h := range hooks.Hooks {
		ws := WebhookStatus{EventName: h.EventName, LastDelivery: last(h.EventName)}
		if st.Status == login.LoggedOut && !demo {
			ws.Error = "Not registered at GoTo: log in to GoTo to register it."
			if hooks.Recorded {
				// Logged out without removing them: they may well still deliver.
				ws.Error = "Not checked while logged out of GoTo; it may still deliver. Log in to see its state."
			}
			out = append(out, ws)
			continue
		}
		if h.Known {
			ws.WebhookKey, ws.State, ws.UserSubscriptionState = h.WebhookKey, h.State, h.SubscriptionState
			ws.ActivationState, ws.CallbackURL = h.ActivationState, h.CallbackURL
		}
		switch {
		case hooks.Paused:
			// Before the conditions: removing them marks every hook Removed.
			ws.Error = "Removed at GoTo at your request. Use \"Check and set up webhooks now\" to register it again."
		case h.Condition != reconcile.Fine:
			ws.Error = conditionWords(h)
		case st.Status == login.LoggedOut:
			ws.Error = "Not registered: not logged in to GoTo."
		case st.Status == login.Expired:
			ws.Error = "Not checked since your GoTo session expired: log in again."
		case problem != "" && (!h.Known || ws.ActivationState != gotowebinar.StateActive):
			ws.Error = problem
		case !h.Known:
			ws.Error = "Being set up at GoTo…"
		}
		out = append(out, ws)
	}
	return out
}

func conditionWords(h reconcile.Hook) string {
	switch h.Condition {
	case reconcile.Removed:
		return "Removed at GoTo."
	case reconcile.NotSubscribed:
		return "You are not subscribed to this webhook at GoTo yet."
	case reconcile.NotActivated:
		return "GoTo has not activated this webhook yet, so its events do not arrive."
	case reconcile.Refused:
		return "GoTo refused a webhook for " + h.EventName + " (" + cmp.Or(h.Refusal.Reason, "no reason given") +
			"); the other events go on without it."
	}
	return ""
}

// syncWords is the catch-up sync for the pages and /api/status.
func syncWords(st catchup.Status) SyncStatus {
	out := SyncStatus{
		Available: st.Available, Running: st.Running, Resumed: st.Resumed, Phase: phaseWords(st.Phase),
		Step: string(st.Phase.Step), StepDone: st.Phase.Done, StepTotal: st.Phase.Total,
		WebinarsDone: st.WebinarsDone, WebinarsTotal: st.WebinarsTotal, Requests: st.Requests, Errors: st.Errors,
		Started: st.Started, Finished: st.Finished, Next: st.Next,
	}
	if st.Phase.WebinarKey != "" {
		out.Webinar = webinarName(st.Phase.Webinar, st.Phase.WebinarKey)
	}
	for _, p := range st.Steps {
		out.Steps = append(out.Steps, SyncStep{
			Words:    phaseWords(catchup.Phase{Step: p.Step, Done: p.Done, Total: p.Total}),
			Finished: p.Finished, Current: p.Step == st.Phase.Step,
		})
	}
	if st.Problem != nil {
		out.Problem = troubleWords(*st.Problem)
	}
	if st.NoOrganizerKey {
		out.Problem = noOrganizerKeyWords
	}
	if last := st.Last; last != nil {
		out.LastOK, out.LastResult = last.OK, outcomeWords(*last)
	}
	return out
}

// noOrganizerKeyWords is the sync's word for a login without an organizer
// key; the settings page says why GoTo gave none (organizerKeyWords).
// Logging in again does not help, so it does not say to.
const noOrganizerKeyWords = "GoTo did not tell us your organizer key, so the catch-up sync cannot run yet: paste it in Settings."

// badOrganizerKeyWords answers a paste that is not an organizer key.
const badOrganizerKeyWords = "That is not an organizer key: it is a number of up to 30 digits, with nothing else in it. Nothing was saved."

// keySourceWords says where the organizer key came from.
func keySourceWords(src login.KeySource) string {
	switch src {
	case login.KeyFromToken:
		return "from GoTo's login"
	case login.KeyFromIdentity:
		return "from your GoTo profile"
	case login.KeyFromAdmin:
		return "from GoTo's admin API"
	case login.KeyFromSettings:
		return "entered here"
	}
	return ""
}

// organizerKeyWords is the organizer key for the settings page and
// /api/status: the key and where it came from, or why GoTo named none.
func organizerKeyWords(st login.State) OrganizerKeyStatus {
	k := OrganizerKeyStatus{Key: string(st.OrganizerKey), Source: string(st.KeySource), From: keySourceWords(st.KeySource)}
	switch {
	case k.Key != "":
	case st.FindingKey:
		k.Looking, k.Missing = true, "Asking GoTo for your organizer key…"
	default:
		k.Missing = "GoTo did not tell us your organizer key" + keyRefusalWords(st.KeyRefusals) +
			". Paste it in Settings so the catch-up sync can run."
	}
	return k
}

// keyRefusalWords says, in parentheses, why GoTo's profile (the source
// every account has) gave no key; "" when it is not known.
func keyRefusalWords(refusals []login.KeyRefusal) string {
	for _, r := range refusals {
		if r.Source != login.KeyFromIdentity {
			continue
		}
		switch r.Problem.Kind {
		case gotowebinar.ProblemForbidden:
			return " (reading your GoTo profile needs the " + gotowebinar.ScopeProfile +
				" scope ticked on the OAuth client in GoTo's developer portal)"
		case gotowebinar.ProblemNotFound:
			return " (GoTo has no profile for this account)"
		case gotowebinar.ProblemTimeout, gotowebinar.ProblemUnreachable, gotowebinar.ProblemGoToDown, gotowebinar.ProblemRateLimited:
			return " (GoTo could not be asked for your profile just now; webinarsync asks again when it next starts)"
		case gotowebinar.ProblemBadAnswer:
			return " (your GoTo profile did not name it)"
		}
	}
	return ""
}

// webinarName names a webinar in a sentence: its title in quotes, else its key.
func webinarName(title, key string) string {
	if title != "" {
		return "“" + title + "”"
	}
	return "webinar " + key
}

// phaseWords names a step of the sync and how far it got: "Registrants:
// 2 of 3 webinars", "Details: 412 of 1,350"; the name alone while its total
// is not known.
func phaseWords(p catchup.Phase) string {
	var name, of string
	switch p.Step {
	case catchup.ListWebinars:
		if p.Total == 0 {
			return "Listing your webinars"
		}
		return "Webinars: " + num(p.Total) + " listed"
	case catchup.ListRegistrants:
		name, of = "Registrants", plural(p.Total, "webinar", "webinars")
	case catchup.Attendance:
		name, of = "Attendance", plural(p.Total, "webinar", "webinars")
	case catchup.Details:
		name, of = "Details", num(p.Total)
	default:
		return ""
	}
	if p.Total == 0 {
		return name
	}
	return name + ": " + num(p.Done) + " of " + of
}

// troubleWords says what went wrong and with which item.
func troubleWords(t catchup.Trouble) string {
	words := describe(t.Problem, syncing, "")
	name := webinarName(t.Webinar, t.WebinarKey)
	switch t.Item {
	case catchup.WebinarItem:
		return "Webinar " + name + " could not be synced. " + words
	case catchup.RegistrantItem:
		return "Registrant " + t.Registrant + " of " + name + " could not be read. " + words
	case catchup.AttendanceItem:
		return "The attendance of a session of " + name + " could not be read. " + words
	}
	if t.Problem.Kind == gotowebinar.ProblemInterrupted {
		return "The sync was interrupted (webinarsync stopped)."
	}
	return words
}

// outcomeWords says what a sync found, in a sentence or two.
func outcomeWords(o catchup.Outcome) string {
	if o.Result != "" {
		return o.Result
	}
	if o.Stopped {
		problem := "The next sync continues from there."
		if o.Problem != nil {
			problem = troubleWords(*o.Problem)
		}
		if o.Step != catchup.Idle {
			return fmt.Sprintf("Stopped early (%s). %s", phaseWords(catchup.Phase{Step: o.Step, Done: o.StepDone, Total: o.StepTotal}), problem)
		}
		// An older version's outcome, which counted whole webinars.
		return fmt.Sprintf("Stopped early, after %s of %s webinars. %s", num(o.WebinarsDone), num(o.WebinarsTotal), problem)
	}
	t := o.Tally
	var b strings.Builder
	b.WriteString(plural(t.Webinars, "webinar", "webinars"))
	if t.NewWebinars > 0 {
		fmt.Fprintf(&b, " (%s new)", num(t.NewWebinars))
	}
	fmt.Fprintf(&b, ", %s listed", plural(t.Registrants, "registrant", "registrants"))
	if t.NewRegistrants > 0 {
		fmt.Fprintf(&b, " (%s new)", num(t.NewRegistrants))
	}
	if t.Details > 0 {
		fmt.Fprintf(&b, ", %s completed one by one", num(t.Details))
	}
	if t.Sessions > 0 {
		fmt.Fprintf(&b, ", attendance of %s", plural(t.Sessions, "session", "sessions"))
	}
	fmt.Fprintf(&b, "; %s to GoTo in %s", plural(int(o.Requests), "request", "requests"), o.Elapsed.Round(time.Second))
	if s := o.Elapsed.Seconds(); s >= 1 && o.Requests > 0 {
		fmt.Fprintf(&b, " (%.1f/s)", float64(o.Requests)/s)
	}
	b.WriteString(".")
	if o.Errors > 0 && o.Problem != nil {
		fmt.Fprintf(&b, " %s; the last: %s", plural(o.Errors, "error", "errors"), troubleWords(*o.Problem))
	}
	return b.String()
}

// actionWords says why a registrant change did not happen; added says
// which change it was.
func actionWords(err error, added bool) string {
	var local *catchup.SavedAtGoToOnly
	var unanswered *catchup.Unanswered
	p := gotowebinar.Classify(err)
	switch {
	case errors.As(err, &local) && added:
		return "GoTo registered them, but saving them here failed; the next sync adds them."
	case local != nil:
		return "GoTo removed them, but marking them here failed; the next sync marks them."
	case errors.As(err, &unanswered):
		var blank []string
		for _, f := range unanswered.Fields {
			blank = append(blank, fieldLabel(f))
		}
		blank = append(blank, unanswered.Questions...)
		return "GoTo refused: the webinar's registration form requires " + listWords(blank) +
			", left blank. The form may have changed at GoTo since the page was shown: go back, reload it and fill them in."
	case p.Kind == gotowebinar.ProblemNotLoggedIn && added:
		return "Log in to GoTo first: webinarsync registers people at GoTo, not only here."
	case p.Kind == gotowebinar.ProblemNotLoggedIn:
		return "Log in to GoTo first: the registration is removed at GoTo, not only here."
	case p.Kind == gotowebinar.ProblemConflict, p.Kind == gotowebinar.ProblemNotFound,
		p.Kind == gotowebinar.ProblemRefused && p.Reason != "":
		return describe(p, changingRegistrants, "")
	case added:
		return "They were not registered at GoTo: " + describe(p, changingRegistrants, "")
	}
	return "They were not removed at GoTo: " + describe(p, changingRegistrants, "")
}

// incompleteWords says what the add form lacks, before anything is sent
// to GoTo.
func incompleteWords(in incomplete) string {
	var b strings.Builder
	if len(in.Missing) > 0 {
		b.WriteString("The webinar's registration form requires " + listWords(in.Missing) + ". ")
	}
	if in.BadEmail != "" {
		b.WriteString("“" + in.BadEmail + "” is not an e-mail address. ")
	}
	b.WriteString("Go back and complete the form.")
	return b.String()
}

// formTroubleWords says why the add form shows the basic fields only.
func formTroubleWords(err error) string {
	return "The webinar's own registration form could not be read from GoTo, so only the basic fields are shown; " +
		"GoTo refuses the registration if its form requires more. " + describe(gotowebinar.Classify(err), changingRegistrants, "")
}

// listWords lists names in quotes: “A”, “B” and “C”.
func listWords(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "“" + n + "”"
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
}

// deliveryWords is the recent deliveries for the status.
func deliveryWords(sum gotowebinar.DeliverySummary) DeliveryStatus {
	var d DeliveryStatus
	d.LastHour.Stored, d.LastHour.Duplicates = sum.Stored, sum.Duplicates
	d.LastHour.Refused, d.LastHour.Failed = sum.Refused, sum.Failed
	d.SignatureFailing = sum.SignatureFailing
	if o := sum.LastRefusal; o != nil {
		d.LastRefusal = &Refusal{At: o.At, Result: string(o.Result), Reason: refusalWords(*o)}
	}
	return d
}

// refusalWords says why a delivery was refused or not stored.
func refusalWords(o gotowebinar.Outcome) string {
	switch o.Result {
	case gotowebinar.TooLarge:
		return "its body was larger than GoTo's events ever are"
	case gotowebinar.Malformed:
		return "it was signed, but not an event GoTo sends (not a JSON object)"
	case gotowebinar.StoreFailed:
		return "it could not be saved on this computer; GoTo sends it again"
	case gotowebinar.Busy:
		return "webinarsync was busy for a moment (too many deliveries at once, or the database being rewritten after an erasure); GoTo sends it again"
	}
	switch {
	case errors.Is(o.Check, gotowebinar.ErrBadSignature):
		return "its signature matches none of the keys on file"
	case errors.Is(o.Check, gotowebinar.ErrMissingSig), errors.Is(o.Check, gotowebinar.ErrMissingSigTime):
		return "it was not signed (not from GoTo)"
	case errors.Is(o.Check, gotowebinar.ErrSignatureFormat):
		return "its signature is malformed (not from GoTo)"
	case errors.Is(o.Check, gotowebinar.ErrNoSecret):
		return "no signing key is on file yet to check it with"
	}
	return "its signature check failed"
}

// renewWords says why the signing key was not renewed.
func renewWords(err error) string {
	if errors.Is(err, reconcile.ErrKeyFromEnvironment) {
		return "The signing key comes from WEBINARSYNC_WEBHOOK_SECRET, so webinarsync does not ask GoTo for one: set the key GoTo signs with there and restart."
	}
	return "GoTo did not make a new signing key: " + describe(gotowebinar.Classify(err), removingWebhooks, "")
}

// lastHourWords counts the last hour's deliveries in a line.
func (d DeliveryStatus) lastHourWords() string {
	h := d.LastHour
	return lastHourWords(h.Stored, h.Duplicates, h.Refused, h.Failed)
}

// lastHourWords counts a provider's deliveries of the last hour.
func lastHourWords(stored, duplicates, refused, failed int) string {
	words := "Last hour: " + num(stored) + " stored"
	if duplicates > 0 {
		words += ", " + num(duplicates) + " sent again (kept once)"
	}
	words += ", " + num(refused) + " refused"
	if failed > 0 {
		words += ", " + num(failed) + " not stored"
	}
	return words + "."
}

// deliveryRecordWords says in a few words what became of a delivery, for
// the Deliveries table.
func deliveryRecordWords(rec store.DeliveryRecord) string {
	if rec.Provider != "" {
		return rcRecordWords(rec)
	}
	switch rec.Result {
	case gotowebinar.Stored:
		if !rec.Rescued.IsZero() {
			return "Stored after Verify again"
		}
		return "Stored"
	case gotowebinar.Duplicate:
		return "Sent again (kept once)"
	case gotowebinar.Busy:
		return "Busy: asked to retry"
	case gotowebinar.Cut:
		return "Cut off before its body arrived"
	}
	words := "Refused: " + refusalWords(rec.Outcome())
	if rec.Result != gotowebinar.Refused {
		words = "Not stored: " + refusalWords(rec.Outcome())
	}
	if rec.Quarantined {
		words += " (kept, looks like GoTo's)"
	}
	return words
}

// schemeWords names an alternative signature computation.
func schemeWords(s gotowebinar.Scheme) string {
	switch s {
	case gotowebinar.SchemeBodyOnly:
		return "the body alone, without the timestamp"
	case gotowebinar.SchemeHex:
		return "hex instead of base64"
	case gotowebinar.SchemeNoColon:
		return "the timestamp without the colon before the body"
	case gotowebinar.SchemeSeconds:
		return "the timestamp in seconds, though the header is in milliseconds"
	case gotowebinar.SchemeMilliseconds:
		return "the timestamp in milliseconds, though the header is in seconds"
	}
	return string(s)
}

// alternativeWords says which alternative computations matched, one
// sentence each; none when nothing matched.
func alternativeWords(alts []gotowebinar.Alternative) []string {
	var out []string
	seen := map[gotowebinar.Scheme]bool{}
	for _, a := range alts {
		if seen[a.Scheme] {
			continue
		}
		seen[a.Scheme] = true
		out = append(out, "GoTo's signing scheme seems to differ from ours: this signature matches one of our keys when computed with "+
			schemeWords(a.Scheme)+". webinarsync does not accept it that way; report it so the check can be fixed, then use Verify again.")
	}
	return out
}

// recheckUnverifiableWords: Verify again on a record without a body.
const recheckUnverifiableWords = "This delivery was refused before its body was read (or was stored already), so there is nothing to check again."

// recheckWords says what Verify again found.
func recheckWords(res store.Recheck) (words string, ok bool) {
	switch {
	case res.Check == nil && res.Stored:
		return "It verifies with today's keys and is now stored, as if it had just arrived.", true
	case res.Check == nil:
		return "It verifies with today's keys; the event was stored already (GoTo sent it again meanwhile), so nothing changed.", true
	}
	words = "It still fails the signature check: " + refusalWords(gotowebinar.Outcome{Result: gotowebinar.Refused, Check: res.Check}) + ". Nothing was stored."
	if len(res.Alternatives) > 0 {
		words += " " + strings.Join(alternativeWords(res.Alternatives), " ")
	}
	return words, false
}

// personWords names the person an event is about: "Ada Lovelace
// (ada@example.com)", or whichever part is known.
func personWords(first, last, email string) string {
	name := strings.TrimSpace(first + " " + last)
	switch {
	case name != "" && email != "":
		return name + " (" + email + ")"
	case name != "":
		return name
	}
	return email
}

// ForwardStatus is forwarding as the home page and /api/status show it:
// the state, and the same in words.
type ForwardStatus struct {
	forward.State
	Words string `json:"words"`
	// ErrorWords says what went wrong with the last send; "" when the
	// last send went through.
	ErrorWords string `json:"errorWords,omitempty"`
}

// forwardWords says where forwarding stands, in a line.
func forwardWords(st forward.State, now time.Time) ForwardStatus {
	out := ForwardStatus{State: st}
	if st.LastError != nil {
		out.ErrorWords = forwardFailureWords(*st.LastError)
	}
	switch st.Phase {
	case forward.PhaseOff:
		out.Words = "Forwarding is off: set a forwarding address in Settings, or start with -forward-to."
		if st.Pending > 0 {
			out.Words += " " + plural(st.Pending, "event waits", "events wait") + " for it."
		}
	case forward.PhaseRetrying:
		out.Words = fmt.Sprintf("Forwarding to %s is failing: %s. %s queued; trying again %s.",
			st.Target, out.ErrorWords, plural(st.Pending, "event", "events"), inWords(now, st.LastError.NextTry))
	case forward.PhaseSending:
		out.Words = fmt.Sprintf("Forwarding to %s: %s to send.", st.Target, plural(st.Pending, "event", "events"))
	default:
		out.Words = "Forwarding to " + st.Target + ": everything is delivered"
		if !st.LastSuccess.IsZero() {
			out.Words += ", last " + ago(now, st.LastSuccess)
		}
		out.Words += "."
	}
	return out
}

// forwardFailureWords says why a send failed.
func forwardFailureWords(f forward.Failure) string {
	switch f.Kind {
	case forward.FailStatus:
		return fmt.Sprintf("it answered %d %s", f.Status, http.StatusText(f.Status))
	case forward.FailStore:
		return "the queue could not be read from the database (details in the log)"
	}
	return "it cannot be reached (down, or the address is wrong)"
}

// inWords is when a later instant comes: "in 4 s", "now".
func inWords(now, t time.Time) string {
	d := t.Sub(now).Round(time.Second)
	if d <= 0 {
		return "now"
	}
	return "in " + d.String()
}

// replayedWords says what a replay queued.
func replayedWords(n int, st forward.State) string {
	if n == 0 {
		return "No stored event matches; nothing was replayed."
	}
	s := plural(n, "event", "events") + " queued to be forwarded again, marked as replays."
	if st.Phase == forward.PhaseOff {
		s += " They wait until you set a forwarding address in Settings."
	}
	return s
}

// healthWords says what the start-up checks found wrong with the database
// file in dir, "" when nothing.
func healthWords(h store.Health, dir string) string {
	switch {
	case h.Check == store.CheckFailed:
		return "The database needs attention: its consistency check found " + plural(len(h.Problems), "problem", "problems") +
			" (details are in the log). Deliveries are still stored; take a backup now (Settings › Download backup), " +
			"then restore a healthy one with `webinarsync restore` when convenient."
	case h.Permissions != nil:
		return "Other users of this computer can read your data (tokens, keys, registrants) in " + dir +
			", and webinarsync could not make it private: " + h.Permissions.Error() + "."
	}
	return ""
}

// attendanceUnknownWords stands beside the "—" shown for an attendance
// rate before any session has started: 0% would claim no-shows.
const attendanceUnknownWords = "attendance not known yet"

// otherNoShowsWords explains the board's second list of people who did
// not join: they are no no-shows, as nobody expected them.
const otherNoShowsWords = "Registered, but never expected: waiting for approval, denied or cancelled. " +
	"They are not no-shows and not in the no-shows download."

// endedRemoveWords says, before any click, why an ended webinar's
// registrant cannot be removed.
func endedRemoveWords(w store.Webinar) string {
	return webinarTitle(w) + " has ended, and GoTo refuses changes to ended webinars: " +
		"the registration cannot be removed there any more. Nothing was changed."
}

// noAddressWords: the erase form was sent without an e-mail address.
const noAddressWords = "Type the e-mail address of the person to find and erase, such as ada@example.com."

// retentionRangeWords: the retention period typed is no number of days
// webinarsync takes.
var retentionRangeWords = fmt.Sprintf("The number of days must be a whole number from %d to %d (ten years).",
	store.MinRetentionDays, store.MaxRetentionDays)

// retentionWords is the retention policy in a line, for the home and
// settings pages.
func retentionWords(days int) string {
	return "Raw events and delivery records are kept " + plural(days, "day", "days") +
		"; registrants are kept until you erase them."
}

// erasedTitle heads the page that says what an erasure did.
func erasedTitle(er store.Erasure, what string) string {
	if !er.Found() {
		return "Nothing to erase"
	}
	return "Erased " + what
}

// erasureWords says what an erasure (person) or a webinar's deletion did,
// in a few lines.
func erasureWords(er store.Erasure, person bool) []string {
	if !er.Found() {
		if person {
			return []string{"Nobody with that address was found: nothing was erased."}
		}
		return []string{"Nothing was left to delete."}
	}
	var lines []string
	var removed []string
	if er.Registrants > 0 {
		r := plural(er.Registrants, "registration", "registrations")
		if person && er.Webinars > 0 {
			r += " (" + plural(er.Webinars, "webinar", "webinars") + ")"
		}
		removed = append(removed, r)
	}
	if er.Joins > 0 {
		removed = append(removed, plural(er.Joins, "join", "joins"))
	}
	if er.Attendance > 0 {
		removed = append(removed, plural(er.Attendance, "attendance record", "attendance records"))
	}
	if len(removed) > 0 {
		lines = append(lines, "Removed "+strings.Join(removed, ", ")+".")
	}
	var log []string
	if er.Events > 0 {
		log = append(log, plural(er.Events, "event GoTo sent was", "events GoTo sent were")+" replaced by a note of the erasure")
	}
	if er.Deliveries > 0 {
		log = append(log, plural(er.Deliveries, "delivery record was", "delivery records were")+" dropped")
	}
	if er.Outbox > 0 {
		log = append(log, plural(er.Outbox, "event waiting to be forwarded was", "events waiting to be forwarded were")+" dropped")
	}
	if len(log) > 0 {
		s := strings.Join(log, "; ") + "."
		lines = append(lines, strings.ToUpper(s[:1])+s[1:])
	}
	if er.Redacted > 0 {
		lines = append(lines, plural(er.Redacted, "other record that named the address now says", "other records that named the address now say")+" [erased] in its place.")
	}
	if er.Compacted {
		lines = append(lines, "The database file was rewritten, so no copy is left in it.")
	} else {
		lines = append(lines, "The database file could not be rewritten just now (it was busy): old copies may stay in its unused space until webinarsync rewrites it at its next start or daily pass.")
	}
	if len(er.Remaining) > 0 {
		lines = append(lines, "The address is still found in "+remainingWords(er.Remaining)+": that is not a registrant's record (your own GoTo login or a setting may use it).")
	}
	if len(er.KeptAside) > 0 {
		lines = append(lines, "Older copies of the database that a restore kept aside still hold it: "+strings.Join(er.KeptAside, ", ")+". Delete them once all is well.")
	}
	if person {
		lines = append(lines, "At GoTo they are still registered: remove them there too. The catch-up sync will not copy them back, but news GoTo sends of them from now on (a new registration, a join) is kept.")
	} else {
		lines = append(lines, "At GoTo the webinar still exists. The catch-up sync will not copy it back, but if GoTo sends news of it (a new registration), it appears again with that news.")
	}
	return lines
}

// remainingWords names the parts of the database an address was still
// found in.
func remainingWords(buckets []string) string {
	names := map[string]string{"settings": "the settings", "secrets": "the webhook signing keys", "meta": "the database's own notes"}
	var out []string
	for _, b := range buckets {
		top, _, _ := strings.Cut(b, "/")
		out = append(out, cmp.Or(names[top], top))
	}
	return strings.Join(slices.Compact(out), ", ")
}

// tombstoneWords says why an event's raw body is gone.
func tombstoneWords(t *store.Tombstone) string {
	when := whenShort(t.At)
	switch t.Reason {
	case store.TombstoneErased:
		return "Its body was erased on " + when + ": it named a person erased on request."
	case store.TombstoneWebinarDeleted:
		return "Its body was erased on " + when + ", when its webinar was deleted."
	case store.TombstoneExpired:
		return "Its body was removed on " + when + ": it was older than the retention period."
	}
	return "Its body was removed on " + when + "."
}
