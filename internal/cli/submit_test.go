package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/keystore"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/system"
	"github.com/chipmint/chipmint/internal/txn"
)

// submitChain is a throwaway chain and a home whose keys (issuer, acme, alice, bob) it
// knows: issuer is its issuer, acme a registered operator.
type submitChain struct {
	home string
	node string
	ch   *system.Chain
}

func startSubmitChain(t *testing.T) *submitChain {
	t.Helper()
	t.Setenv("CHIPMINT_PASSPHRASE", "submit-test")
	home := t.TempDir()
	for _, name := range []string{"issuer", "acme", "alice", "bob"} {
		if _, errOut, code := run(t, "--home", home, "keys", "add", name); code != ExitOK {
			t.Fatalf("keys add %s: exit %d: %s", name, code, errOut)
		}
	}
	ks, err := keystore.Open(node.KeysDir(home))
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := ks.Show("issuer")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ch, err := system.StartLocalChain(ctx, t.TempDir(), node.LocalOptions{
		ChainID: "chipmint-submit", BlockTime: 100 * time.Millisecond,
		Issuers: []txn.Issuer{{ID: "issuer", Address: issuer.Address, PublicKey: issuer.PublicKey}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.Stop() })
	s := &submitChain{home: home, node: ch.Node.RPCAddress(), ch: ch}
	s.ok(t, &struct{}{}, "operator", "register", "--from", "issuer", "--id", "acme", "--operator-key", "acme",
		"--iban", "DE89370400440532013000", "--bic", "COBADEFFXXX", "--holder", "Acme Payments GmbH", "--rate", "1", "--cap", "1000000")
	return s
}

// cli runs a command against node in JSON.
func (s *submitChain) cli(t *testing.T, node string, args ...string) (string, string, ExitCode) {
	t.Helper()
	return run(t, append([]string{"--home", s.home, "--node", node, "--output", "json"}, args...)...)
}

// ok runs a command against the chain, wants it to succeed and decodes its answer.
func (s *submitChain) ok(t *testing.T, v any, args ...string) string {
	t.Helper()
	out, errOut, code := s.cli(t, s.node, args...)
	if code != ExitOK {
		t.Fatalf("chipmint %v: exit %d: %s %s", args, code, out, errOut)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("chipmint %v: %v in %s", args, err, out)
	}
	return out
}

// committedTx is the "committed" object of a command's answer, and the transaction the
// chain has under its hash.
func (s *submitChain) committedTx(t *testing.T, out string) (map[string]any, *txn.Signed) {
	t.Helper()
	var v struct {
		Committed map[string]any `json:"committed"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	hash, _ := v.Committed["hash"].(string)
	raw, err := hex.DecodeString(hash)
	if err != nil {
		t.Fatalf("committed %v: hash %q", v.Committed, hash)
	}
	res, err := s.ch.Client.Tx(context.Background(), raw)
	if err != nil {
		t.Fatalf("committed %v: %v", v.Committed, err)
	}
	tx, err := txn.Parse(res.Tx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Height != int64(v.Committed["height"].(float64)) {
		t.Fatalf("committed %v: the chain has it at height %d", v.Committed, res.Height)
	}
	return v.Committed, tx
}

// buy buys for alice from acme and returns the order id.
func (s *submitChain) buy(t *testing.T, amount string) (string, string) {
	t.Helper()
	var res BuyResult
	out := s.ok(t, &res, "buy", "--from", "alice", "--operator", "acme", "--amount", amount)
	return res.Order.ID, out
}

// A signed transaction's way from the command line to a block, on one chain: the one
// "committed" object of every answer, what a transaction not committed in time says,
// resuming it with the same bytes, chipmint tx, and an expired one.
func TestSubmissionPath(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	s := startSubmitChain(t)

	// Its hash, height and nonce, the nonce a decimal string and the one in the bytes.
	t.Run("every command reports the same committed object", func(t *testing.T) {
		id, bought := s.buy(t, "100.00")
		var v any
		outs := map[string]string{
			"buy":     bought,
			"confirm": s.ok(t, &v, "confirm", "--from", "acme", "--order", id, "--amount", "100.00", "--bank-ref", "UETR-submit-1"),
			"issue":   s.ok(t, &v, "issue", "--from", "issuer", "--order", id),
			"send":    s.ok(t, &v, "send", "--from", "alice", "--to", "bob", "--amount", "1.5"),
			"operator register": s.ok(t, &v, "operator", "register", "--from", "issuer", "--id", "bravo", "--operator-key", "bob",
				"--iban", "GB82WEST12345698765432", "--bic", "NWBKGB2L", "--holder", "Bravo", "--currency", "GBP", "--cap", "10"),
		}
		for name, out := range outs {
			committed, tx := s.committedTx(t, out)
			keys := slices.Sorted(maps.Keys(committed))
			if fmt.Sprint(keys) != "[hash height nonce]" {
				t.Errorf("%s: committed object has %v, want hash, height and nonce", name, keys)
			}
			if nonce, ok := committed["nonce"].(string); !ok || nonce != fmt.Sprint(tx.Nonce) {
				t.Errorf("%s: committed nonce %#v, want the string %q of the transaction's nonce", name, committed["nonce"], fmt.Sprint(tx.Nonce))
			}
		}
	})

	t.Run("receipt submit reports the nonce inside the countersigned bytes", func(t *testing.T) {
		id, _ := s.buy(t, "25.00")
		dir := t.TempDir()
		receipt, signed := filepath.Join(dir, "receipt.json"), filepath.Join(dir, "receipt.signed.json")
		var v any
		s.ok(t, &v, "receipt", "create", "--from", "acme", "--order", id, "--amount", "25.00", "--bank-ref", "UETR-submit-2",
			"--payer-iban", "GB82WEST12345698765432", "--out", receipt)
		s.ok(t, &v, "receipt", "sign", "--from", "alice", "--in", receipt, "--out", signed)
		out := s.ok(t, &v, "receipt", "submit", "--in", signed)
		committed, tx := s.committedTx(t, out)
		if committed["nonce"] != fmt.Sprint(tx.Nonce) || tx.Nonce == 0 {
			t.Fatalf("receipt submit reports nonce %v; the transaction's is %d", committed["nonce"], tx.Nonce)
		}
	})

	t.Run("a buy not committed in time names its hash, its order and how to resume", func(t *testing.T) {
		defer shortenSubmitTimeout()()
		blackhole := swallowBroadcasts(t, s.node)
		before := outboxFiles(t, s.home)
		out, errOut, code := s.cli(t, blackhole, "buy", "--from", "alice", "--operator", "acme", "--amount", "10.00")
		kept := newFiles(outboxFiles(t, s.home), before)
		if code != ExitError || len(kept) != 1 {
			t.Fatalf("exit %d, kept %v: %s %s", code, kept, out, errOut)
		}
		rec := readRecord(t, kept[0])
		msg := jsonError(t, out)
		for _, want := range []string{rec.Hash, rec.OrderID, txn.PaymentReference(rec.OrderID), "not committed within",
			"chipmint --home " + s.home + " tx " + rec.Hash, "buy --resume " + rec.OrderID} {
			if !strings.Contains(msg, want) {
				t.Errorf("the error does not name %q: %s", want, msg)
			}
		}
		if rec.Command != "buy" || rec.ChainID != "chipmint-submit" || rec.Nonce == 0 || rec.OrderID != txn.OrderID(mustParseTx(t, rec.Tx).Sender, rec.Nonce) {
			t.Fatalf("kept record: %+v", rec)
		}

		var shown txView
		s.ok(t, &shown, "tx", rec.Hash)
		if shown.Status != "not_found" || shown.Outbox == nil || shown.Outbox.OrderID != rec.OrderID || shown.Outbox.Expired {
			t.Fatalf("tx of the kept buy: %+v %+v", shown, shown.Outbox)
		}
	})

	t.Run("resume sends the same bytes and opens no second order", func(t *testing.T) {
		defer shortenSubmitTimeout()()
		blackhole := swallowBroadcasts(t, s.node)
		before := outboxFiles(t, s.home)
		if _, _, code := s.cli(t, blackhole, "buy", "--from", "alice", "--operator", "acme", "--amount", "20.00"); code != ExitError {
			t.Fatalf("buy through a node that drops it: exit %d", code)
		}
		kept := newFiles(outboxFiles(t, s.home), before)
		if len(kept) != 1 {
			t.Fatalf("kept %v", kept)
		}
		rec := readRecord(t, kept[0])
		if _, errOut, code := s.cli(t, s.node, "buy", "--resume", rec.OrderID, "--amount", "20.00"); code != ExitUsage {
			t.Fatalf("--resume with --amount: exit %d: %s", code, errOut)
		}

		var first, again BuyResult
		out := s.ok(t, &first, "buy", "--resume", rec.OrderID)
		s.ok(t, &again, "buy", "--resume", rec.Hash)
		committed, tx := s.committedTx(t, out)
		if committed["hash"] != rec.Hash || first.Order.ID != rec.OrderID || first.Order.PaymentReference != txn.PaymentReference(rec.OrderID) {
			t.Fatalf("resume committed %v for order %s; kept %s for order %s", committed, first.Order.ID, rec.Hash, rec.OrderID)
		}
		if !bytes.Equal(mustTxBytes(t, s, rec.Hash), rec.Tx) || tx.Nonce != rec.Nonce {
			t.Fatal("the chain committed other bytes than the kept ones")
		}
		if again.Committed != first.Committed || again.Order.ID != first.Order.ID {
			t.Fatalf("a second resume answered %+v, the first %+v", again.Committed, first.Committed)
		}
		if _, err := os.Stat(filepath.Join(s.home, "outbox", "done", rec.Hash+".json")); err != nil {
			t.Fatalf("the committed buy is not in outbox/done: %v", err)
		}
		if n := s.ordersOpened(t, mustParseTx(t, rec.Tx).Sender.String(), "20.00"); n != 1 {
			t.Fatalf("alice opened %d orders of 20.00 EUR, want 1", n)
		}
	})

	t.Run("a send resumed by its hash moves the chips once", func(t *testing.T) {
		defer shortenSubmitTimeout()()
		blackhole := swallowBroadcasts(t, s.node)
		var bob struct {
			Chips uint64 `json:"chips,string"`
		}
		s.ok(t, &bob, "balance", "bob")
		before := outboxFiles(t, s.home)
		if _, _, code := s.cli(t, blackhole, "send", "--from", "alice", "--to", "bob", "--amount", "2"); code != ExitError {
			t.Fatalf("send through a node that drops it: exit %d", code)
		}
		kept := newFiles(outboxFiles(t, s.home), before)
		if len(kept) != 1 {
			t.Fatalf("kept %v", kept)
		}
		rec := readRecord(t, kept[0])
		if out, _, code := s.cli(t, s.node, "confirm", "--resume", rec.Hash); code != ExitUsage || !strings.Contains(jsonError(t, out), `"chipmint send"`) {
			t.Fatalf("confirm --resume of a send: exit %d: %s", code, out)
		}
		var first, again struct {
			Committed   client.Committed `json:"committed"`
			AmountChips uint64           `json:"amount_chips"`
		}
		s.ok(t, &first, "send", "--resume", strings.ToLower(rec.Hash))
		s.ok(t, &again, "send", "--resume", rec.Hash)
		if first.Committed.Hash != rec.Hash || again.Committed != first.Committed || first.AmountChips != 2_000_000 {
			t.Fatalf("resumed send: %+v, again %+v", first, again)
		}
		chips := bob.Chips
		s.ok(t, &bob, "balance", "bob")
		if bob.Chips != chips+2_000_000 {
			t.Fatalf("bob holds %d base units, had %d: want 2 chips more", bob.Chips, chips)
		}
	})

	t.Run("resume needs none of a command's required flags", func(t *testing.T) {
		unknown := strings.Repeat("CD", 32)
		for _, args := range [][]string{{"operator", "register"}, {"reverse"}} {
			out, _, code := s.cli(t, s.node, append(args, "--resume", unknown)...)
			if msg := jsonError(t, out); code != ExitError || !strings.Contains(msg, "no transaction "+unknown) {
				t.Errorf("%v --resume of an unknown hash: exit %d: %s", args, code, msg)
			}
		}
		if _, errOut, code := s.cli(t, s.node, "reverse", "--resume", unknown, "--reason", "AC04"); code != ExitUsage {
			t.Errorf("reverse --resume with --reason: exit %d: %s", code, errOut)
		}
	})

	t.Run("tx answers committed and unknown", func(t *testing.T) {
		_, out := s.buy(t, "5.00")
		committed, _ := s.committedTx(t, out)
		var shown txView
		s.ok(t, &shown, "tx", strings.ToLower(committed["hash"].(string)))
		if shown.Status != "committed" || shown.Height != int64(committed["height"].(float64)) || shown.Code == nil || *shown.Code != 0 ||
			shown.CodeName != "ok" || shown.Type != "buy_request" || shown.Outbox == nil || shown.Outbox.Command != "buy" {
			t.Fatalf("tx of a committed buy: %+v", shown)
		}
		unknown := strings.Repeat("AB", 32)
		var none txView
		s.ok(t, &none, "tx", unknown)
		if none.Status != "not_found" || none.Hash != unknown || none.Code != nil || none.Outbox != nil {
			t.Fatalf("tx of an unknown hash: %+v", none)
		}
		text, errOut, code := run(t, "--home", s.home, "--node", s.node, "tx", unknown)
		if code != ExitOK || !strings.Contains(text, "not found on the node (yet)") {
			t.Fatalf("tx in text: exit %d: %s %s", code, text, errOut)
		}
		if _, errOut, code := s.cli(t, s.node, "tx", "not-a-hash"); code != ExitUsage {
			t.Fatalf("tx of a malformed hash: exit %d: %s", code, errOut)
		}
	})

	t.Run("resume of an expired buy says so and sends nothing", func(t *testing.T) {
		rec := s.keepExpiredBuy(t)
		out, errOut, code := s.cli(t, s.node, "buy", "--resume", rec.OrderID)
		msg := jsonError(t, out)
		if code != ExitError || !strings.Contains(msg, "expired") || !strings.Contains(msg, rec.Hash) || !strings.Contains(msg, "nothing was sent again") {
			t.Fatalf("exit %d: %s %s", code, out, errOut)
		}
		if _, err := s.ch.Client.Order(context.Background(), rec.OrderID); !errors.Is(err, client.ErrNotFound) {
			t.Fatalf("the expired buy opened order %s: %v", rec.OrderID, err)
		}
		if _, err := os.Stat(filepath.Join(s.home, "outbox", "done", rec.Hash+".json")); err != nil {
			t.Fatalf("the expired buy is not in outbox/done: %v", err)
		}
	})
}

// keepExpiredBuy keeps in the outbox a buy request by alice whose last valid height is
// already committed.
func (s *submitChain) keepExpiredBuy(t *testing.T) outboxRecord {
	t.Helper()
	ks, err := keystore.Open(node.KeysDir(s.home))
	if err != nil {
		t.Fatal(err)
	}
	alice, err := ks.Unlock("alice", "submit-test")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	h, err := s.ch.Client.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const nonce = 424242
	raw, err := txn.Sign("chipmint-submit", &txn.BuyRequest{Operator: "acme", BuyerID: "alice", AmountMinor: 700, Currency: "EUR"}, alice, nonce, uint64(h))
	if err != nil {
		t.Fatal(err)
	}
	tx := mustParseTx(t, raw)
	rec := outboxRecord{Hash: fmt.Sprintf("%X", tx.Hash), Command: "buy", ChainID: "chipmint-submit", Nonce: nonce,
		ValidUntil: uint64(h), OrderID: orderOf(tx), Created: time.Now().UTC(), Tx: raw}
	if err := (outbox{home: s.home, warn: io.Discard}).keep(rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// ordersOpened counts the orders of amount EUR that buyer opened, by the events the
// node indexed.
func (s *submitChain) ordersOpened(t *testing.T, buyer, amount string) int {
	t.Helper()
	// A validator indexes an order's status, not its buyer or amount: the buy requests
	// are searched by status and told apart here.
	minor := strings.TrimLeft(strings.ReplaceAll(amount, ".", ""), "0")
	q := url.Values{"query": {"\"order.status='awaiting_payment'\""}, "per_page": {"100"}}
	resp, err := http.Get(s.node + "/tx_search?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		Result struct {
			TotalCount string `json:"total_count"`
			Txs        []struct {
				TxResult struct {
					Events []struct {
						Type       string `json:"type"`
						Attributes []struct {
							Key   string `json:"key"`
							Value string `json:"value"`
						} `json:"attributes"`
					} `json:"events"`
				} `json:"tx_result"`
			} `json:"txs"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatal(err)
	}
	if res.Result.TotalCount != strconv.Itoa(len(res.Result.Txs)) {
		t.Fatalf("%s buy requests, %d read: more than a page", res.Result.TotalCount, len(res.Result.Txs))
	}
	n := 0
	for _, tx := range res.Result.Txs {
		for _, ev := range tx.TxResult.Events {
			attrs := map[string]string{}
			for _, a := range ev.Attributes {
				attrs[a.Key] = a.Value
			}
			if ev.Type == "order" && attrs["buyer"] == buyer && attrs["amount_minor"] == minor {
				n++
			}
		}
	}
	return n
}

// shortenSubmitTimeout makes commands give up on a transaction's block after two
// seconds, until the returned function restores the timeout.
func shortenSubmitTimeout() func() {
	saved := submitTimeout
	submitTimeout = 2 * time.Second
	return func() { submitTimeout = saved }
}

// swallowBroadcasts is a node's RPC that answers every broadcast as accepted and drops
// it: the transaction never reaches a block. Everything else reaches the node.
func swallowBroadcasts(t *testing.T, node string) string {
	t.Helper()
	target, err := url.Parse(node)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params struct {
				Tx []byte `json:"tx"`
			} `json:"params"`
		}
		if json.Unmarshal(body, &req) == nil && req.Method == "broadcast_tx_sync" {
			hash := sha256.Sum256(req.Params.Tx)
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":{"code":0,"data":"","log":"","codespace":"","hash":"%X"}}`, req.ID, hash)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func outboxFiles(t *testing.T, home string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(home, "outbox", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func newFiles(after, before []string) []string {
	var out []string
	for _, f := range after {
		if !slices.Contains(before, f) {
			out = append(out, f)
		}
	}
	return out
}

func readRecord(t *testing.T, path string) outboxRecord {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rec outboxRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`"nonce": "[0-9]+"`).Match(b) || !regexp.MustCompile(`"tx": "[A-Za-z0-9+/=]+"`).Match(b) {
		t.Fatalf("%s: want the nonce in decimal and the transaction in base64:\n%s", path, b)
	}
	return rec
}

func jsonError(t *testing.T, out string) string {
	t.Helper()
	var v struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return v.Error
}

func mustParseTx(t *testing.T, raw []byte) *txn.Signed {
	t.Helper()
	tx, err := txn.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func mustTxBytes(t *testing.T, s *submitChain, hash string) []byte {
	t.Helper()
	raw, _ := hex.DecodeString(hash)
	res, err := s.ch.Client.Tx(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	return res.Tx
}
