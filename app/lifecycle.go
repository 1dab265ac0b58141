package app

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

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// The webhook lifecycle keeps GoTo pointed at us: a secret key, one
// webhook per event (ours, reused, never duplicated), activated, with the
// organizer subscribed, all at the tunnel's current URL. It runs after
// login, at start, when the tunnel's URL changes, and every resyncEvery to
// notice what changed at GoTo.

// resyncEvery is how often a healthy setup is checked again.
const resyncEvery = 15 * time.Minute

// maxRetryWait bounds the wait between lifecycle retries after a failure.
const maxRetryWait = 5 * time.Minute

// errNoPublicURL: the tunnel has no URL yet, so there is nothing to point at.
var errNoPublicURL = errors.New("the tunnel has no public URL yet")

// webhookRecord is which webhooks and subscriptions at GoTo we made. A
// webhook is ours only when it is recorded here and its callback ends in
// our webhook path: the same OAuth client used elsewhere keeps its own.
type webhookRecord struct {
	Webhooks      []gotowebinar.Key `json:"webhooks"`
	Subscriptions []gotowebinar.Key `json:"userSubscriptions"`
}

func (a *goToAccount) loadRecord() (webhookRecord, error) {
	var rec webhookRecord
	raw, err := a.store.Setting(settingWebhooks)
	if err != nil || raw == "" {
		return rec, err
	}
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		// Without the record we cannot tell our webhooks apart, so we would
		// create new ones: say so rather than silently duplicate.
		return rec, fmt.Errorf("the record of our webhooks is unreadable: %w", err)
	}
	return rec, nil
}

func (a *goToAccount) saveRecord(rec webhookRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("saving the record of our webhooks: %w", err)
	}
	if err := a.store.SetSetting(settingWebhooks, string(b)); err != nil {
		return fmt.Errorf("saving the record of our webhooks: %w", err)
	}
	return nil
}

// Repoint points our webhooks at publicBaseURL (the tunnel's URL, without
// the webhook path) and runs the lifecycle now. Call it at start and for
// every tunnel URL change. Not being logged in is not an error: the
// lifecycle runs again after login. When the run fails for a reason that
// may pass, it is retried in the background with backoff.
func (a *goToAccount) Repoint(ctx context.Context, publicBaseURL string) error {
	a.mu.Lock()
	a.publicURL = strings.TrimRight(publicBaseURL, "/")
	a.mu.Unlock()
	err := a.Sync(ctx)
	switch {
	case errors.Is(err, errNotLoggedIn), errors.Is(err, errNoPublicURL):
		return nil
	case err != nil && retryable(err):
		a.kick(a.later)
	}
	return err
}

// Run retries failed lifecycle runs, runs it after login, and checks the
// setup every resyncEvery, until ctx ends.
func (a *goToAccount) Run(ctx context.Context) {
	wait := time.Duration(0)
	timer := time.NewTimer(resyncEvery)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.later:
			wait = min(max(2*wait, 2*time.Second), maxRetryWait)
			timer.Reset(wait)
			continue
		case <-a.wake:
		case <-timer.C:
		}
		err := a.Sync(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && retryable(err):
			wait = min(max(2*wait, 2*time.Second), maxRetryWait)
			a.log.Warn("setting up the GoTo webhooks failed; retrying", "in", wait, "err", err)
			timer.Reset(wait)
		default:
			wait = 0
			timer.Reset(resyncEvery)
		}
	}
}

// retryable: the failure may pass by itself (GoTo or the network), unlike
// a missing login or tunnel, which waits for the organizer or a Repoint.
func retryable(err error) bool {
	return err != nil && !errors.Is(err, errNotLoggedIn) && !errors.Is(err, errNoPublicURL) &&
		!errors.Is(err, gotowebinar.ErrLoginExpired) && !gotowebinar.IsInvalidToken(err) &&
		!errors.Is(err, context.Canceled)
}

