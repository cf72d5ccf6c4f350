package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Handler serves the gateway's journal to the operator's people, on loopback: the
// exceptions to refund, the bank files set aside, and the record of every bank entry.
//
//	GET /v1/exceptions           the entries that became exceptions
//	GET /v1/failed               the bank files set aside, oldest first
//	GET /v1/journal?status=S     the entries, optionally of one status
//	GET /v1/outgoing             the payouts and refunds, by end-to-end id
//	GET /v1/credits              every booked credit: confirmed, refunded, reversed, open
//	POST /v1/refunds             refund a credit: {"credit": "<its bank reference>"}
//	POST /v1/payees              a redemption's payout account: PayeeRequest
//	GET /metrics                 the journal's and the feed's figures, Prometheus text format
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/outgoing", func(w http.ResponseWriter, _ *http.Request) {
		outs, err := g.cfg.Journal.OutgoingPayments()
		serveList(w, outs, err)
	})
	mux.HandleFunc("GET /v1/credits", func(w http.ResponseWriter, r *http.Request) {
		credits, err := g.Credits(r.Context())
		serveList(w, credits, err)
	})
	mux.HandleFunc("POST /v1/refunds", g.handleRefund)
	mux.HandleFunc("POST /v1/payees", g.handlePayee)
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
	mux.Handle("GET /metrics", g.metricsHandler())
	return mux
}

// RefundRequest asks the gateway to refund the credit journaled under Credit.
type RefundRequest struct {
	Credit string `json:"credit"`
}

func (g *Gateway) handleRefund(w http.ResponseWriter, r *http.Request) {
	var req RefundRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.Credit == "" {
		writeError(w, http.StatusBadRequest, fmt.Errorf("want {\"credit\": \"<bank reference>\"}: %v", err))
		return
	}
	out, err := g.Refund(r.Context(), req.Credit)
	switch {
	case errors.Is(err, ErrUnknownCredit):
		writeError(w, http.StatusNotFound, err)
	case errors.Is(err, ErrNotRefundable), errors.Is(err, ErrPaymentRefused):
		writeError(w, http.StatusConflict, err)
	case err != nil:
		writeError(w, http.StatusBadGateway, err)
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}
}

func (g *Gateway) handlePayee(w http.ResponseWriter, r *http.Request) {
	var req PayeeRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.RedemptionID == "" {
		writeError(w, http.StatusBadRequest, fmt.Errorf("want {\"redemption_id\", \"payee\": {\"salt\", \"account\"}}: %v", err))
		return
	}
	err := g.AddPayee(r.Context(), req)
	switch {
	case errors.Is(err, ErrUnknownRedemption):
		writeError(w, http.StatusNotFound, err)
	case errors.Is(err, ErrNotPayee):
		writeError(w, http.StatusUnprocessableEntity, err)
	case err != nil:
		writeError(w, http.StatusBadGateway, err)
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"redemption_id": req.RedemptionID, "status": "payee_known"})
	}
}

func writeError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

func (g *Gateway) serveRecords(w http.ResponseWriter, statuses ...string) {
	recs, err := g.cfg.Journal.Records(statuses...)
	serveList(w, recs, err)
}

// serveList answers with list as a JSON array, [] when it is empty, or with the error.
func serveList[T any](w http.ResponseWriter, list []T, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
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

// Outgoing lists the payouts and refunds the gateway made or is making.
func (c *AdminClient) Outgoing(ctx context.Context) ([]Outgoing, error) {
	var outs []Outgoing
	return outs, c.get(ctx, "/v1/outgoing", &outs)
}

// Credits accounts for every booked credit to the operator's account.
func (c *AdminClient) Credits(ctx context.Context) ([]Credit, error) {
	var credits []Credit
	return credits, c.get(ctx, "/v1/credits", &credits)
}

// Refund asks the gateway to refund the credit with bank reference credit.
func (c *AdminClient) Refund(ctx context.Context, credit string) (Outgoing, error) {
	body, err := json.Marshal(RefundRequest{Credit: credit})
	if err != nil {
		return Outgoing{}, err
	}
	var out Outgoing
	return out, c.do(ctx, http.MethodPost, "/v1/refunds", body, &out)
}

// GivePayee gives the gateway the opening of a redemption's payout account.
func (c *AdminClient) GivePayee(ctx context.Context, req PayeeRequest) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	var ack map[string]string
	return c.do(ctx, http.MethodPost, "/v1/payees", body, &ack)
}

// get reads the JSON answer to GET path into v.
func (c *AdminClient) get(ctx context.Context, path string, v any) error {
	return c.do(ctx, http.MethodGet, path, nil, v)
}

// do sends a request with a JSON body (none when nil) and reads the JSON answer into v.
func (c *AdminClient) do(ctx context.Context, method, path string, body []byte, v any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url+path, rd)
	if err != nil {
		return fmt.Errorf("gateway at %s: %w", c.url, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
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
