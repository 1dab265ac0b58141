// Package assets owns the UI's static files (style sheet, icon), embedded
// in the binary so the app is one file, and serves them with cache headers.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
	"sync"
)

// Prefix is the URL path the files are served under.
const Prefix = "/assets/"

//go:embed static
var static embed.FS

// FS holds the files under their names ("style.css", …).
var FS = mustSub(static, "static")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // only if the embed directive and dir disagree
	}
	return sub
}

// versions maps a file name to a short hash of its content, computed once.
var versions = sync.OnceValue(func() map[string]string {
	v := map[string]string{}
	_ = fs.WalkDir(FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(FS, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		v[name] = hex.EncodeToString(sum[:6])
		return nil
	})
	return v
})

// Path is the URL of an asset, versioned by its content so browsers may
// cache it for good and still see a new release at once.
func Path(name string) string {
	if v, ok := versions()[name]; ok {
		return Prefix + name + "?v=" + v
	}
	return Prefix + name
}

// Handler serves the files under Prefix. A request carrying the current
// version (as Path builds it) may be cached for a year; any other is
// revalidated, so an old link never pins a stale file.
func Handler() http.Handler {
	files := http.FileServerFS(FS)
	return http.StripPrefix(strings.TrimSuffix(Prefix, "/"), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" || strings.HasSuffix(name, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		v, ok := versions()[name]
		switch {
		case ok && r.URL.Query().Get("v") == v:
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		default:
			w.Header().Set("Cache-Control", "no-cache")
		}
		if ok {
			// Embedded files have no modification time; the content hash
			// lets a revalidation end in 304.
			w.Header().Set("ETag", `"`+v+`"`)
		}
		files.ServeHTTP(w, r)
	}))
}
