package gotowebinar

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// Scheme is one way GoTo might compute X-Webhook-Signature other than
// Sign's. GoTo's guide names the step without spelling it out, so when a
// delivery fails the check we try the likely misreadings of it: if one
// matches with a key we know, our Sign is what is wrong, not the sender.
type Scheme string

// The alternative computations tried on a refused delivery.
const (
	SchemeBodyOnly     Scheme = "body_only"    // HMAC of the raw body alone, no timestamp
	SchemeHex          Scheme = "hex"          // hex instead of base64
	SchemeNoColon      Scheme = "no_colon"     // timestamp + body, without the ":"
	SchemeSeconds      Scheme = "seconds"      // the timestamp header in ms, signed in s
	SchemeMilliseconds Scheme = "milliseconds" // the timestamp header in s, signed in ms
)

// Alternative is an alternative computation that matched a delivery's
// signature with one of our keys.
type Alternative struct {
	Scheme Scheme
	// Key is the index, in the keys given, of the key that matched.
	Key int
}

// Alternatives tries the likely other readings of GoTo's scheme on a
// delivery that failed VerifySignature, with every key, and returns those
// that match, in the order of the Scheme constants. It never makes a
// delivery count as verified: only VerifySignature (that is, Sign) does.
func Alternatives(secretKeys [][]byte, timestamp, signature string, body []byte) []Alternative {
	got := decodeAnySignature(signature)
	if got == nil {
		return nil
	}
	var found []Alternative
	for i, key := range secretKeys {
		if len(key) == 0 {
			continue // an empty key would let anyone sign
		}
		for _, c := range candidates(timestamp) {
			if c.hexOnly != got.hex {
				continue
			}
			var mac []byte
			if c.bodyOnly {
				mac = plainMAC(key, body)
			} else {
				mac = macWith(key, c.timestamp, c.sep, body)
			}
			if hmac.Equal(got.mac, mac) {
				found = append(found, Alternative{Scheme: c.scheme, Key: i})
			}
		}
	}
	return found
}

// candidate is one alternative computation.
type candidate struct {
	scheme    Scheme
	timestamp string
	sep       string
	bodyOnly  bool
	hexOnly   bool // the signature must be hex (Sign's computation, hex-encoded)
}

func candidates(timestamp string) []candidate {
	cs := []candidate{
		{scheme: SchemeBodyOnly, bodyOnly: true},
		{scheme: SchemeHex, timestamp: timestamp, sep: ":", hexOnly: true},
		{scheme: SchemeNoColon, timestamp: timestamp},
	}
	// A Unix timestamp of 13 digits is in ms, of 10 in s; try the other.
	if n, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64); err == nil && n > 0 {
		switch digits := len(strconv.FormatInt(n, 10)); {
		case digits >= 12:
			cs = append(cs, candidate{scheme: SchemeSeconds, timestamp: strconv.FormatInt(n/1000, 10), sep: ":"})
		case digits <= 11:
			cs = append(cs, candidate{scheme: SchemeMilliseconds, timestamp: strconv.FormatInt(n*1000, 10), sep: ":"})
		}
	}
	return cs
}

// decoded is a signature header's MAC and how it was written.
type decoded struct {
	mac []byte
	hex bool
}

// decodeAnySignature reads a signature written in base64 or hex, nil when
// it is neither, or not the size of an HMAC-SHA256.
func decodeAnySignature(signature string) *decoded {
	signature = strings.TrimSpace(signature)
	if len(signature) == hex.EncodedLen(sha256.Size) {
		if mac, err := hex.DecodeString(signature); err == nil {
			return &decoded{mac: mac, hex: true}
		}
	}
	if len(signature) == base64.StdEncoding.EncodedLen(sha256.Size) {
		if mac, err := base64.StdEncoding.DecodeString(signature); err == nil {
			return &decoded{mac: mac}
		}
	}
	return nil
}

// LooksHex reports whether a signature is shaped like hex of an
// HMAC-SHA256 (64 hex digits), which the Receiver refuses before reading
// the body: then no key can be tried, but the shape alone says something.
func LooksHex(signature string) bool {
	d := decodeAnySignature(signature)
	return d != nil && d.hex
}

func macWith(key []byte, timestamp, sep string, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(timestamp))
	mac.Write([]byte(sep))
	mac.Write(body)
	return mac.Sum(nil)
}

func plainMAC(key, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return mac.Sum(nil)
}