// Sync runs the lifecycle once: secret key, reconcile, activate, subscribe.
func (a *goToAccount) Sync(ctx context.Context) error {
	a.runMu.Lock()
	defer a.runMu.Unlock()
	a.mu.Lock()
	loggedIn, expired, base, paused := a.tokens != nil, a.expired, a.publicURL, a.paused
	a.mu.Unlock()
	switch {
	case !loggedIn:
		return errNotLoggedIn
	case paused:
		return nil
	case base == "":
		a.setProblem("Waiting for the tunnel: GoTo needs a public address to deliver to.")
		return errNoPublicURL
	case expired:
		// Try anyway: a refresh may work again (GoTo had a bad moment).
	}
	callback := base + gotowebinar.WebhookPath
	err := a.sync(ctx, callback)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.syncedAt = time.Now()
	if err != nil {
		if gotowebinar.IsInvalidToken(err) {
			a.expired = true
		}
		a.problem = problemWords(err, callback)
		a.log.Warn("GoTo webhook setup failed", "err", err, "callback", callback)
		return err
	}
	a.problem = ""
	return nil
}

func (a *goToAccount) setProblem(words string) {
	a.mu.Lock()
	a.problem = words
	a.mu.Unlock()
}

func (a *goToAccount) sync(ctx context.Context, callback string) error {
	if err := a.ensureSecretKey(ctx); err != nil {
		return err
	}
	rec, err := a.loadRecord()
	if err != nil {
		return err
	}
	keep, err := a.reconcileWebhooks(ctx, &rec, callback)
	if err != nil {
		return err
	}
	if err := a.activate(ctx, keep); err != nil {
		return err
	}
	return a.subscribe(ctx, &rec, keep, callback)
}

// ensureSecretKey asks GoTo for a secret key unless the environment gives
// one or we already made one with this OAuth client at this API. Every key
// is kept with its validFrom, so deliveries signed with an older one still
// verify.
func (a *goToAccount) ensureSecretKey(ctx context.Context) error {
	if a.envSecret {
		return nil
	}
	id, _ := a.credentials()
	owner := id + " " + a.cfg.APIURL
	made, err := a.store.Setting(settingSecretKeyFor)
	if err != nil {
		return err
	}
	if made == owner && len(a.store.SecretKeys()) > 0 {
		return nil
	}
	k, err := a.client.CreateSecretKey(ctx, time.Time{})
	if err != nil {
		return err
	}
	if k.ValidFrom.IsZero() {
		k.ValidFrom = time.Now()
	}
	if err := a.store.AddSecretKey(store.SecretKey{ID: string(k.ID), Value: k.Value, ValidFrom: k.ValidFrom}); err != nil {
		return err
	}
	a.log.Info("new webhook secret key from GoTo", "id", k.ID, "validFrom", k.ValidFrom)
	return a.store.SetSetting(settingSecretKeyFor, owner)
}

