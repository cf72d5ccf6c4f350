package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/chipmint/chipmint/internal/query"
)

// Admin is a node's admin address, which serves its operator what the public RPC
// refuses because it reads the whole state (chipmint node --admin-listen).
type Admin struct {
	url  string
	http *http.Client
}

// NewAdmin is a client of the admin address addr ("127.0.0.1:26659" or
// "http://127.0.0.1:26659").
func NewAdmin(addr string) *Admin {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	return &Admin{url: strings.TrimRight(addr, "/"), http: http.DefaultClient}
}

// URL is the admin address as the client dials it.
func (a *Admin) URL() string { return a.url }

// CheckInvariants asks the node to verify the ledger's invariants on its committed
// state. A broken invariant is an answer with OK false, not an error.
func (a *Admin) CheckInvariants(ctx context.Context) (query.Invariants, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.url+query.AdminPathInvariants, nil)
	if err != nil {
		return query.Invariants{}, fmt.Errorf("client: admin %s: %w", a.url, err)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return query.Invariants{}, fmt.Errorf("client: admin %s: %w", a.url, err)
	}
	defer resp.Body.Close()
	var inv query.Invariants
	if err := json.NewDecoder(resp.Body).Decode(&inv); err != nil || (resp.StatusCode != http.StatusOK && inv.OK) {
		return query.Invariants{}, fmt.Errorf("client: admin %s: invariants: %s", a.url, resp.Status)
	}
	return inv, nil
}
