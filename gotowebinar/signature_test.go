package gotowebinar_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"webinarsync/gotowebinar"
)

// The known answer was computed once, outside Go, with
//
//	printf '%s' '1700000000123:{"eventName":"registrant.added","eventKey":"k1"}' |
//	  openssl dgst -sha256 -hmac 'gtw-secret-key' -binary | base64
//
// so a change of the signing scheme (separator, order, encoding) fails here.
const (
	kaKey       = "gtw-secret-key"
	kaTimestamp = "1700000000123"
	kaBody      = `{"eventName":"registrant.added","eventKey":"k1"}`
	kaSignature = "a5VVAGYUc7n7byisYn3ucyEi2eBuQYtsQIQQXw4/3gE="
	// printf '%s' '1700000000123:' | openssl dgst -sha256 -hmac 'gtw-secret-key' -binary | base64
	kaEmptyBodySignature = "lpMGKqL+6YvDoCcYs0hpdnb/4zRc+AUcw/6G+xfsuJ4="
)

func TestSign_MatchesKnownAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ body, want string }{
		{kaBody, kaSignature},
		{"", kaEmptyBodySignature},
	} {
		got := gotowebinar.Sign([]byte(kaKey), kaTimestamp, []byte(tc.body))
		if got != tc.want {
			t.Errorf("Sign(body %q) = %s, want %s", tc.body, got, tc.want)
		}
		// The same value computed independently from the documented scheme.
		mac := hmac.New(sha256.New, []byte(kaKey))
		mac.Write([]byte(kaTimestamp + ":" + tc.body))
		if indep := base64.StdEncoding.EncodeToString(mac.Sum(nil)); indep != tc.want {
			t.Errorf("independent HMAC = %s, want %s", indep, tc.want)
		}
		if err := gotowebinar.VerifySignature([][]byte{[]byte(kaKey)}, kaTimestamp, tc.want, []byte(tc.body)); err != nil {
			t.Errorf("VerifySignature(known answer) = %v", err)
		}
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	oldKey := []byte("old-secret-key")
	newKey := []byte("new-secret-key")
	body := []byte(`{"eventName":"registrant.added","eventKey":"k1","webinarKey":98765432109876543210123}`)
	ts := "1700000000123"
	good := gotowebinar.Sign(newKey, ts, body)
	signedOld := gotowebinar.Sign(oldKey, ts, body)
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-2] = '4'

	for _, tc := range []struct {
		name      string
		keys      [][]byte
		timestamp string
		signature string
		body      []byte
		want      error
	}{
		{"good", [][]byte{newKey}, ts, good, body, nil},
		{"unsigned", [][]byte{newKey}, ts, "", body, gotowebinar.ErrMissingSig},
		{"unsigned and no timestamp", [][]byte{newKey}, "", "", body, gotowebinar.ErrMissingSig},
		{"missing timestamp", [][]byte{newKey}, "", good, body, gotowebinar.ErrMissingSigTime},
		{"not base64", [][]byte{newKey}, ts, "not base64!", body, gotowebinar.ErrSignatureFormat},
		{"URL-safe base64 is not the standard alphabet", [][]byte{newKey}, ts, "-_-_", body, gotowebinar.ErrSignatureFormat},
		{"hex digest instead of base64", [][]byte{newKey}, ts, hexSig(newKey, ts, body), body, gotowebinar.ErrSignatureFormat}, // 64 characters, not 44
		{"signature with padding dropped", [][]byte{newKey}, ts, good[:len(good)-1], body, gotowebinar.ErrSignatureFormat},
		{"wrong key", [][]byte{[]byte("someone-else")}, ts, good, body, gotowebinar.ErrBadSignature},
		{"tampered body", [][]byte{newKey}, ts, good, tampered, gotowebinar.ErrBadSignature},
		{"tampered timestamp", [][]byte{newKey}, "1700000000124", good, body, gotowebinar.ErrBadSignature},
		{"body with trailing newline added", [][]byte{newKey}, ts, good, append(append([]byte(nil), body...), '\n'), gotowebinar.ErrBadSignature},
		{"truncated signature", [][]byte{newKey}, ts, base64.StdEncoding.EncodeToString([]byte("short")), body, gotowebinar.ErrSignatureFormat},
		{"32 bytes, not our MAC", [][]byte{newKey}, ts, base64.StdEncoding.EncodeToString(make([]byte, 32)), body, gotowebinar.ErrBadSignature},
		{"empty body signed correctly", [][]byte{newKey}, ts, gotowebinar.Sign(newKey, ts, nil), []byte{}, nil},
		{"empty body signed correctly, nil body", [][]byte{newKey}, ts, gotowebinar.Sign(newKey, ts, []byte{}), nil, nil},
		{"no keys", nil, ts, good, body, gotowebinar.ErrNoSecret},
		{"empty key list", [][]byte{}, ts, good, body, gotowebinar.ErrNoSecret},
		{"rotation: new key signs, both known", [][]byte{oldKey, newKey}, ts, good, body, nil},
		{"rotation: old key signs, both known", [][]byte{oldKey, newKey}, ts, signedOld, body, nil},
		{"rotation: old key signs, only new known", [][]byte{newKey}, ts, signedOld, body, gotowebinar.ErrBadSignature},
		{"rotation: neither key signs", [][]byte{oldKey, newKey}, ts, gotowebinar.Sign([]byte("third"), ts, body), body, gotowebinar.ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := gotowebinar.VerifySignature(tc.keys, tc.timestamp, tc.signature, tc.body)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("VerifySignature = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("VerifySignature = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVerifySignature_ErrorsNeverContainTheSecret(t *testing.T) {
	t.Parallel()
	secret := "s3cr3t-KEY-never-print-me"
	body := []byte(`{"eventName":"x"}`)
	for _, sig := range []string{"", "%%%", gotowebinar.Sign([]byte("other"), "1", body)} {
		err := gotowebinar.VerifySignature([][]byte{[]byte(secret)}, "1", sig, body)
		if err == nil {
			t.Fatalf("signature %q verified", sig)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains the secret", err)
		}
	}
}

func hexSig(key []byte, ts string, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(ts + ":"))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// An empty secret key is no secret: anyone can compute HMAC-SHA256 with the
// empty key. If one ever reaches the key list (a stored key whose value
// failed to decode, say), it must not make forged deliveries verify.
func TestVerifySignature_RefusesSignatureMadeWithEmptyKey(t *testing.T) {
	t.Parallel()
	body := []byte(`{"eventName":"registrant.added","eventKey":"forged","webinarKey":1,"registrantKey":2}`)
	forged := gotowebinar.Sign(nil, "1", body)
	for _, tc := range []struct {
		name string
		keys [][]byte
		want error
	}{
		{"only an empty key", [][]byte{{}}, gotowebinar.ErrNoSecret},
		{"an empty key beside a real one", [][]byte{{}, []byte("real-secret")}, gotowebinar.ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := gotowebinar.VerifySignature(tc.keys, "1", forged, body); !errors.Is(err, tc.want) {
				t.Errorf("VerifySignature(signed with the empty key) = %v, want %v", err, tc.want)
			}
		})
	}
}
