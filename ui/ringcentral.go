package ui

import (
	"cmp"
	"errors"
	"strings"
	"time"

	"webinarsync/ringcentral"
	rccatchup "webinarsync/ringcentral/catchup"
	rclive "webinarsync/ringcentral/live"
	rclogin "webinarsync/ringcentral/login"
	rcreconcile "webinarsync/ringcentral/reconcile"
	"webinarsync/store"
)

// RingCentral is RingCentral Webinar, the second provider, as the pages
// need it: typed states that this file turns into words.
type RingCentral interface {
	LoginState() rclogin.State
	SubscriptionStatus() rcreconcile.Status
	SyncStatus() rccatchup.Status
	// SyncNow asks for a catch-up pass now ("Sync now") and returns at once.
	SyncNow()
	DeliverySummary(now time.Time) ringcentral.DeliverySummary
}

// RingCentralStatus is the RingCentral side in words, for the home page
// and GET /api/status.
type RingCentralStatus struct {
	// SetUp: a client id or JWT credential is known (environment or
	// settings page); until then nothing else here applies.
	SetUp        bool      `json:"setUp"`
	Login        string    `json:"login"` // logged_in, logged_out, expired
	LoginWords   string    `json:"loginWords"`
	Owner        string    `json:"owner,omitempty"`        // the RingCentral user logged in
	LoginUntil   time.Time `json:"loginUntil,omitzero"`    // when a new login is due at the latest
	WebhookURL   string    `json:"webhookURL,omitempty"`   // where RingCentral should deliver
	Subscribed   bool      `json:"subscribed"`             // an Active subscription of ours delivers there
	Expires      time.Time `json:"expires,omitzero"`       // when it ends unless renewed (it is, ahead of time)
	State        string    `json:"subscriptionState"`      // RingCentral's word: Active, Blacklisted, or "" before one
	StateWords   string    `json:"subscriptionWords"`      // in a person's words
	Problem      string    `json:"problem,omitempty"`      // what went wrong last, in words
	LastHour     rcCounts  `json:"lastHour"`               // what became of deliveries in the last hour
	LastDelivery time.Time `json:"lastDelivery,omitzero"`  // the latest delivery stored (or sent again)
	Refusal      *Refusal  `json:"lastRefusal,omitempty"`  // the latest refused or failed one
	Foreign      bool      `json:"foreignToken,omitempty"` // deliveries keep coming with a token we do not know
	Sync         string    `json:"sync"`                   // the catch-up from RingCentral's REST API, in words
	SyncTrouble  bool      `json:"syncTrouble,omitempty"`  // it stopped or skipped a webinar
}

type rcCounts struct {
	Stored     int `json:"stored"`
	Duplicates int `json:"duplicates"`
	Refused    int `json:"refused"`
	Failed     int `json:"failed"`
	Handshakes int `json:"handshakes"`
}

// ringCentralStatus gathers the RingCentral side; nil when it is not set up.
func (s *Server) ringCentralStatus(tunnelURL string) *RingCentralStatus {
	if s.ringCentral == nil {
		return nil
	}
	st := s.ringCentral.LoginState()
	sub := s.ringCentral.SubscriptionStatus()
	out := &RingCentralStatus{SetUp: st.Configured || st.JWT, Login: string(st.Status), Owner: st.OwnerID}
	if tunnelURL != "" {
		out.WebhookURL = strings.TrimRight(tunnelURL, "/") + ringcentral.WebhookPath
	}
	out.LoginWords, out.LoginUntil = rcLoginWords(st, s.demo)
	out.Subscribed, out.State, out.StateWords = rcSubscriptionWords(sub, s.now())
	if sub.Subscription != nil {
		out.Expires = sub.Subscription.ExpirationTime
	}
	if sub.Problem != nil {
		out.Problem = rcProblemWords(*sub.Problem)
	}
	out.Sync, out.SyncTrouble = rcSyncWords(s.ringCentral.SyncStatus(), s.now())
	sum := s.ringCentral.DeliverySummary(s.now())
	out.LastHour = rcCounts{sum.Stored, sum.Duplicates, sum.Refused, sum.Failed, sum.Handshakes}
	out.LastDelivery = sum.LastDelivery
	out.Foreign = sum.RefusedInARow >= 3
	if o := sum.LastRefusal; o != nil {
		out.Refusal = &Refusal{At: o.At, Result: string(o.Result), Reason: rcRefusalWords(*o)}
	}
	return out
}

