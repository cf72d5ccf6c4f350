package node_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/chipmint/chipmint/internal/api"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/txn"
)

// A batch of transfers in one request is admitted whole and committed whole, in its
// order: each dependent transfer (y pays on what x just paid it) comes right behind the
// one it depends on, and succeeds in its block.
func TestSubmitTxsCommitsABatch(t *testing.T) {
	const payers = 200
	ch := nodetest.StartWith(t, nodetest.Options{API: true})
	ctx := nodetest.Context(t)
	rpc, err := rpchttp.New(ch.Node.RPCAddress(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]crypto.Signer, payers)
	addrs := make([]crypto.Address, payers)
	for i := range keys {
		k := newKey(t)
		keys[i], addrs[i] = k, address(k)
	}
	fund(ctx, t, ch.Client, rpc, ch.Issuer, ch.Operator, "acme", addrs, 16)
	s := &signer{t: t, chainID: ch.Client.ChainID(), validUntil: validUntil(ctx, t, ch.Client)}
	var txs [][]byte
	for i, k := range keys {
		y := newKey(t)
		txs = append(txs, s.sign(&txn.Transfer{To: address(y), AmountChips: oneChip}, k, 1))
		if i%4 == 0 {
			txs = append(txs, s.sign(&txn.Transfer{To: address(newKey(t)), AmountChips: oneChip}, y, 1))
		}
	}
	start := latestHeight(ctx, t, rpc)
	results, err := ch.Bulk.Submit(ctx, txs)
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[[32]byte]bool, len(txs))
	for i, r := range results {
		h := sha256.Sum256(txs[i])
		if r.Status != api.StatusAdmitted || r.Code != 0 || r.Hash != fmt.Sprintf("%X", h) {
			t.Fatalf("transaction %d: %+v, want admitted with hash %X", i, r, h)
		}
		want[h] = true
	}
	found := inBlocks(ctx, t, rpc, start+1, want)
	if len(found) != len(txs) {
		t.Fatalf("%d of %d admitted transactions in blocks", len(found), len(txs))
	}
	var prev [32]byte
	for i, tx := range txs {
		h := sha256.Sum256(tx)
		if r := found[h]; r.code != txn.OK {
			t.Errorf("transaction %d: %v %s", i, r.code, r.log)
		}
		if i > 0 && !before(found[prev], found[h]) {
			t.Errorf("transaction %d ran before transaction %d, which precedes it in the request", i, i-1)
		}
		prev = h
	}
}

