package bank

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/chipmint/chipmint/internal/pain"
)

// bodyBytesMax bounds a request body.
const bodyBytesMax = 64 << 10

// errBodyTooLarge and errFileTooLarge are answered with 413 rather than 400.
var (
	errBodyTooLarge = fmt.Errorf("%w: body exceeds %d bytes", ErrInvalid, bodyBytesMax)
	errFileTooLarge = fmt.Errorf("%w: pain.001 file exceeds %d bytes", ErrInvalid, pain.MaxInputBytes)
)

// Headers of the API.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderNextAfter      = "X-Next-After"
)

// errorBody is the JSON of an error response.
type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// Handler is the bank's HTTP API:
//
//	POST /v1/accounts                      open an account → 201 Account
//	GET  /v1/accounts/{account}            → Account
//	POST /v1/transfers                     book a transfer → 201 Transfer (200 on an idempotent repeat)
//	POST /v1/transfers/{id}/reversal       {"reason":"AC04"}: reverse the transfer of an id or UETR → 201 Transfer
//	POST /v1/transfers/{id}/return         {"reason":"AC01"}: book its return → 201 Transfer
//	POST /v1/accounts/{account}/pain001    a pain.001 file (XML): book its payments → 200 Upload
//	GET  /v1/accounts/{account}/camt054    ?after=N&limit=M → camt.054, X-Next-After; 204 when nothing is new
//	GET  /v1/accounts/{account}/camt053    ?date=YYYY-MM-DD → camt.053
//	GET  /healthz                          → 200
//
// {account} is the account's IBAN or, for an account without one, its ID, path-escaped
// ("6222021001000000001%20(scheme%20BBAN)").
func (b *Bank) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("POST /v1/accounts", b.handleOpenAccount)
	mux.HandleFunc("GET /v1/accounts/{account}", b.handleAccount)
	mux.HandleFunc("GET /v1/accounts/{account}/camt054", b.handleNotifications)
	mux.HandleFunc("GET /v1/accounts/{account}/camt053", b.handleStatement)
	mux.HandleFunc("POST /v1/accounts/{account}/pain001", b.handlePain001)
	mux.HandleFunc("POST /v1/transfers", b.handleTransfer)
	mux.HandleFunc("POST /v1/transfers/{id}/reversal", b.handleReverse)
	mux.HandleFunc("POST /v1/transfers/{id}/return", b.handleReturn)
	return mux
}

func (b *Bank) handleOpenAccount(w http.ResponseWriter, r *http.Request) {
	var req OpenAccountRequest
	if err := decodeBody(w, r, &req); err != nil {
		b.writeError(w, r, err)
		return
	}
	acct, err := b.OpenAccount(req)
	if err != nil {
		b.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, acct)
}

func (b *Bank) handleAccount(w http.ResponseWriter, r *http.Request) {
	acct, err := b.Account(r.PathValue("account"))
	if err != nil {
		b.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, acct)
}

func (b *Bank) handleTransfer(w http.ResponseWriter, r *http.Request) {
	var req TransferRequest
	if err := decodeBody(w, r, &req); err != nil {
		b.writeError(w, r, err)
		return
	}
	req.IdempotencyKey = r.Header.Get(HeaderIdempotencyKey)
	t, booked, err := b.transfer(req)
	if err != nil {
		b.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if !booked {
		status = http.StatusOK
	}
	writeJSON(w, status, t)
}

func (b *Bank) handlePain001(w http.ResponseWriter, r *http.Request) {
	doc, err := io.ReadAll(http.MaxBytesReader(w, r.Body, pain.MaxInputBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			err = errFileTooLarge
		} else {
			err = fieldError("", "", fmt.Errorf("%w: body: %v", ErrInvalid, err))
		}
		b.writeError(w, r, err)
		return
	}
	up, err := b.UploadPain001(r.PathValue("account"), doc)
	if err != nil {
		b.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, up)
}

func (b *Bank) handleReverse(w http.ResponseWriter, r *http.Request) {
	var req ReverseRequest
	if err := decodeBody(w, r, &req); err != nil {
		b.writeError(w, r, err)
		return
	}
	req.Transfer = r.PathValue("id")
	t, err := b.Reverse(req)
	if err != nil {
		b.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (b *Bank) handleReturn(w http.ResponseWriter, r *http.Request) {
	var req ReturnRequest
	if err := decodeBody(w, r, &req); err != nil {
		b.writeError(w, r, err)
		return
	}
	req.Transfer = r.PathValue("id")
	t, err := b.Return(req)
	if err != nil {
		b.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (b *Bank) handleNotifications(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err := queryUint(q.Get("after"), "after", 0, 0)
	if err != nil {
		b.writeError(w, r, err)
		return
	}
	limit, err := queryUint(q.Get("limit"), "limit", NotificationsLimitDefault, NotificationsLimitMax)
	if err != nil {
		b.writeError(w, r, err)
		return
	}
	doc, next, err := b.Notifications(r.PathValue("account"), after, int(limit))
	if err != nil {
		b.writeError(w, r, err)
		return
	}
	w.Header().Set(HeaderNextAfter, strconv.FormatUint(next, 10))
	if doc == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeXML(w, doc)
}

func (b *Bank) handleStatement(w http.ResponseWriter, r *http.Request) {
	doc, err := b.Statement(r.PathValue("account"), r.URL.Query().Get("date"))
	if err != nil {
		b.writeError(w, r, err)
		return
	}
	writeXML(w, doc)
}

// queryUint parses an optional query parameter: def when absent, at most max unless max
// is 0, and for a limit (max > 0) at least 1.
func queryUint(s, name string, def, max uint64) (uint64, error) {
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	switch {
	case err != nil:
		return 0, invalidf(name, s, "want a whole number")
	case max > 0 && (v < 1 || v > max):
		return 0, invalidf(name, s, "want 1 to %d", max)
	}
	return v, nil
}

// decodeBody reads a JSON body of at most 64 KiB into v, rejecting unknown fields and
// trailing data.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, bodyBytesMax))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON object")
	}
	if err == nil {
		return nil
	}
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return errBodyTooLarge
	case errors.As(err, &typeErr):
		return invalidf(typeErr.Field, "", "want %s, got a JSON %s", typeErr.Type, typeErr.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return invalidf(name, "", "unknown field")
	}
	return fieldError("", "", fmt.Errorf("%w: body: %v", ErrInvalid, err))
}

// writeError answers with the error's status and, for a client's fault, what and where
// it is; a server fault is logged and not disclosed.
func (b *Bank) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if errors.Is(err, errBodyTooLarge) || errors.Is(err, errFileTooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	body := errorBody{Error: err.Error()}
	var fe *FieldError
	if errors.As(err, &fe) {
		body.Field = fe.Field
	}
	if status == http.StatusInternalServerError {
		b.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		body = errorBody{Error: "internal error"}
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeXML(w http.ResponseWriter, doc []byte) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
}
