package bank

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Bounds on what the client reads and how long it waits when the context sets no deadline.
const (
	responseBytesMax     = 64 << 20
	clientTimeoutDefault = 30 * time.Second
)

// Client talks to a sandbox bank over HTTP, as the gateway, the CLI and the demo do.
type Client struct {
	baseURL string
	http    *http.Client
}

// NewClient returns a client of the bank at baseURL, such as "http://127.0.0.1:26680".
func NewClient(baseURL string) *Client {
	return &Client{
		baseURL: strings.TrimRight(baseURL, "/"),
		http:    &http.Client{Timeout: clientTimeoutDefault},
	}
}

// APIError is an error answered by the bank. It unwraps to the matching sentinel error
// (ErrInsufficientFunds, ...), so errors.Is works as on the server side.
type APIError struct {
	Status  int
	Message string
	Field   string
}

// Error implements error.
func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("bank: HTTP %d %s", e.Status, http.StatusText(e.Status))
	}
	return e.Message
}

// Unwrap returns the sentinel error that the status and message stand for, or nil.
func (e *APIError) Unwrap() error {
	for _, s := range sentinels {
		if s.status == e.Status && strings.Contains(e.Message, s.err.Error()) {
			return s.err
		}
	}
	return nil
}

// OpenAccount opens an account.
func (c *Client) OpenAccount(ctx context.Context, req OpenAccountRequest) (Account, error) {
	var acct Account
	err := c.doJSON(ctx, http.MethodPost, "/v1/accounts", nil, req, &acct)
	return acct, err
}

// Account returns an account, named by its IBAN or its ID.
func (c *Client) Account(ctx context.Context, account string) (Account, error) {
	var acct Account
	err := c.doJSON(ctx, http.MethodGet, "/v1/accounts/"+url.PathEscape(account), nil, nil, &acct)
	return acct, err
}

// Pay books a transfer, sending req.IdempotencyKey, when set, as the Idempotency-Key
// header: a repeat of the same request then returns the first transfer.
func (c *Client) Pay(ctx context.Context, req TransferRequest) (Transfer, error) {
	h := http.Header{}
	if req.IdempotencyKey != "" {
		h.Set(HeaderIdempotencyKey, req.IdempotencyKey)
	}
	var t Transfer
	err := c.doJSON(ctx, http.MethodPost, "/v1/transfers", h, req, &t)
	return t, err
}

// Reverse books the reversal of the transfer that req.Transfer names by its id or UETR.
func (c *Client) Reverse(ctx context.Context, req ReverseRequest) (Transfer, error) {
	return c.undo(ctx, req.Transfer, "reversal", req)
}

// Return books the return of the transfer that req.Transfer names by its id or UETR.
func (c *Client) Return(ctx context.Context, req ReturnRequest) (Transfer, error) {
	return c.undo(ctx, req.Transfer, "return", req)
}

// undo posts a reversal or return request to /v1/transfers/{ref}/{what}.
func (c *Client) undo(ctx context.Context, ref, what string, req any) (Transfer, error) {
	if ref == "" {
		return Transfer{}, errNoTransfer()
	}
	var t Transfer
	err := c.doJSON(ctx, http.MethodPost, "/v1/transfers/"+url.PathEscape(ref)+"/"+what, nil, req, &t)
	return t, err
}

// UploadPain001 uploads a pain.001 file to the account named by its IBAN or its ID and
// returns what became of each of its payments.
func (c *Client) UploadPain001(ctx context.Context, account string, doc []byte) (Upload, error) {
	var up Upload
	path := "/v1/accounts/" + url.PathEscape(account) + "/pain001"
	_, body, err := c.send(ctx, http.MethodPost, path, nil, "application/xml", bytes.NewReader(doc))
	if err != nil {
		return Upload{}, err
	}
	if err := json.Unmarshal(body, &up); err != nil {
		return Upload{}, fmt.Errorf("bank: POST %s: decode answer: %w", path, err)
	}
	return up, nil
}

// Notifications returns the camt.054 document of the entries after the cursor of the
// account named by its IBAN or its ID, and the next cursor; doc is nil and next is
// after when nothing is new.
func (c *Client) Notifications(ctx context.Context, account string, after uint64) ([]byte, uint64, error) {
	path := "/v1/accounts/" + url.PathEscape(account) + "/camt054?after=" + strconv.FormatUint(after, 10)
	resp, body, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, after, err
	}
	if resp.StatusCode == http.StatusNoContent {
		return nil, after, nil
	}
	next, err := strconv.ParseUint(resp.Header.Get(HeaderNextAfter), 10, 64)
	if err != nil {
		return nil, after, fmt.Errorf("bank: notifications: bad %s header %q", HeaderNextAfter, resp.Header.Get(HeaderNextAfter))
	}
	return body, next, nil
}

// Statement returns the camt.053 statement for a booking date (YYYY-MM-DD) of the
// account named by its IBAN or its ID.
func (c *Client) Statement(ctx context.Context, account, date string) ([]byte, error) {
	path := "/v1/accounts/" + url.PathEscape(account) + "/camt053?date=" + url.QueryEscape(date)
	_, body, err := c.do(ctx, http.MethodGet, path, nil, nil)
	return body, err
}

// doJSON sends in (when not nil) as JSON and decodes a successful answer into out.
func (c *Client) doJSON(ctx context.Context, method, path string, h http.Header, in, out any) error {
	_, body, err := c.do(ctx, method, path, h, in)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("bank: %s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// do sends in (when not nil) as JSON and reads the answer; a status of 300 or more is
// an *APIError.
func (c *Client) do(ctx context.Context, method, path string, h http.Header, in any) (*http.Response, []byte, error) {
	if in == nil {
		return c.send(ctx, method, path, h, "", nil)
	}
	raw, err := json.Marshal(in)
	if err != nil {
		return nil, nil, fmt.Errorf("bank: %s %s: %w", method, path, err)
	}
	return c.send(ctx, method, path, h, "application/json", bytes.NewReader(raw))
}

// send sends a request with a body of the content type (none when body is nil) and
// reads the answer; a status of 300 or more is an *APIError.
func (c *Client) send(ctx context.Context, method, path string, h http.Header, contentType string, body io.Reader) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, body)
	if err != nil {
		return nil, nil, fmt.Errorf("bank: %w", err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("bank: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, responseBytesMax))
	if err != nil {
		return nil, nil, fmt.Errorf("bank: %s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return nil, nil, apiError(resp.StatusCode, raw)
	}
	return resp, raw, nil
}

// apiError makes an *APIError of an error answer, JSON or not.
func apiError(status int, raw []byte) error {
	var eb errorBody
	if err := json.Unmarshal(raw, &eb); err != nil || eb.Error == "" {
		eb = errorBody{Error: strings.TrimSpace(string(raw))}
		if len(eb.Error) > 200 {
			eb.Error = eb.Error[:200] + "..."
		}
	}
	return &APIError{Status: status, Message: eb.Error, Field: eb.Field}
}
