package client_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/merkle"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// An honest primary's answers are proved from a trusted height: a balance at the last
// height, an order's status then and at the past height where it was placed.
func TestVerifierProvesBalancesAndOrders(t *testing.T) {
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	buyer := nodetest.Key(61)
	addr := nodetest.Address(t, buyer)
	trust := trustAt(ctx, t, ch, 2)

	o := ch.Buy(t, buyer, "buyer", 250)
	ch.Confirm(t, o, "REF-VERIFY-1")
	if _, err := ch.Client.Submit(ctx, &txn.Issue{OrderID: o.ID, Chips: ch.Order(t, o.ID).Chips}, ch.Issuer); err != nil {
		t.Fatal(err)
	}
	ch.WaitHeight(t, ch.Order(t, o.ID).IssuedHeight+1)

	rpc, follower := ch.Node.RPCAddress(), ch.Follower(t).Node.RPCAddress()
	v := newVerifier(ctx, t, rpc, []string{follower}, trust)
	p, err := v.Prove(ctx, query.AccountKey(addr), 0)
	if err != nil {
		t.Fatalf("a true balance: %v", err)
	}
	if got, err := client.ProvedBalance(p.Proof, addr); err != nil || got != 2_500_000 {
		t.Fatalf("proved balance %d, %v; want 2,500,000", got, err)
	}
	if p.HeaderHeight != p.Proof.Height+1 || p.TrustHeight != 2 || p.Witnesses != 1 {
		t.Fatalf("proved %+v", p)
	}

	p, err = v.Prove(ctx, query.OrderKey(o.ID), 0)
	if err != nil {
		t.Fatalf("a true order: %v", err)
	}
	if got, ok, err := client.ProvedOrder(p.Proof, o.ID); err != nil || !ok || got.Status != txn.StatusIssued {
		t.Fatalf("proved order %+v, %v, %v; want issued", got, ok, err)
	}
	p, err = v.Prove(ctx, query.OrderKey(o.ID), o.CreatedHeight)
	if err != nil {
		t.Fatalf("a true order at a past height: %v", err)
	}
	if got, ok, err := client.ProvedOrder(p.Proof, o.ID); err != nil || !ok || got.Status != txn.StatusAwaitingPayment {
		t.Fatalf("proved order at %d: %+v, %v, %v; want awaiting payment", o.CreatedHeight, got, ok, err)
	}
}

