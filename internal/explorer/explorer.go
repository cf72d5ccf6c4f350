package explorer

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/chipmint/chipmint/internal/fiat"
)

//go:embed static
var static embed.FS

// file is one embedded file as it is served.
type file struct {
	body        []byte
	contentType string
	etag        string
}

// contentTypes are the types of the files the explorer is made of, by extension: its own
// table, so that the answer does not depend on the machine's MIME tables.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
}

// csp lets the page load its own files and call its own node, and nothing else.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'"

// currenciesFile is the name under which the explorer serves the ledger's currency table
// ({"EUR":2,"JPY":0,...}), so that the page writes an amount with the digits the ledger
// gives its currency, not those of the browser's own table, which differs for a few.
const currenciesFile = "currencies.json"

// Handler serves the explorer: index.html at "/", the files beside it by their names,
// and the ledger's currency table at /currencies.json. It is meant for the root of a ServeMux whose more specific routes (the API's)
// take precedence; any other path is not found, and any method but GET and HEAD is
// refused.
func Handler() http.Handler {
	files, err := load()
	if err != nil {
		panic("explorer: the embedded files: " + err.Error()) // they are compiled in
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" {
			name = "index.html"
		}
		f, ok := files[name]
		if !ok || r.URL.Path == "/index.html" {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// The files change with the binary: the browser asks again each time, and the
		// tag spares it the body when nothing changed.
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", f.etag)
		if r.Header.Get("If-None-Match") == f.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if r.Method == http.MethodGet {
			_, _ = w.Write(f.body)
		}
	})
}

// load reads the embedded files whose type the explorer serves, by name.
func load() (map[string]file, error) {
	root, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	files := map[string]file{}
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := contentTypes[path.Ext(name)]
		if !ok {
			return nil
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		files[name] = newFile(body, ct)
		return nil
	})
	if err != nil {
		return nil, err
	}
	table, err := json.Marshal(fiat.MinorDigitsByCode())
	if err != nil {
		return nil, err
	}
	files[currenciesFile] = newFile(table, "application/json")
	return files, nil
}

// newFile is body as it is served, with its type and a tag of its content.
func newFile(body []byte, contentType string) file {
	sum := sha256.Sum256(body)
	return file{body: body, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}
