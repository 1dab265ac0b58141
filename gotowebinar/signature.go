package gotowebinar

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// The headers GoTo signs deliveries with.
const (
	HeaderSignature          = "X-Webhook-Signature"
	HeaderSignatureTimestamp = "X-Webhook-Signature-Timestamp"
)

// Reasons a delivery's signature is refused. They name the check that
// failed, never the secret.
var (
	ErrNoSecret        = errors.New("no webhook secret key is known yet")
	ErrMissingSig      = errors.New("missing " + HeaderSignature + " header")
	ErrMissingSigTime  = errors.New("missing " + HeaderSignatureTimestamp + " header")
	ErrSignatureFormat = errors.New(HeaderSignature + " is not standard base64 of a 32-byte HMAC-SHA256")
	ErrBadSignature    = errors.New(HeaderSignature + " matches none of our secret keys")
)

// Sign computes the X-Webhook-Signature GoTo sends:
//
//	base64(HMAC-SHA256(secretKey, timestamp + ":" + rawBody))
//
// with standard base64 and timestamp the X-Webhook-Signature-Timestamp
// header. GoTo's guide names this step without spelling it out; this is
// what the one public receiver we found computes. If a live delivery shows
// otherwise, this function is the only place to change.
func Sign(secretKey []byte, timestamp string, body []byte) string {
	return base64.StdEncoding.EncodeToString(signatureMAC(secretKey, timestamp, body))
}

func signatureMAC(secretKey []byte, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, secretKey)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{':'})
	mac.Write(body)
	return mac.Sum(nil)
}

// VerifySignature checks a delivery against every known secret key, so a
// key rotation loses no delivery signed with the previous key. The
// comparison is constant-time.
func VerifySignature(secretKeys [][]byte, timestamp, signature string, body []byte) error {
	got, err := checkSignatureHeaders(timestamp, signature)
	if err != nil {
		return err
	}
	known := false
	for _, key := range secretKeys {
		if len(key) == 0 {
			continue // an empty key would let anyone sign
		}
		known = true
		if hmac.Equal(got, signatureMAC(key, timestamp, body)) {
			return nil
		}
	}
	if !known {
		return ErrNoSecret
	}
	return ErrBadSignature
}

// checkSignatureHeaders is the part of VerifySignature that needs neither
// body nor key, so the Receiver can refuse a stranger before reading the
// body. It returns the signature's MAC.
func checkSignatureHeaders(timestamp, signature string) ([]byte, error) {
	if signature == "" {
		return nil, ErrMissingSig
	}
	if timestamp == "" {
		return nil, ErrMissingSigTime
	}
	// Our MAC is sha256.Size bytes, 44 in base64: anything longer is
	// refused before decoding, so a huge header costs no allocation.
	if len(signature) != base64.StdEncoding.EncodedLen(sha256.Size) {
		return nil, ErrSignatureFormat
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || len(got) != sha256.Size {
		return nil, ErrSignatureFormat
	}
	return got, nil
}