// reconcileWebhooks makes GoTo hold exactly one of our webhooks per event,
// at callback: it reuses ours, deletes our duplicates and webhooks for
// events we no longer want, creates only the missing ones and re-points
// the rest. It returns the webhook kept for each event.
func (a *goToAccount) reconcileWebhooks(ctx context.Context, rec *webhookRecord, callback string) (map[string]gotowebinar.Webhook, error) {
	all, err := a.client.ListWebhooks(ctx)
	if err != nil {
		return nil, err
	}
	var ours []gotowebinar.Webhook
	for _, h := range all {
		if strings.HasSuffix(h.CallbackURL, gotowebinar.WebhookPath) && slices.Contains(rec.Webhooks, h.WebhookKey) {
			ours = append(ours, h)
		}
	}
	// Forget what GoTo no longer has (deleted there, or another account's).
	rec.Webhooks = keysOf(ours, func(h gotowebinar.Webhook) gotowebinar.Key { return h.WebhookKey })

	// The best of each event's webhooks first: already at our callback,
	// then active, then the oldest.
	slices.SortStableFunc(ours, func(x, y gotowebinar.Webhook) int {
		return cmp.Or(
			boolFirst(x.CallbackURL == callback, y.CallbackURL == callback),
			boolFirst(x.State == gotowebinar.StateActive, y.State == gotowebinar.StateActive),
			x.CreateTime.Compare(y.CreateTime))
	})
	keep := make(map[string]gotowebinar.Webhook)
	var extra []gotowebinar.Key
	for _, h := range ours {
		if _, dup := keep[h.EventName]; dup || !slices.Contains(a.events, h.EventName) {
			extra = append(extra, h.WebhookKey)
			continue
		}
		keep[h.EventName] = h
	}
	if len(extra) > 0 {
		if err := a.client.DeleteWebhooks(ctx, extra); err != nil {
			return nil, err
		}
		rec.Webhooks = slices.DeleteFunc(rec.Webhooks, func(k gotowebinar.Key) bool { return slices.Contains(extra, k) })
		a.log.Info("deleted duplicate or unwanted webhooks of ours at GoTo", "webhookKeys", extra)
	}
	if err := a.saveRecord(*rec); err != nil {
		return nil, err
	}

	var missing []gotowebinar.NewWebhook
	for _, name := range a.events {
		if _, ok := keep[name]; !ok {
			missing = append(missing, gotowebinar.NewWebhook{CallbackURL: callback, EventName: name})
		}
	}
	if len(missing) > 0 {
		if err := a.createWebhooks(ctx, rec, missing, keep, callback); err != nil {
			return nil, err
		}
	}

	var moves []gotowebinar.WebhookUpdate
	for name, h := range keep {
		if h.CallbackURL != callback {
			moves = append(moves, gotowebinar.WebhookUpdate{WebhookKey: h.WebhookKey, CallbackURL: callback})
			h.CallbackURL = callback
			keep[name] = h
		}
	}
	if len(moves) > 0 {
		if err := a.client.UpdateWebhooks(ctx, moves); err != nil {
			return nil, err
		}
		a.log.Info("pointed our webhooks at the new URL", "callback", callback, "webhooks", len(moves))
	}
	a.noteWebhooks(keep)
	return keep, nil
}

// createWebhooks creates the missing webhooks in one call and records them
// at once, so a crash right after cannot lead to duplicates. If GoTo
// refuses the opt-in survey.submitted, the other events go ahead without it.
func (a *goToAccount) createWebhooks(ctx context.Context, rec *webhookRecord, missing []gotowebinar.NewWebhook, keep map[string]gotowebinar.Webhook, callback string) error {
	created, err := a.client.CreateWebhooks(ctx, missing)
	survey := slices.IndexFunc(missing, func(h gotowebinar.NewWebhook) bool { return h.EventName == gotowebinar.EventSurveySubmitted })
	var apiErr *gotowebinar.APIError
	if err != nil && survey >= 0 && errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest {
		a.noteEventError(gotowebinar.EventSurveySubmitted, "GoTo refused a webhook for survey.submitted ("+
			cmp.Or(apiErr.Message, apiErr.Code, "no reason given")+"); the other events go on without it.")
		a.log.Warn("GoTo refused the survey.submitted webhook; carrying on without it", "err", err)
		missing = slices.Delete(slices.Clone(missing), survey, survey+1)
		if len(missing) == 0 {
			return nil
		}
		created, err = a.client.CreateWebhooks(ctx, missing)
	}
	if err != nil && errors.As(err, &apiErr) && apiErr.Status >= 400 && apiErr.Status < 500 {
		return err // GoTo refused: nothing was created
	}
	if err != nil || len(created) == 0 {
		// The answer was lost (a timeout, a 5xx, an unreadable or empty
		// body) but GoTo may have created them: adopt what it now has at
		// our callback, so the retry does not create them twice.
		all, lerr := a.client.ListWebhooks(ctx)
		if lerr != nil {
			return cmp.Or(err, lerr)
		}
		for _, h := range all {
			if h.CallbackURL == callback && !slices.Contains(rec.Webhooks, h.WebhookKey) &&
				slices.ContainsFunc(missing, func(m gotowebinar.NewWebhook) bool { return m.EventName == h.EventName }) {
				created = append(created, h)
			}
		}
		if len(created) == 0 && err != nil {
			return err
		}
	}
	for _, h := range created {
		rec.Webhooks = append(rec.Webhooks, h.WebhookKey)
	}
	if err := a.saveRecord(*rec); err != nil {
		return err
	}
	for _, h := range created {
		if _, dup := keep[h.EventName]; dup {
			continue // the next run deletes the extra one
		}
		keep[h.EventName] = h
	}
	a.log.Info("created webhooks at GoTo", "count", len(created), "callback", callback)
	return nil
}