// rcLoginWords says where the RingCentral login stands, and until when a
// browser login lasts without the organizer.
func rcLoginWords(st rclogin.State, demo bool) (string, time.Time) {
	switch st.Status {
	case rclogin.LoggedIn:
		who := "Logged in"
		if st.OwnerID != "" {
			who += " as user " + st.OwnerID
		}
		switch {
		case demo:
			return who + " to the built-in RingCentral stand-in.", time.Time{}
		case st.Method == rclogin.MethodJWT:
			return who + " with your JWT credential; webinarsync logs in again by itself.", time.Time{}
		}
		return who + ".", st.RefreshExpiry
	case rclogin.Expired:
		if st.JWT && st.Method == rclogin.MethodJWT {
			return "RingCentral no longer accepts our login, nor a new one with your JWT credential: make a new credential in RingCentral's developer console and restart with it. Events keep being stored meanwhile.", time.Time{}
		}
		// A browser login: the card's button starts a new one.
		return "Your RingCentral login expired: log in again with \"Log in with RingCentral\". Events keep being stored meanwhile.", time.Time{}
	}
	if !st.Configured && !st.JWT {
		return "Not set up: set RINGCENTRAL_CLIENT_ID and RINGCENTRAL_CLIENT_SECRET, or RINGCENTRAL_JWT, in the environment or on the Settings page.", time.Time{}
	}
	if st.JWT {
		return "Not logged in. webinarsync logs in with your JWT credential when it starts; restart it to log in again.", time.Time{}
	}
	return "Not logged in to RingCentral.", time.Time{}
}

// rcSubscriptionWords says whether RingCentral delivers to us.
func rcSubscriptionWords(st rcreconcile.Status, now time.Time) (subscribed bool, state, words string) {
	sub := st.Subscription
	switch {
	case sub == nil && st.WaitingForTunnel:
		return false, "", "Waiting for the tunnel's address before subscribing."
	case sub == nil:
		return false, "", "No subscription yet."
	case sub.Active(now):
		return true, string(sub.Status), "RingCentral delivers webinar events here."
	case sub.Status == ringcentral.SubscriptionBlacklisted:
		reason := cmp.Or(sub.BlacklistedReason, "no reason given")
		return false, string(sub.Status), "RingCentral stopped delivering after our address failed for ten minutes (" +
			reason + "). webinarsync makes a new subscription at the next check."
	}
	return false, string(sub.Status), "The subscription has ended; webinarsync makes a new one at the next check."
}

// rcProblemWords says what went wrong talking to RingCentral, and what to do.
func rcProblemWords(p ringcentral.Problem) string {
	switch p.Kind {
	case ringcentral.ProblemNotLoggedIn:
		return "Not logged in to RingCentral."
	case ringcentral.ProblemLoginExpired:
		return "RingCentral no longer accepts our login. Log in again."
	case ringcentral.ProblemLoginRefused:
		return "RingCentral refused the login" + reasonSuffix(p.Reason) + "."
	case ringcentral.ProblemForbidden:
		return "RingCentral refused: the app needs the ReadWebinars and SubscriptionWebhook permissions, and the user a webinar licence" + reasonSuffix(p.Reason) + "."
	case ringcentral.ProblemAddressRefused:
		return "RingCentral could not reach this computer at the tunnel's address to confirm it" + reasonSuffix(p.Reason) + ". Check the tunnel."
	case ringcentral.ProblemRateLimited:
		return "RingCentral asked us to slow down; webinarsync tries again shortly."
	case ringcentral.ProblemDown:
		return "RingCentral is having trouble (it answered with an error); webinarsync tries again shortly."
	case ringcentral.ProblemUnreachable, ringcentral.ProblemTimeout:
		return "RingCentral could not be reached; check the internet connection. webinarsync tries again shortly."
	case ringcentral.ProblemInterrupted:
		return "Interrupted: webinarsync was stopping."
	}
	return "Something went wrong talking to RingCentral" + reasonSuffix(p.Reason) + "; the log has the details."
}

