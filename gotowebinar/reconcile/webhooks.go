package reconcile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
	"webinarsync/internal/clock"
	"webinarsync/store"
)

// Settings kept in the store.
const (
	settingRecord       = "goto.webhooks"     // record, as JSON
	settingSecretKeyFor = "goto.secretKeyFor" // the client and API our newest secret key is from
)

// record is which webhooks and subscriptions at GoTo we made. A webhook
// is ours only when it is recorded here and its callback ends in our
// webhook path: the same OAuth client used elsewhere keeps its own.
type record struct {
	Webhooks      []gotowebinar.Key `json:"webhooks"`
	Subscriptions []gotowebinar.Key `json:"userSubscriptions"`
}

func (r *Reconciler) loadRecord(rec *record) error {
	if _, err := r.store.SettingJSON(settingRecord, rec); err != nil {
		// Without the record we cannot tell our webhooks apart, so we would
		// create new ones: say so rather than silently duplicate.
		return fmt.Errorf("the record of our webhooks: %w", err)
	}
	return nil
}

func (r *Reconciler) saveRecord(rec record) error {
	if err := r.store.SetSettingJSON(settingRecord, rec); err != nil {
		return fmt.Errorf("saving the record of our webhooks: %w", err)
	}
	return nil
}

// ensureSecretKey asks GoTo for a secret key unless the environment gives
// one or we already made one with this OAuth client at this API. Every key
// is kept with its validFrom, so deliveries signed with an older one still
// verify.
func (r *Reconciler) ensureSecretKey(ctx context.Context) error {
	if r.envSecret {
		return nil
	}
	owner := r.login.ClientID() + " " + r.apiURL
	made, err := r.store.Setting(settingSecretKeyFor)
	if err != nil {
		return err
	}
	if made == owner && len(r.store.SecretKeys()) > 0 {
		return nil
	}
	return r.newSecretKey(ctx, owner)
}

// newSecretKey asks GoTo for a new key, valid now, and keeps it as owner's.
func (r *Reconciler) newSecretKey(ctx context.Context, owner string) error {
	k, err := r.client.CreateSecretKey(ctx, time.Time{})
	if err != nil {
		return err
	}
	if k.ValidFrom.IsZero() {
		k.ValidFrom = time.Now()
	}
	if err := r.store.AddSecretKey(store.SecretKey{ID: string(k.ID), Value: k.Value, ValidFrom: k.ValidFrom}); err != nil {
		return err
	}
	r.log.Info("new webhook secret key from GoTo", "id", k.ID, "validFrom", k.ValidFrom)
	return r.store.SetSetting(settingSecretKeyFor, owner)
}

// reconcileWebhooks makes GoTo hold exactly one of our webhooks per event,
// at callback: it reuses ours, deletes our duplicates and webhooks for
// events we no longer want, creates only the missing ones and re-points
// the rest. It returns the webhook kept for each event.
func (r *Reconciler) reconcileWebhooks(ctx context.Context, rec *record, callback string) (map[string]gotowebinar.Webhook, error) {
	all, err := r.client.ListWebhooks(ctx)
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
		if _, dup := keep[h.EventName]; dup || !slices.Contains(r.events, h.EventName) {
			extra = append(extra, h.WebhookKey)
			continue
		}
		keep[h.EventName] = h
	}
	if len(extra) > 0 {
		if err := r.client.DeleteWebhooks(ctx, extra); err != nil {
			return nil, err
		}
		rec.Webhooks = slices.DeleteFunc(rec.Webhooks, func(k gotowebinar.Key) bool { return slices.Contains(extra, k) })
		r.log.Info("deleted duplicate or unwanted webhooks of ours at GoTo", "webhookKeys", extra)
	}
	if err := r.saveRecord(*rec); err != nil {
		return nil, err
	}

	var missing []gotowebinar.NewWebhook
	for _, name := range r.events {
		if _, ok := keep[name]; !ok {
			missing = append(missing, gotowebinar.NewWebhook{CallbackURL: callback, EventName: name})
		}
	}
	if len(missing) > 0 {
		if err := r.createWebhooks(ctx, rec, missing, keep, callback); err != nil {
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
		if err := r.client.UpdateWebhooks(ctx, moves); err != nil {
			return nil, err
		}
		r.log.Info("pointed our webhooks at the new URL", "callback", callback, "webhooks", len(moves))
	}
	r.noteWebhooks(keep)
	return keep, nil
}

