package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Handler serves the gateway's journal to the operator's people, on loopback: the
// exceptions to refund, the bank files set aside, and the record of every bank entry.
//
//	GET /v1/exceptions           the entries that became exceptions
//	GET /v1/failed               the bank files set aside, oldest first
//	GET /v1/journal?status=S     the entries, optionally of one status
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/exceptions", func(w http.ResponseWriter, _ *http.Request) {
		g.serveRecords(w, StatusException)
	})
	mux.HandleFunc("GET /v1/journal", func(w http.ResponseWriter, r *http.Request) {
		var statuses []string
		if s := r.URL.Query().Get("status"); s != "" {
			statuses = append(statuses, s)
		}
		g.serveRecords(w, statuses...)
	})
	mux.HandleFunc("GET /v1/failed", func(w http.ResponseWriter, _ *http.Request) {
		files, err := g.cfg.Journal.Failed()
		serveList(w, files, err)
	})
	return mux
}

func (g *Gateway) serveRecords(w http.ResponseWriter, statuses ...string) {
	recs, err := g.cfg.Journal.Records(statuses...)
	serveList(w, recs, err)
}

// serveList answers with list as a JSON array, [] when it is empty, or with the error.
func serveList[T any](w http.ResponseWriter, list []T, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	if list == nil {
		list = []T{}
	}
	_ = json.NewEncoder(w).Encode(list)
}

// AdminClient reads a running gateway's journal over its HTTP API.
type AdminClient struct {
	url  string
	http *http.Client
}

// NewAdminClient is a client of the gateway serving at url ("http://127.0.0.1:26690").
func NewAdminClient(url string) *AdminClient {
	return &AdminClient{url: strings.TrimRight(url, "/"), http: http.DefaultClient}
}

// UnreachableError is a gateway that did not answer at all, as when none runs.
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string { return fmt.Sprintf("gateway at %s: %v", e.URL, e.Err) }

func (e *UnreachableError) Unwrap() error { return e.Err }

// Exceptions lists the entries that became exceptions.
func (c *AdminClient) Exceptions(ctx context.Context) ([]Record, error) {
	var recs []Record
	if err := c.get(ctx, "/v1/exceptions", &recs); err != nil {
		return nil, err
	}
	return recs, nil
}

// Failed lists the bank files the gateway set aside, oldest first.
func (c *AdminClient) Failed(ctx context.Context) ([]FailedFile, error) {
	var files []FailedFile
	if err := c.get(ctx, "/v1/failed", &files); err != nil {
		return nil, err
	}
	return files, nil
}

// get reads the JSON answer to GET path into v.
func (c *AdminClient) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+path, nil)
	if err != nil {
		return fmt.Errorf("gateway at %s: %w", c.url, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return &UnreachableError{URL: c.url, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("gateway at %s: %s: %s", c.url, resp.Status, e.Error)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("gateway at %s: %w", c.url, err)
	}
	return nil
}