// activate sets our inactive webhooks ACTIVE. GoTo may not know a webhook
// the instant it is created, so a refusal saying so is retried with backoff.
func (a *goToAccount) activate(ctx context.Context, keep map[string]gotowebinar.Webhook) error {
	var updates []gotowebinar.WebhookUpdate
	for _, h := range keep {
		if h.State != gotowebinar.StateActive {
			updates = append(updates, gotowebinar.WebhookUpdate{WebhookKey: h.WebhookKey, State: gotowebinar.StateActive})
		}
	}
	if len(updates) == 0 {
		return nil
	}
	slices.SortFunc(updates, func(x, y gotowebinar.WebhookUpdate) int { return cmp.Compare(x.WebhookKey, y.WebhookKey) })
	wait := a.activationBackoff
	for attempt := 1; ; attempt++ {
		err := a.client.UpdateWebhooks(ctx, updates)
		if err == nil {
			break
		}
		var apiErr *gotowebinar.APIError
		notYet := errors.As(err, &apiErr) && (apiErr.Status == http.StatusNotFound || apiErr.Status == http.StatusConflict)
		if !notYet || attempt == 6 {
			return fmt.Errorf("activating the webhooks: %w", err)
		}
		a.log.Debug("GoTo cannot activate the new webhooks yet; retrying", "attempt", attempt, "in", wait, "err", err)
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
		wait *= 2
	}
	for name, h := range keep {
		h.State = gotowebinar.StateActive
		keep[name] = h
	}
	a.noteWebhooks(keep)
	return nil
}

// subscribe makes the organizer hold exactly one active subscription to
// each webhook we keep, delivering to callback.
func (a *goToAccount) subscribe(ctx context.Context, rec *webhookRecord, keep map[string]gotowebinar.Webhook, callback string) error {
	subs, err := a.client.ListUserSubscriptions(ctx)
	if err != nil {
		return err
	}
	byHook := make(map[gotowebinar.Key][]gotowebinar.UserSubscription)
	for _, s := range subs {
		byHook[s.WebhookKey] = append(byHook[s.WebhookKey], s)
	}
	var (
		create  []gotowebinar.NewUserSubscription
		updates []gotowebinar.UserSubscriptionUpdate
		extra   []gotowebinar.Key
		kept    []gotowebinar.Key
	)
	for _, name := range a.events {
		h, ok := keep[name]
		if !ok {
			continue
		}
		ss := byHook[h.WebhookKey]
		if len(ss) == 0 {
			create = append(create, gotowebinar.NewUserSubscription{WebhookKey: h.WebhookKey, CallbackURL: callback, UserSubscriptionState: gotowebinar.StateActive})
			continue
		}
		slices.SortStableFunc(ss, func(x, y gotowebinar.UserSubscription) int {
			return cmp.Or(
				boolFirst(slices.Contains(rec.Subscriptions, x.UserSubscriptionKey), slices.Contains(rec.Subscriptions, y.UserSubscriptionKey)),
				boolFirst(x.UserSubscriptionState == gotowebinar.StateActive, y.UserSubscriptionState == gotowebinar.StateActive),
				x.CreateTime.Compare(y.CreateTime))
		})
		s := ss[0]
		kept = append(kept, s.UserSubscriptionKey)
		for _, dup := range ss[1:] {
			extra = append(extra, dup.UserSubscriptionKey)
		}
		u := gotowebinar.UserSubscriptionUpdate{UserSubscriptionKey: s.UserSubscriptionKey, WebhookKey: h.WebhookKey}
		if s.CallbackURL != callback {
			u.CallbackURL = callback
		}
		if s.UserSubscriptionState != gotowebinar.StateActive {
			u.UserSubscriptionState = gotowebinar.StateActive
		}
		if u.CallbackURL != "" || u.UserSubscriptionState != "" {
			updates = append(updates, u)
		}
	}
	if err := a.client.DeleteUserSubscriptions(ctx, extra); err != nil {
		return err
	}
	if err := a.client.UpdateUserSubscriptions(ctx, updates); err != nil {
		return err
	}
	created, err := a.client.CreateUserSubscriptions(ctx, create)
	if err != nil {
		return err
	}
	for _, s := range created {
		kept = append(kept, s.UserSubscriptionKey)
	}
	rec.Subscriptions = kept
	if err := a.saveRecord(*rec); err != nil {
		return err
	}
	if len(create)+len(updates)+len(extra) == 0 {
		a.noteSubscriptions(keep, subs)
		return nil
	}
	// GoTo's own word on the result, activationState included.
	if subs, err = a.client.ListUserSubscriptions(ctx); err != nil {
		return err
	}
	a.noteSubscriptions(keep, subs)
	a.log.Info("GoTo subscriptions set up", "created", len(create), "updated", len(updates), "deleted", len(extra))
	return nil
}