// Each transaction of a request gets its own answer: admitted, rejected by CheckTx
// with its code and reason, or seen already.
func TestSubmitTxsAnswersEachTransaction(t *testing.T) {
	ch := nodetest.StartWith(t, nodetest.Options{API: true})
	ctx := nodetest.Context(t)
	buyer := newKey(t)
	buy := &txn.BuyRequest{Operator: "acme", BuyerID: "buyer", AmountMinor: 1_000, Currency: "EUR"}
	good, err := ch.Client.Sign(ctx, buy, buyer, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Signed for another chain: the signature does not verify for this one.
	badSignature, err := txn.Sign("another-chain", buy, buyer, 2, validUntil(ctx, t, ch.Client))
	if err != nil {
		t.Fatal(err)
	}
	broke, err := ch.Client.Sign(ctx, &txn.Transfer{To: address(newKey(t)), AmountChips: 1}, newKey(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	txs := [][]byte{good, []byte("not a transaction"), badSignature, good, broke}
	results, err := ch.Bulk.Submit(ctx, txs)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status string
		code   txn.Code
	}{
		{api.StatusAdmitted, txn.OK},
		{api.StatusRejected, txn.Malformed},
		{api.StatusRejected, txn.BadSignature},
		{api.StatusSeen, txn.OK},
		{api.StatusRejected, txn.InsufficientFunds},
	}
	for i, w := range want {
		r := results[i]
		if r.Status != w.status || txn.Code(r.Code) != w.code || r.Hash != fmt.Sprintf("%X", sha256.Sum256(txs[i])) {
			t.Errorf("transaction %d: %+v, want %s with code %v", i, r, w.status, w.code)
		}
		if w.code != txn.OK && (r.Codespace != "chipmint" || r.Log == "") {
			t.Errorf("transaction %d: codespace %q, log %q: want chipmint and a reason", i, r.Codespace, r.Log)
		}
	}
	h := sha256.Sum256(good)
	if _, err := ch.Client.WaitCommitted(ctx, h[:]); err != nil {
		t.Fatalf("the admitted buy request: %v", err)
	}
}

// A request that is not a well-formed submission within the limits is refused whole,
// with a status and a message naming what is wrong, and none of its transactions
// reaches the mempool.
func TestSubmitTxsRefusesBadRequests(t *testing.T) {
	ch := nodetest.StartWith(t, nodetest.Options{API: true})
	ctx := nodetest.Context(t)
	maxTx := ch.Node.Config.Mempool.MaxTxBytes
	good, err := ch.Client.Sign(ctx, &txn.BuyRequest{Operator: "acme", BuyerID: "buyer", AmountMinor: 1_000, Currency: "EUR"}, newKey(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	withGood := func(tail ...byte) []byte { return append(api.AppendTx(nil, good), tail...) }
	tooMany := withGood()
	for range api.MaxTxsPerRequest {
		tooMany = api.AppendTx(tooMany, []byte{1})
	}
	tests := []struct {
		name        string
		method      string
		contentType string
		body        io.Reader
		status      int
		message     string
	}{
		{"wrong method", http.MethodGet, api.ContentTypeTxs, nil, http.StatusMethodNotAllowed, "takes POST only"},
		{"wrong content type", http.MethodPost, "application/json", bytes.NewReader(withGood()), http.StatusUnsupportedMediaType, "want application/octet-stream"},
		{"empty body", http.MethodPost, api.ContentTypeTxs, nil, http.StatusBadRequest, "the body is empty"},
		{"length cut short", http.MethodPost, api.ContentTypeTxs, bytes.NewReader(withGood(0x80)), http.StatusBadRequest, "transaction 1: its length at byte"},
		{"bytes cut short", http.MethodPost, api.ContentTypeTxs, bytes.NewReader(withGood(10, 1, 2, 3)), http.StatusBadRequest, "transaction 1 says 10 bytes"},
		{"empty transaction", http.MethodPost, api.ContentTypeTxs, bytes.NewReader(withGood(0)), http.StatusBadRequest, "transaction 1 at byte"},
		{"length not in its shortest form", http.MethodPost, api.ContentTypeTxs, bytes.NewReader(withGood(0x81, 0x00, 7)), http.StatusBadRequest, "not in its shortest form"},
		{"transaction over its limit", http.MethodPost, api.ContentTypeTxs, bytes.NewReader(withGood(binary.AppendUvarint(nil, uint64(maxTx)+1)...)), http.StatusRequestEntityTooLarge,
			fmt.Sprintf("is %d bytes, more than the %d a transaction may have", maxTx+1, maxTx)},
		{"too many transactions", http.MethodPost, api.ContentTypeTxs, bytes.NewReader(tooMany), http.StatusRequestEntityTooLarge, fmt.Sprintf("more than %d transactions", api.MaxTxsPerRequest)},
		{"request over its limit", http.MethodPost, api.ContentTypeTxs, bytes.NewReader(make([]byte, api.MaxRequestBytes+1)), http.StatusRequestEntityTooLarge,
			fmt.Sprintf("more than the %d a request may have", api.MaxRequestBytes)},
		// No Content-Length: the node counts as it reads.
		{"request over its limit, chunked", http.MethodPost, api.ContentTypeTxs, io.MultiReader(bytes.NewReader(make([]byte, api.MaxRequestBytes)), strings.NewReader("x")),
			http.StatusRequestEntityTooLarge, fmt.Sprintf("more than the %d bytes a request may have", api.MaxRequestBytes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(ctx, tt.method, ch.Node.APIAddress()+api.PathTxs, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tt.contentType)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var answer api.ErrorAnswer
			if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
				t.Fatalf("status %s, answer not JSON: %v", resp.Status, err)
			}
			if resp.StatusCode != tt.status || !strings.Contains(answer.Error, tt.message) {
				t.Fatalf("%s %q, want %d and a message with %q", resp.Status, answer.Error, tt.status, tt.message)
			}
		})
	}
	// The valid transaction at the head of every refused body never reached the mempool.
	results, err := ch.Bulk.Submit(ctx, [][]byte{good})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Status != api.StatusAdmitted {
		t.Fatalf("the transaction of the refused requests: %+v, want admitted now", results[0])
	}
	if _, err := ch.Bulk.Submit(ctx, nil); !errors.Is(err, client.ErrSubmissionRefused) || !strings.Contains(err.Error(), "400") {
		t.Fatalf("an empty submission through the client: %v, want refused with 400", err)
	}
}

// A node serves no API unless asked, and one asked for an address it cannot take does
// not start.
func TestAPIIsOffByDefault(t *testing.T) {
	ch := nodetest.Start(t)
	if addr := ch.Node.APIAddress(); addr != "" {
		t.Fatalf("API address %q without Options.APIListen", addr)
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, err = node.StartLocal(t.TempDir(), node.LocalOptions{
		ChainID: "chipmint-apitest", Issuers: testIssuers(), BlockTime: 100 * time.Millisecond,
		Options: node.Options{APIListen: taken.Addr().String()},
	})
	if !errors.Is(err, node.ErrAPIAddress) {
		t.Fatalf("start on a taken API address: %v, want %v", err, node.ErrAPIAddress)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := client.NewBulk(taken.Addr().String(), nil).Submit(ctx, [][]byte{{1}}); err == nil {
		t.Fatal("a submission to the taken address was answered")
	}
}

// The explorer is served at the API's root and takes no route of the API's: each route
// answers as it did, and a path no one serves is not found.
func TestAPIServesTheExplorerBesideItsRoutes(t *testing.T) {
	ch := nodetest.StartWith(t, nodetest.Options{API: true})
	tests := []struct {
		name, method, path string
		status             int
		contentType        string // what the answer's type starts with
	}{
		{"the explorer", http.MethodGet, "/", http.StatusOK, "text/html; charset=utf-8"},
		{"the explorer's script", http.MethodGet, "/app.js", http.StatusOK, "text/javascript; charset=utf-8"},
		{"the read API", http.MethodGet, api.PathRead + "supply", http.StatusOK, "application/json"},
		{"an unknown read route", http.MethodGet, api.PathRead + "nothing", http.StatusNotFound, "application/json"},
		{"the metrics", http.MethodGet, api.PathMetrics, http.StatusOK, "text/plain; version=0.0.4"},
		{"the metrics, posted to", http.MethodPost, api.PathMetrics, http.StatusMethodNotAllowed, "text/plain; charset=utf-8"},
		{"the bulk submission, read", http.MethodGet, api.PathTxs, http.StatusMethodNotAllowed, "application/json"},
		{"a path no one serves", http.MethodGet, "/nothing", http.StatusNotFound, "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, ch.Node.APIAddress()+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.contentType) {
				t.Fatalf("%s %s: %d %q, want %d %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, tt.contentType)
			}
		})
	}
}
