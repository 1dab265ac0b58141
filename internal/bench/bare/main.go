// Command bare is the ingest baseline of issue 15: the least a receiver can
// do and still be honest (net/http, the HMAC check, eventKey decoded, one
// fsynced bbolt Batch put, 200 after the commit). webinarsync's throughput
// is judged as a ratio to this, measured on the same machine in one run,
// so the figure means something on any machine. It is not shipped.
//
//	bare -addr 127.0.0.1:8789 -data DIR -secret KEY
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// webhookPath is gotowebinar.WebhookPath, spelt out so the baseline
// depends on nothing of ours.
const webhookPath = "/webhooks/gotowebinar"

// maxBodyBytes is gotowebinar.MaxBodyBytes: the same cap, so neither side
// gets to skip it.
const maxBodyBytes = 256 << 10

var bucket = []byte("events")

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("bare", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8789", "listen address")
	dataDir := fs.String("data", "", "data dir; the database is bare.db in it (required)")
	secret := fs.String("secret", "", "secret key deliveries are signed with (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dataDir == "" || *secret == "" {
		return errors.New("-data and -secret are required")
	}

	db, err := openDB(*dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle(webhookPath, &receiver{db: db, secret: []byte(*secret)})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	// Wait for handlers, so every acknowledged put is committed before the
	// database closes.
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

func openDB(dir string) (*bolt.DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data dir: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, "bare.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	// 1 ms: long enough to gather concurrent deliveries into one fsync,
	// short enough that a lone sender barely waits.
	db.MaxBatchDelay = time.Millisecond
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the bucket: %w", err)
	}
	return db, nil
}

// receiver stores each signed delivery under its eventKey.
type receiver struct {
	db     *bolt.DB
	secret []byte
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		// What readiness checks poll, as GoTo's URL validation does.
		return
	case http.MethodPost:
	default:
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		http.Error(w, "could not read body", http.StatusBadRequest)
		return
	}
	if !signed(rc.secret, r.Header.Get("X-Webhook-Signature-Timestamp"), r.Header.Get("X-Webhook-Signature"), body) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev struct {
		EventKey string `json:"eventKey"`
	}
	if err := json.Unmarshal(body, &ev); err != nil || ev.EventKey == "" {
		http.Error(w, "no eventKey", http.StatusBadRequest)
		return
	}
	err = rc.db.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).Put([]byte(ev.EventKey), body)
	})
	if err != nil {
		http.Error(w, "could not store", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// signed is gotowebinar.VerifySignature for one key: standard base64 of
// HMAC-SHA256(secret, timestamp + ":" + body), compared in constant time.
func signed(secret []byte, timestamp, signature string, body []byte) bool {
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || timestamp == "" {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{':'})
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}