// SetUpWebhooks runs the lifecycle now, also after RemoveWebhooks.
func (a *goToAccount) SetUpWebhooks(ctx context.Context) error {
	a.mu.Lock()
	a.paused = false
	a.mu.Unlock()
	err := a.Sync(ctx)
	if err != nil && retryable(err) {
		a.kick(a.later)
	}
	if errors.Is(err, errNoPublicURL) {
		return nil // it runs when the tunnel has a URL
	}
	return err
}

// RemoveWebhooks deletes our subscriptions and webhooks at GoTo and keeps
// them away until SetUpWebhooks, a new login or a restart.
func (a *goToAccount) RemoveWebhooks(ctx context.Context) error {
	if err := a.cleanup(ctx); err != nil {
		return err
	}
	a.mu.Lock()
	a.paused = true
	a.mu.Unlock()
	return nil
}

// cleanup deletes our subscriptions, then our webhooks, at GoTo.
func (a *goToAccount) cleanup(ctx context.Context) error {
	a.runMu.Lock()
	defer a.runMu.Unlock()
	a.mu.Lock()
	loggedIn := a.tokens != nil
	a.mu.Unlock()
	if !loggedIn {
		return errNotLoggedIn
	}
	rec, err := a.loadRecord()
	if err != nil {
		return err
	}
	hooks, err := a.client.ListWebhooks(ctx)
	if err != nil {
		return err
	}
	var ours []gotowebinar.Key
	for _, h := range hooks {
		if strings.HasSuffix(h.CallbackURL, gotowebinar.WebhookPath) && slices.Contains(rec.Webhooks, h.WebhookKey) {
			ours = append(ours, h.WebhookKey)
		}
	}
	subs, err := a.client.ListUserSubscriptions(ctx)
	if err != nil {
		return err
	}
	var ourSubs []gotowebinar.Key
	for _, s := range subs {
		if slices.Contains(ours, s.WebhookKey) {
			ourSubs = append(ourSubs, s.UserSubscriptionKey)
		}
	}
	if err := a.client.DeleteUserSubscriptions(ctx, ourSubs); err != nil {
		return err
	}
	if err := a.client.DeleteWebhooks(ctx, ours); err != nil {
		return err
	}
	if err := a.saveRecord(webhookRecord{}); err != nil {
		return err
	}
	a.mu.Lock()
	clear(a.hooks)
	for _, name := range a.events {
		a.hooks[name] = &hookStatus{err: "Removed at GoTo."}
	}
	a.mu.Unlock()
	a.log.Info("removed our webhooks and subscriptions at GoTo", "webhooks", len(ours), "subscriptions", len(ourSubs))
	return nil
}

