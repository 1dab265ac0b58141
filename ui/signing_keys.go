package ui

import (
	"net/http"
	"time"

	"webinarsync/store"
)

// signingKey is one webhook signing key as the settings page lists it.
type signingKey struct {
	ID        string
	ValidFrom time.Time
	Accepted  bool      // deliveries signed with it are still accepted
	Until     time.Time // with Accepted: when it stops being accepted, zero for the key in use
}

// signingKeys lists the stored keys, newest first, with whether each is
// still accepted (store.AcceptedSecretKeys) and until when.
func (s *Server) signingKeys() []signingKey {
	now := s.now()
	accepted := map[string]bool{}
	for _, k := range s.store.AcceptedSecretKeys(now) {
		accepted[k.ID] = true
	}
	all := s.store.SecretKeys()
	out := make([]signingKey, 0, len(all))
	var newer *store.SecretKey // the next newer key, which supersedes this one
	for i, k := range all {
		sk := signingKey{ID: k.ID, ValidFrom: k.ValidFrom, Accepted: accepted[k.ID]}
		if sk.Accepted && newer != nil {
			sk.Until = newer.ValidFrom.Add(store.KeyGrace)
		}
		out = append(out, sk)
		newer = &all[i]
	}
	return out
}

// revokeKey serves POST /settings/keys/{keyID}/revoke: deliveries signed
// with the key are refused from now on.
func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("keyID")
	if keys := s.store.SecretKeys(); len(keys) > 0 && keys[0].ID == id {
		return &userError{status: http.StatusConflict, title: "The key in use was not revoked",
			msg: "GoTo signs its deliveries with this key, so revoking it would refuse every one. " +
				"To replace it, use \"Renew the signing key\" on the home page; it can be revoked once a newer key is in use."}
	}
	if err := s.store.RemoveSecretKey(id); err != nil {
		return &userError{status: http.StatusInternalServerError, title: "The key was not revoked",
			msg: "We could not remove the key; details are in the log.", err: err}
	}
	s.log.Info("ui: webhook signing key revoked", "id", id)
	http.Redirect(w, r, "/settings#keys-h", http.StatusSeeOther)
	return nil
}