// rcRefusalWords says why a delivery was not stored.
func rcRefusalWords(o ringcentral.Outcome) string {
	switch o.Result {
	case ringcentral.Refused:
		switch {
		case errors.Is(o.Check, ringcentral.ErrMissingToken):
			return "it carried no verification token, so it did not come from our subscription"
		case errors.Is(o.Check, ringcentral.ErrNoToken):
			return "no verification token of ours is on file yet"
		}
		return "its verification token is not ours"
	case ringcentral.TooLarge:
		return "its body was too large"
	case ringcentral.Malformed:
		return "its body was not a JSON object"
	case ringcentral.StoreFailed:
		return "it could not be saved; RingCentral sends it again"
	case ringcentral.Busy:
		return "webinarsync was busy for a moment; RingCentral sends it again"
	case ringcentral.Cut:
		return "the connection ended before the body arrived"
	}
	return string(o.Result)
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}

// rcLastHourWords counts the last hour's deliveries as the GoTo card does.
func rcLastHourWords(h rcCounts) string {
	return lastHourWords(h.Stored, h.Duplicates, h.Refused, h.Failed)
}

// rcSyncWords says where the catch-up from RingCentral's REST API is.
func rcSyncWords(st rccatchup.Status, now time.Time) (string, bool) {
	switch {
	case st.Running && st.Phase.Total > 0:
		what := "registrants"
		if st.Phase.Step == rccatchup.Attendance {
			what = "attendance"
		}
		return "Catching up: " + what + " of " + cmp.Or(st.Phase.Webinar, "a webinar") + " (" + num(st.Phase.Done+1) +
			" of " + plural(st.Phase.Total, "webinar", "webinars") + "); RingCentral allows 10 such requests a minute.", false
	case st.Running:
		return "Catching up: listing your webinars.", false
	case st.Problem != nil && (st.Stopped || len(st.Skipped) > 0):
		return "The last catch-up did not finish: " + rcProblemWords(*st.Problem), true
	case !st.Finished.IsZero():
		m := st.Merged
		return "Caught up " + ago(now, st.Finished) + ": " + plural(m.Webinars, "webinar", "webinars") + ", " +
			plural(m.Registrants, "registrant", "registrants") + ", " + plural(m.Attendees, "attendee", "attendees") + ".", false
	case !st.LoggedIn:
		return "The catch-up starts once you are logged in.", false
	}
	return "The catch-up starts shortly.", false
}

// ringCentralJoinsWords tells the live board's watcher why RingCentral's
// joins come in steps.
func ringCentralJoinsWords() string {
	return "RingCentral sends no event when someone joins: joins appear here as webinarsync reads the session's participant list, every " +
		rclive.DefaultEvery.String() + "."
}

// rcRecordWords says what became of a request to RingCentral's webhook
// path, for the Deliveries table.
func rcRecordWords(rec store.DeliveryRecord) string {
	o := ringcentral.Outcome{Result: ringcentral.Result(rec.Result), Check: ringcentral.CheckFromCode(rec.Check)}
	switch o.Result {
	case ringcentral.Stored:
		return "RingCentral: stored"
	case ringcentral.Duplicate:
		return "RingCentral: sent again (kept once)"
	case ringcentral.Handshake:
		return "RingCentral: subscription handshake, answered"
	case ringcentral.Refused:
		return "RingCentral: refused: " + rcRefusalWords(o)
	}
	return "RingCentral: not stored: " + rcRefusalWords(o)
}
