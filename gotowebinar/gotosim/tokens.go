package gotosim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Tokens signed with Config.TokenKey carry what the sim would otherwise
// remember of them (kind, expiry, client), so a Sim made again with the
// same key (the demo restarted on the same data dir) accepts them:
// "gs1.<kind>.<unix expiry, 0 for none>.<client>.<nonce>.<mac>".
const signedTokenPrefix = "gs1."

func (s *Sim) signToken(kind string, exp time.Time, clientID string) string {
	var unix int64
	if !exp.IsZero() {
		unix = exp.Unix()
	}
	payload := signedTokenPrefix + kind + "." + strconv.FormatInt(unix, 10) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(clientID)) + "." + rand.Text()
	return payload + "." + s.tokenMAC(payload)
}

func (s *Sim) tokenMAC(payload string) string {
	m := hmac.New(sha256.New, s.tokenKey)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verifyToken reports whether tok is a token of this kind signed with the
// sim's TokenKey, and its client and expiry (zero: none).
func (s *Sim) verifyToken(kind, tok string) (clientID string, exp time.Time, ok bool) {
	if len(s.tokenKey) == 0 || !strings.HasPrefix(tok, signedTokenPrefix) {
		return "", time.Time{}, false
	}
	i := strings.LastIndexByte(tok, '.')
	payload, mac := tok[:i], tok[i+1:]
	if !hmac.Equal([]byte(mac), []byte(s.tokenMAC(payload))) {
		return "", time.Time{}, false
	}
	parts := strings.Split(strings.TrimPrefix(payload, signedTokenPrefix), ".")
	if len(parts) != 4 || parts[0] != kind {
		return "", time.Time{}, false
	}
	unix, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", time.Time{}, false
	}
	id, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", time.Time{}, false
	}
	if unix != 0 {
		exp = time.Unix(unix, 0)
	}
	return string(id), exp, true
}
