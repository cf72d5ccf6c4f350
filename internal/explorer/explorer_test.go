package explorer

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// The explorer serves its page at "/" and its files by name, each with its type, and
// nothing else.
func TestHandlerServesTheEmbeddedFiles(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	tests := []struct {
		name, method, path string
		status             int
		contentType        string
		contains           string
	}{
		{"the page", http.MethodGet, "/", http.StatusOK, "text/html; charset=utf-8", `<script src="app.js"`},
		{"its script", http.MethodGet, "/app.js", http.StatusOK, "text/javascript; charset=utf-8", "EventSource"},
		{"its style", http.MethodGet, "/style.css", http.StatusOK, "text/css; charset=utf-8", "@media"},
		{"head of the page", http.MethodHead, "/", http.StatusOK, "text/html; charset=utf-8", ""},
		{"an unknown file", http.MethodGet, "/nothing.js", http.StatusNotFound, "text/plain; charset=utf-8", "not found"},
		{"the page by its name", http.MethodGet, "/index.html", http.StatusNotFound, "text/plain; charset=utf-8", "not found"},
		{"a folder", http.MethodGet, "/static/", http.StatusNotFound, "text/plain; charset=utf-8", "not found"},
		{"another method", http.MethodPost, "/", http.StatusMethodNotAllowed, "text/plain; charset=utf-8", "not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != tt.contentType {
				t.Fatalf("%s %s: %d %q, want %d %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, tt.contentType)
			}
			if !strings.Contains(string(body), tt.contains) {
				t.Fatalf("%s %s: body lacks %q:\n%.300s", tt.method, tt.path, tt.contains, body)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); tt.status == http.StatusOK &&
				(!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "require-trusted-types-for 'script'")) {
				t.Fatalf("%s: Content-Security-Policy %q, want default-src 'none' and Trusted Types", tt.path, csp)
			}
		})
	}
}

// A file asked again with its tag is not sent again.
func TestHandlerAnswersNotModified(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/app.js", nil))
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	req := httptest.NewRequest(http.MethodGet, "/app.js", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Fatalf("again with its tag: %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

// outside matches what would make a browser fetch from elsewhere than the node: an
// absolute or protocol-relative URL, in an attribute, a CSS url() or @import, or a
// string.
var outside = regexp.MustCompile(`(?i)https?://|(src|href|action)\s*=\s*["']?\s*//|url\(\s*["']?\s*//|@import|["'\x60]//[a-z0-9]`)

// The page loads nothing from outside the node: no CDN, no font, no script of anyone
// else's.
func TestFilesReferToNothingOutside(t *testing.T) {
	n := 0
	err := fs.WalkDir(static, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := fs.ReadFile(static, name)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := outside.FindString(line); m != "" {
				t.Errorf("%s:%d refers outside the node (%q): %s", name, i+1, m, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil || n < 3 {
		t.Fatalf("walked %d files: %v", n, err)
	}
	if !outside.MatchString(`<script src="https://cdn.example/x.js">`) || !outside.MatchString(`<link href="//fonts.example/css">`) {
		t.Fatal("the check misses an outside URL")
	}
}

// The page reads the ledger's own currency table, not the browser's: the two differ on
// the digits of a few currencies (HUF has 2 on the ledger, 0 in Chromium; AMD 0 and 2).
func TestHandlerServesTheLedgersCurrencies(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/currencies.json", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("/currencies.json: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var digits map[string]int
	if err := json.Unmarshal(rec.Body.Bytes(), &digits); err != nil {
		t.Fatalf("/currencies.json: %v: %.200s", err, rec.Body.Bytes())
	}
	for code, want := range map[string]int{"EUR": 2, "HUF": 2, "AMD": 0, "JPY": 0, "KWD": 3} {
		if got, ok := digits[code]; !ok || got != want {
			t.Errorf("%s has %d digits (listed: %v), want %d", code, got, ok, want)
		}
	}
}

// sinks matches what writes HTML or runs a string as code: the page builds its DOM from
// elements and text nodes only, so that nothing the chain holds can become markup.
var sinks = regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(|javascript:`)

// The script writes no HTML and evaluates no string.
func TestScriptWritesNoHTML(t *testing.T) {
	b, err := fs.ReadFile(static, "static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		if m := sinks.FindString(line); m != "" {
			t.Errorf("app.js:%d uses %s: %s", i+1, m, strings.TrimSpace(line))
		}
	}
	for _, bad := range []string{`el.innerHTML = s`, `document.write(x)`, `eval(s)`, `href = "javascript:x"`} {
		if !sinks.MatchString(bad) {
			t.Fatalf("the check misses %s", bad)
		}
	}
}