// A primary that lies about a value, forges a header or answers for another chain is
// refused, as is a trusted header the primary does not have. A witness that is the
// primary's node, or another witness's, under any address, is refused before anything
// is compared: it would check nothing.
func TestVerifierRefusesALyingPrimary(t *testing.T) {
	ch := nodetest.Start(t)
	other := nodetest.StartWith(t, nodetest.Options{ChainID: "chipmint-other"})
	ctx := nodetest.Context(t)
	buyer := nodetest.Key(62)
	addr := nodetest.Address(t, buyer)
	trust := trustAt(ctx, t, ch, 2)
	o := ch.Buy(t, buyer, "buyer", 250)
	ch.Confirm(t, o, "REF-VERIFY-2")
	if _, err := ch.Client.Submit(ctx, &txn.Issue{OrderID: o.ID, Chips: ch.Order(t, o.ID).Chips}, ch.Issuer); err != nil {
		t.Fatal(err)
	}
	ch.WaitHeight(t, ch.Order(t, o.ID).IssuedHeight+1)
	rpc, otherRPC := ch.Node.RPCAddress(), other.Node.RPCAddress()
	follower, follower2 := ch.Follower(t).Node.RPCAddress(), ch.Follower(t).Node.RPCAddress()
	otherFollower := other.Follower(t).Node.RPCAddress()
	rpcAgain, followerAgain := nodetest.ReverseProxy(t, rpc), nodetest.ReverseProxy(t, follower)

	moreChips := lyingProxy(t, rpc, "abci_query", func(res map[string]any) {
		r := res["response"].(map[string]any)
		if r["value"] != nil && r["value"] != "" {
			r["value"] = base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, 9_000_000))
		}
	})
	paidOrder := lyingProxy(t, rpc, "abci_query", func(res map[string]any) {
		r := res["response"].(map[string]any)
		b, _ := base64.StdEncoding.DecodeString(r["value"].(string))
		var lie txn.Order
		if txn.DecodeRecord(b, &lie) == nil {
			lie.Status = txn.StatusPaid
			r["value"] = base64.StdEncoding.EncodeToString(txn.EncodeRecord(lie))
		}
	})
	forgedHeader := lyingProxy(t, rpc, "commit", func(res map[string]any) {
		h := res["signed_header"].(map[string]any)["header"].(map[string]any)
		if height, _ := strconv.ParseInt(h["height"].(string), 10, 64); height > trust.Height {
			h["app_hash"] = strings.Repeat("AB", 32)
		}
	})
	wrongHash := trust
	wrongHash.Hash = bytes.Repeat([]byte{0xAB}, 32)
	expired := trust
	expired.Period = time.Nanosecond
	// A primary that stopped following the chain twenty blocks ago.
	ch.WaitHeight(t, 30)
	behind := lyingProxy(t, rpc, "status", func(res map[string]any) {
		sync := res["sync_info"].(map[string]any)
		h, _ := strconv.ParseInt(sync["latest_block_height"].(string), 10, 64)
		sync["latest_block_height"] = strconv.FormatInt(h-20, 10)
	})

	tests := []struct {
		name      string
		primary   string
		witnesses []string
		trust     client.Trust
		key       []byte
		want      error
		says      string
	}{
		{"a changed balance", moreChips, []string{follower}, trust, query.AccountKey(addr), merkle.ErrProofMismatch, "proof at height"},
		{"a changed order status", paidOrder, []string{follower}, trust, query.OrderKey(o.ID), merkle.ErrProofMismatch, "proof at height"},
		{"a forged header", forgedHeader, []string{follower}, trust, query.AccountKey(addr), client.ErrRefused, "not valid"},
		// With a witness to spare, the light client carries on with a witness's header:
		// the answer is still not the primary's.
		{"a forged header, two witnesses", forgedHeader, []string{follower, follower2}, trust, query.AccountKey(addr), client.ErrRefused, "not valid"},
		{"another chain's primary", otherRPC, []string{rpc}, trust, query.AccountKey(addr), client.ErrRefused, `runs chain "chipmint-other"`},
		{"another chain's primary and witness", otherRPC, []string{otherFollower}, trust, query.AccountKey(addr), client.ErrRefused, "expected header's hash"},
		{"a trusted hash the chain does not have", rpc, []string{follower}, wrongHash, query.AccountKey(addr), client.ErrRefused, "expected header's hash"},
		{"no witness", rpc, nil, trust, query.AccountKey(addr), client.ErrNoWitness, "a witness is required"},
		{"a primary twenty blocks behind its witness", behind, []string{follower}, trust, query.AccountKey(addr), client.ErrRefused, "blocks old"},
		{"a trusted header older than the trusting period", rpc, []string{follower}, expired, query.AccountKey(addr), client.ErrTrustExpired, "trusting period"},
		{"the primary as its own witness", rpc, []string{rpc}, trust, query.AccountKey(addr), client.ErrWitnessSameNode, "the witness " + rpc + " is node "},
		{"the primary under another address as its witness", rpc, []string{follower, rpcAgain}, trust, query.AccountKey(addr), client.ErrWitnessSameNode, "the witness " + rpcAgain + " is node "},
		{"a lying primary under another address as its witness", forgedHeader, []string{rpc}, trust, query.AccountKey(addr), client.ErrWitnessSameNode, "as the primary " + forgedHeader + " is"},
		{"one witness under two addresses", rpc, []string{follower, followerAgain}, trust, query.AccountKey(addr), client.ErrWitnessSameNode, "as the witness " + follower + " is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := prove(ctx, tt.primary, tt.witnesses, tt.trust, tt.key, 0)
			if !errors.Is(err, tt.want) || !strings.Contains(fmt.Sprint(err), tt.says) {
				t.Fatalf("got %v, want %v saying %q", err, tt.want, tt.says)
			}
			if tt.want == client.ErrNoWitness || tt.want == client.ErrTrustExpired || tt.want == client.ErrWitnessSameNode {
				if errors.Is(err, client.ErrRefused) {
					t.Fatalf("refused, as if a node lied: %v", err)
				}
				return
			}
			if !errors.Is(err, client.ErrRefused) || errors.Is(err, client.ErrAttack) {
				t.Fatalf("not refused, or taken for an attack: %v", err)
			}
		})
	}
}

