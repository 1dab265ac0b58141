package ui

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"webinarsync/store"
)

func TestBackup_DownloadIsAHealthyCopyOfTheDatabase(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	put(t, st, testNow, registrantAdded("ek-1", "111", "Launch", registrant{key: "1", first: "Ada", last: "L", email: "ada@example.com", status: "APPROVED", registered: testNow}))
	rec := get(t, handler(t, Config{Store: st}), "/backup")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /backup = %d: %s", rec.Code, rec.Body)
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "webinarsync backup.db") {
		t.Errorf("Content-Disposition %q", cd)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, store.FileName)
	if err := os.WriteFile(path, rec.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckFile(path); err != nil {
		t.Fatalf("the download: %v", err)
	}
	cp, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if _, err := cp.Registrant("111", "1"); err != nil {
		t.Errorf("registrant in the backup: %v", err)
	}
}
