package gotowebinar_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"testing"

	"webinarsync/gotowebinar"
)

func TestAlternatives_NameTheSchemeThatMatches(t *testing.T) {
	t.Parallel()
	key := []byte("the-key")
	body := []byte(`{"eventName":"registrant.added","eventKey":"k1"}`)
	mac := func(msg string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(msg))
		return m.Sum(nil)
	}
	b64 := base64.StdEncoding.EncodeToString
	for _, tc := range []struct {
		name, ts, sig string
		want          gotowebinar.Scheme
	}{
		{"body alone", "1750000000000", b64(mac(string(body))), gotowebinar.SchemeBodyOnly},
		{"hex", "1750000000000", hex.EncodeToString(mac("1750000000000:" + string(body))), gotowebinar.SchemeHex},
		{"no colon", "1750000000000", b64(mac("1750000000000" + string(body))), gotowebinar.SchemeNoColon},
		{"signed in s, sent in ms", "1750000000000", b64(mac("1750000000:" + string(body))), gotowebinar.SchemeSeconds},
		{"signed in ms, sent in s", "1750000000", b64(mac("1750000000000:" + string(body))), gotowebinar.SchemeMilliseconds},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := gotowebinar.VerifySignature([][]byte{key}, tc.ts, tc.sig, body); err == nil {
				t.Fatal("the alternative verifies with Sign's scheme; the case tests nothing")
			}
			got := gotowebinar.Alternatives([][]byte{[]byte("other"), key}, tc.ts, tc.sig, body)
			if !slices.Contains(got, gotowebinar.Alternative{Scheme: tc.want, Key: 1}) || len(got) != 1 {
				t.Errorf("Alternatives = %+v, want only %s with key 1", got, tc.want)
			}
			if got := gotowebinar.Alternatives([][]byte{[]byte("other")}, tc.ts, tc.sig, body); len(got) != 0 {
				t.Errorf("with a key that did not sign it: %+v", got)
			}
		})
	}
	if !gotowebinar.LooksHex(hex.EncodeToString(mac("x"))) || gotowebinar.LooksHex(b64(mac("x"))) {
		t.Error("LooksHex tells hex from base64 wrongly")
	}
}

func TestReceiver_KeepsTheWholeSignatureOfRefusalsOnly(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	rcv, _ := newReceiver(t, st, "our-key")
	var got []gotowebinar.Outcome
	rcv.Observer = observerFunc(func(o gotowebinar.Outcome) { got = append(got, o) })
	good := signedRequest("our-key", `{"eventName":"registrant.added","eventKey":"k-1","webinarKey":1,"registrantKey":1}`)
	bad := signedRequest("their-key", `{"eventName":"registrant.added","eventKey":"k-2","webinarKey":1,"registrantKey":2}`)
	badSig := bad.Header.Get(gotowebinar.HeaderSignature)
	serve(rcv, good)
	serve(rcv, bad)
	if len(got) != 2 {
		t.Fatalf("observed %d", len(got))
	}
	if got[0].Signature != "" || got[1].Signature != badSig {
		t.Errorf("signatures kept: stored %q, refused %q (want %q)", got[0].Signature, got[1].Signature, badSig)
	}
	for _, o := range got {
		for name := range o.Header {
			if v := o.Header.Get(name); len(v) > 12 && v == badSig {
				t.Errorf("header %s shows the whole signature", name)
			}
		}
	}
}

type observerFunc func(gotowebinar.Outcome)

func (f observerFunc) Observe(o gotowebinar.Outcome) { f(o) }