// noteWebhooks records what we know of each kept webhook for the status.
func (a *goToAccount) noteWebhooks(keep map[string]gotowebinar.Webhook) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, name := range a.events {
		h, ok := keep[name]
		if !ok {
			continue
		}
		st := a.hooks[name]
		if st == nil || st.webhookKey != string(h.WebhookKey) {
			st = &hookStatus{}
			a.hooks[name] = st
		}
		st.webhookKey, st.state, st.callbackURL, st.err = string(h.WebhookKey), h.State, h.CallbackURL, ""
	}
}

// noteSubscriptions records each kept webhook's subscription for the status.
func (a *goToAccount) noteSubscriptions(keep map[string]gotowebinar.Webhook, subs []gotowebinar.UserSubscription) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for name, h := range keep {
		st := a.hooks[name]
		if st == nil {
			continue
		}
		st.subState, st.activation, st.err = "", "", ""
		for _, s := range subs {
			if s.WebhookKey == h.WebhookKey {
				st.subState, st.activation = s.UserSubscriptionState, s.ActivationState
				st.callbackURL = cmp.Or(s.CallbackURL, st.callbackURL)
				break
			}
		}
		switch {
		case st.subState == "":
			st.err = "You are not subscribed to this webhook at GoTo yet."
		case st.activation != gotowebinar.StateActive:
			st.err = "GoTo has not activated this webhook yet, so its events do not arrive."
		}
	}
}

// noteEventError records a problem with one event's webhook.
func (a *goToAccount) noteEventError(name, words string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.hooks[name]
	if st == nil {
		st = &hookStatus{}
		a.hooks[name] = st
	}
	st.err = words
}

// problemWords says what went wrong in words an organizer understands.
func problemWords(err error, callback string) string {
	var apiErr *gotowebinar.APIError
	var netErr net.Error
	var urlErr *url.Error
	switch {
	case errors.Is(err, errNotLoggedIn):
		return "Not logged in to GoTo."
	case errors.Is(err, gotowebinar.ErrLoginExpired), gotowebinar.IsInvalidToken(err):
		return "Your GoTo session expired: log in again."
	case errors.Is(err, context.DeadlineExceeded):
		return "GoTo did not answer in time; trying again shortly."
	case errors.As(err, &apiErr):
		reason := cmp.Or(apiErr.Message, apiErr.Code)
		switch {
		case apiErr.Status == http.StatusTooManyRequests:
			return "GoTo asked us to slow down; trying again shortly."
		case apiErr.Status >= 500:
			return fmt.Sprintf("GoTo had a problem on its side (HTTP %d); trying again shortly.", apiErr.Status)
		case apiErr.Status == http.StatusBadRequest && strings.Contains(strings.ToLower(reason), "callback"):
			return "GoTo could not reach this computer at " + callback +
				" (it checks the address before delivering). Is the tunnel online? Trying again shortly."
		case apiErr.Status == http.StatusForbidden:
			return "GoTo refused: your GoTo account may not be allowed to manage webhooks (" + reason + ")."
		case apiErr.Status == http.StatusNotFound:
			return "GoTo no longer knows one of our webhooks; setting it up again shortly."
		}
		return "GoTo refused to set up the webhooks: " + cmp.Or(reason, http.StatusText(apiErr.Status)) + "."
	case errors.As(err, &urlErr), errors.As(err, &netErr):
		host := "GoTo"
		if urlErr != nil {
			if u, perr := url.Parse(urlErr.URL); perr == nil {
				host = "GoTo (" + u.Host + ")"
			}
		}
		return "Could not reach " + host + ": check this computer's internet connection. Trying again shortly."
	}
	return "Setting up the webhooks at GoTo failed; details are in the log. Trying again shortly."
}

// boolFirst orders true before false.
func boolFirst(x, y bool) int {
	switch {
	case x == y:
		return 0
	case x:
		return -1
	}
	return 1
}

func keysOf[T any](items []T, key func(T) gotowebinar.Key) []gotowebinar.Key {
	out := make([]gotowebinar.Key, 0, len(items))
	for _, it := range items {
		out = append(out, key(it))
	}
	return out
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
