package ui

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/catchup"
	"webinarsync/gotowebinar/login"
	"webinarsync/gotowebinar/reconcile"
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
		WebinarsDone: st.WebinarsDone, WebinarsTotal: st.WebinarsTotal, Requests: st.Requests, Errors: st.Errors,
		Started: st.Started, Finished: st.Finished, Next: st.Next,
	}
	if st.Problem != nil {
		out.Problem = troubleWords(*st.Problem)
	}
	if st.NoOrganizerKey {
		out.Problem = "GoTo did not tell us your organizer key, so there is nothing to sync yet."
	}
	if last := st.Last; last != nil {
		out.LastOK, out.LastResult = last.OK, outcomeWords(*last)
	}
	return out
}

// webinarName names a webinar in a sentence: its title in quotes, else its key.
func webinarName(title, key string) string {
	if title != "" {
		return "“" + title + "”"
	}
	return "webinar " + key
}

func phaseWords(p catchup.Phase) string {
	name := webinarName(p.Webinar, p.WebinarKey)
	switch p.Step {
	case catchup.ListWebinars:
		return "Listing your webinars at GoTo"
	case catchup.ListRegistrants:
		return "Registrants of " + name
	case catchup.Details:
		return fmt.Sprintf("Registration details of %s: %s of %s", name, num(p.Done), num(p.Total))
	case catchup.ListSessions:
		return "Sessions of " + name
	case catchup.Attendance:
		return "Attendance of " + name
	}
	return ""
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
	p := gotowebinar.Classify(err)
	switch {
	case errors.As(err, &local) && added:
		return "GoTo registered them, but saving them here failed; the next sync adds them."
	case local != nil:
		return "GoTo removed them, but marking them here failed; the next sync marks them."
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