// createWebhooks creates the missing webhooks in one call and records them
// at once, so a crash right after cannot lead to duplicates. If GoTo
// refuses the opt-in survey.submitted, the other events go ahead without it.
func (r *Reconciler) createWebhooks(ctx context.Context, rec *record, missing []gotowebinar.NewWebhook, keep map[string]gotowebinar.Webhook, callback string) error {
	created, err := r.client.CreateWebhooks(ctx, missing)
	survey := slices.IndexFunc(missing, func(h gotowebinar.NewWebhook) bool { return h.EventName == gotowebinar.EventSurveySubmitted })
	var apiErr *gotowebinar.APIError
	if err != nil && survey >= 0 && errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest {
		r.noteRefusal(gotowebinar.EventSurveySubmitted, gotowebinar.Classify(err))
		r.log.Warn("GoTo refused the survey.submitted webhook; carrying on without it", "err", err)
		missing = slices.Delete(slices.Clone(missing), survey, survey+1)
		if len(missing) == 0 {
			return nil
		}
		created, err = r.client.CreateWebhooks(ctx, missing)
	}
	if err != nil && errors.As(err, &apiErr) && apiErr.Status >= 400 && apiErr.Status < 500 {
		return err // GoTo refused: nothing was created
	}
	if err != nil || len(created) == 0 {
		// The answer was lost (a timeout, a 5xx, an unreadable or empty
		// body) but GoTo may have created them: adopt what it now has at
		// our callback, so the retry does not create them twice.
		all, lerr := r.client.ListWebhooks(ctx)
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
	if err := r.saveRecord(*rec); err != nil {
		return err
	}
	for _, h := range created {
		if _, dup := keep[h.EventName]; dup {
			continue // the next run deletes the extra one
		}
		keep[h.EventName] = h
	}
	r.log.Info("created webhooks at GoTo", "count", len(created), "callback", callback)
	return nil
}

// activate sets our inactive webhooks ACTIVE. GoTo may not know a webhook
// the instant it is created, so a refusal saying so is retried with backoff.
func (r *Reconciler) activate(ctx context.Context, keep map[string]gotowebinar.Webhook) error {
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
	wait := r.activationBackoff
	for attempt := 1; ; attempt++ {
		err := r.client.UpdateWebhooks(ctx, updates)
		if err == nil {
			break
		}
		var apiErr *gotowebinar.APIError
		notYet := errors.As(err, &apiErr) && (apiErr.Status == http.StatusNotFound || apiErr.Status == http.StatusConflict)
		if !notYet || attempt == 6 {
			return fmt.Errorf("activating the webhooks: %w", err)
		}
		r.log.Debug("GoTo cannot activate the new webhooks yet; retrying", "attempt", attempt, "in", wait, "err", err)
		if err := clock.Sleep(ctx, wait); err != nil {
			return err
		}
		wait *= 2
	}
	for name, h := range keep {
		h.State = gotowebinar.StateActive
		keep[name] = h
	}
	r.noteWebhooks(keep)
	return nil
}

// subscribe makes the organizer hold exactly one active subscription to
// each webhook we keep, delivering to callback.
func (r *Reconciler) subscribe(ctx context.Context, rec *record, keep map[string]gotowebinar.Webhook, callback string) error {
	subs, err := r.client.ListUserSubscriptions(ctx)
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
	for _, name := range r.events {
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
	if err := r.client.DeleteUserSubscriptions(ctx, extra); err != nil {
		return err
	}
	if err := r.client.UpdateUserSubscriptions(ctx, updates); err != nil {
		return err
	}
	created, err := r.client.CreateUserSubscriptions(ctx, create)
	if err != nil {
		return err
	}
	for _, s := range created {
		kept = append(kept, s.UserSubscriptionKey)
	}
	rec.Subscriptions = kept
	if err := r.saveRecord(*rec); err != nil {
		return err
	}
	if len(create)+len(updates)+len(extra) == 0 {
		r.noteSubscriptions(keep, subs)
		return nil
	}
	// GoTo's own word on the result, activationState included.
	if subs, err = r.client.ListUserSubscriptions(ctx); err != nil {
		return err
	}
	r.noteSubscriptions(keep, subs)
	r.log.Info("GoTo subscriptions set up", "created", len(create), "updated", len(updates), "deleted", len(extra))
	return nil
}

// Cleanup deletes our subscriptions, then our webhooks, at GoTo.
func (r *Reconciler) Cleanup(ctx context.Context) error {
	r.runMu.Lock()
	defer r.runMu.Unlock()
	if r.login.State().Status == login.LoggedOut {
		return gotowebinar.ErrNotLoggedIn
	}
	var rec record
	if err := r.loadRecord(&rec); err != nil {
		return err
	}
	hooks, err := r.client.ListWebhooks(ctx)
	if err != nil {
		return err
	}
	var ours []gotowebinar.Key
	for _, h := range hooks {
		if strings.HasSuffix(h.CallbackURL, gotowebinar.WebhookPath) && slices.Contains(rec.Webhooks, h.WebhookKey) {
			ours = append(ours, h.WebhookKey)
		}
	}
	subs, err := r.client.ListUserSubscriptions(ctx)
	if err != nil {
		return err
	}
	var ourSubs []gotowebinar.Key
	for _, s := range subs {
		if slices.Contains(ours, s.WebhookKey) {
			ourSubs = append(ourSubs, s.UserSubscriptionKey)
		}
	}
	if err := r.client.DeleteUserSubscriptions(ctx, ourSubs); err != nil {
		return err
	}
	if err := r.client.DeleteWebhooks(ctx, ours); err != nil {
		return err
	}
	if err := r.saveRecord(record{}); err != nil {
		return err
	}
	r.mu.Lock()
	clear(r.hooks)
	for _, name := range r.events {
		r.hooks[name] = &Hook{EventName: name, Condition: Removed}
	}
	r.mu.Unlock()
	r.log.Info("removed our webhooks and subscriptions at GoTo", "webhooks", len(ours), "subscriptions", len(ourSubs))
	return nil
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
