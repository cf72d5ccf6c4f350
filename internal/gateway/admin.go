package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Handler serves the gateway's journal to the operator's people, on loopback: the
// exceptions to refund and the record of every bank entry.
//
//	GET /v1/exceptions           the entries that became exceptions
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
	return mux
}

func (g *Gateway) serveRecords(w http.ResponseWriter, statuses ...string) {
	recs, err := g.cfg.Journal.Records(statuses...)
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	if recs == nil {
		recs = []Record{}
	}
	_ = json.NewEncoder(w).Encode(recs)
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
	return c.records(ctx, "/v1/exceptions")
}

func (c *AdminClient) records(ctx context.Context, path string) ([]Record, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+path, nil)
	if err != nil {
		return nil, fmt.Errorf("gateway at %s: %w", c.url, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &UnreachableError{URL: c.url, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return nil, fmt.Errorf("gateway at %s: %s: %s", c.url, resp.Status, e.Error)
	}
	var recs []Record
	if err := json.NewDecoder(resp.Body).Decode(&recs); err != nil {
		return nil, fmt.Errorf("gateway at %s: %w", c.url, err)
	}
	return recs, nil
}