// A validator that signs two chains from one height on, each with its own transaction:
// a primary on the fork is caught by a witness on the original chain, and the other way
// round; the original chain with a node that follows it as witness is believed.
func TestVerifierCatchesAPrimaryOnAFork(t *testing.T) {
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	h, err := ch.Client.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	trust := trustAt(ctx, t, ch, h)

	fork := ch.Fork(t)
	onFork := fork.Buy(t, nodetest.Key(63), "fork-buyer", 100)
	onOriginal := ch.Buy(t, nodetest.Key(64), "buyer", 200)
	height := max(onFork.CreatedHeight, onOriginal.CreatedHeight)
	fork.WaitHeight(t, height+1)
	ch.WaitHeight(t, height+1)
	original, forked := ch.Node.RPCAddress(), fork.Node.RPCAddress()
	follower := ch.Follower(t).Node.RPCAddress()

	tests := []struct {
		name     string
		primary  string
		witness  string
		order    string
		believed bool
	}{
		{"the fork as primary, the original as witness", forked, original, onFork.ID, false},
		{"the original as primary, the fork as witness", original, forked, onOriginal.ID, false},
		{"the original as primary, its follower as witness", original, follower, onOriginal.ID, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := prove(ctx, tt.primary, []string{tt.witness}, trust, query.OrderKey(tt.order), height)
			if tt.believed && err != nil {
				t.Fatalf("the original chain refused: %v", err)
			}
			if !tt.believed && !errors.Is(err, client.ErrAttack) {
				t.Fatalf("got %v, want %v", err, client.ErrAttack)
			}
		})
	}
}

// prove proves key after height (0: the last) from primary, as a new verifier.
func prove(ctx context.Context, primary string, witnesses []string, trust client.Trust, key []byte, height int64) error {
	v, err := client.NewVerifier(ctx, primary, witnesses, trust)
	if err != nil {
		return err
	}
	defer v.Close()
	_, err = v.Prove(ctx, key, height)
	return err
}

func newVerifier(ctx context.Context, t *testing.T, primary string, witnesses []string, trust client.Trust) *client.Verifier {
	t.Helper()
	v, err := client.NewVerifier(ctx, primary, witnesses, trust)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// trustAt is the header of height as a user would get it from a source they trust.
func trustAt(ctx context.Context, t *testing.T, ch *nodetest.Chain, height int64) client.Trust {
	t.Helper()
	ch.WaitHeight(t, height)
	sh, err := ch.Client.SignedHeader(ctx, height)
	if err != nil {
		t.Fatal(err)
	}
	return client.Trust{Height: height, Hash: sh.Hash(), Period: 168 * time.Hour}
}

// lyingProxy serves the RPC of the node at target, passing every call through but the
// answers to method, whose result lie rewrites.
func lyingProxy(t *testing.T, target, method string, lie func(result map[string]any)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var call struct {
			Method string `json:"method"`
		}
		_ = json.Unmarshal(body, &call) // a batch of calls is passed through as it is
		res, err := http.Post(target+r.URL.Path, "application/json", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		out, err := io.ReadAll(res.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if call.Method == method {
			out = rewriteResult(out, lie)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(res.StatusCode)
		w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// rewriteResult applies lie to the result of a JSON-RPC answer; an answer with no
// result (an error) is left as it is.
func rewriteResult(answer []byte, lie func(result map[string]any)) []byte {
	d := json.NewDecoder(bytes.NewReader(answer))
	d.UseNumber()
	var msg map[string]any
	if d.Decode(&msg) != nil {
		return answer
	}
	res, ok := msg["result"].(map[string]any)
	if !ok {
		return answer
	}
	lie(res)
	out, err := json.Marshal(msg)
	if err != nil {
		return answer
	}
	return out
}
