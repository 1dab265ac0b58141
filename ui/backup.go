package ui

import (
	"io"
	"net/http"
)

// backupFormat is the database file as a download.
var backupFormat = format{".db", "application/octet-stream"}

// backup serves GET /backup: a consistent copy of the whole database, for
// the settings page's link and for `webinarsync backup` while the app
// runs (the app holds the file's lock then). The store copies it from one
// read transaction, so deliveries go on meanwhile.
func (s *Server) backup(w http.ResponseWriter, r *http.Request) error {
	name := s.now().Format("2006-01-02 150405") + " webinarsync backup" + backupFormat.ext
	return s.download(w, r, "", name, backupFormat, func(w io.Writer) error {
		_, err := s.store.Backup(w)
		return err
	})
}
