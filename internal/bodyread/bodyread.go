// Package bodyread reads webhook bodies for the internet-facing receivers
// (GoTo's and RingCentral's) under one count of body bytes in flight, so a
// crowd of strangers holds bounded memory and a genuine delivery that finds
// the budget spent is told to come back rather than made to wait.
package bodyread

import (
	"errors"
	"io"
	"net/http"
	"sync/atomic"
)

// ErrBudgetSpent: the body would take the bytes in flight over the budget.
var ErrBudgetSpent = errors.New("body budget spent")

// chunk is what a body of unknown length reserves and grows by.
const chunk = 16 << 10

// Read reads r's body, at most limit bytes (the caller has refused a larger
// declared Content-Length already), reserving every byte of buffer it
// allocates from inFlight first so that inFlight never passes budget: the
// declared length at once, a body of unknown length chunk by chunk.
// reserved is what the caller must give back (inFlight.Add(-reserved)),
// also when err is set.
func Read(w http.ResponseWriter, r *http.Request, inFlight *atomic.Int64, budget, limit int64) (body []byte, reserved int64, err error) {
	size := int64(chunk)
	if r.ContentLength >= 0 {
		size = r.ContentLength
	}
	if !reserve(inFlight, budget, size) {
		return nil, 0, ErrBudgetSpent
	}
	reserved = size
	src := http.MaxBytesReader(w, r.Body, limit)
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			// Full: one more byte says whether the body ends here.
			var probe [1]byte
			n, err := io.ReadFull(src, probe[:])
			if n == 0 {
				if errors.Is(err, io.EOF) {
					return buf, reserved, nil
				}
				return buf, reserved, err
			}
			grow := min(int64(chunk), limit-int64(cap(buf)))
			if grow <= 0 {
				grow = 1 // only to hold the probe; MaxBytesReader refuses the next read
			}
			if !reserve(inFlight, budget, grow) {
				return buf, reserved, ErrBudgetSpent
			}
			reserved += grow
			bigger := make([]byte, len(buf), int64(cap(buf))+grow)
			copy(bigger, buf)
			buf = append(bigger, probe[0])
			continue
		}
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, reserved, nil
		}
		if err != nil {
			return buf, reserved, err
		}
	}
}

// reserve takes n bytes of the budget, or reports that it cannot without
// waiting: a delivery that waits holds its connection, which is what a
// flood wants.
func reserve(inFlight *atomic.Int64, budget, n int64) bool {
	for {
		cur := inFlight.Load()
		if cur+n > budget {
			return false
		}
		if inFlight.CompareAndSwap(cur, cur+n) {
			return true
		}
	}
}

// DefaultBudget is the body bytes all deliveries in flight may hold
// together when a receiver sets none: 32 maximal bodies.
const DefaultBudget = 8 << 20

// Budget is a receiver's configured budget made usable: DefaultBudget when
// unset, and never below limit, or a large genuine delivery could never get in.
func Budget(configured, limit int64) int64 {
	if configured <= 0 {
		return DefaultBudget
	}
	return max(configured, limit)
}

// Refuse answers without reading the rest of the body, and closes the
// connection instead of draining it, so a refusal costs no more time or
// memory than the headers did.
func Refuse(w http.ResponseWriter, msg string, code int) {
	w.Header().Set("Connection", "close")
	http.Error(w, msg, code)
}
