package gateway

import (
	"encoding/json"
	"net/http"
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
