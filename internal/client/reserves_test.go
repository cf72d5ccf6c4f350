package client_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"strconv"
	"testing"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// An auditor the issuer adds attests acme's reserves twice; the client reads the
// auditors, acme's attestations newest first a page at a time, and a report by its
// digest.
func TestReserves(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	auditor := nodetest.Key(130)
	ch.Apply(t, txn.NewAddAuditor("audit-firm", auditor.Public().(ed25519.PublicKey)))
	auditors, err := ch.Client.Auditors(ctx)
	if err != nil || len(auditors) != 1 || auditors[0].ID != "audit-firm" || auditors[0].Address != crypto.AddressOf(auditor.Public().(ed25519.PublicKey)) {
		t.Fatalf("auditors %+v, %v", auditors, err)
	}
	var heights []int64
	for n := range byte(2) {
		h, err := ch.Client.Height(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := &txn.AttestReserves{
			ReportDigest: bytes.Repeat([]byte{n + 1}, 32), ReportHeight: h, StatementEnd: "2026-03-31T22:00:00Z",
			Operators: []txn.OperatorReserves{{Operator: "acme", Currency: ch.OperatorInfo.PaymentAccount().Currency, BalanceMinor: 100, Backed: true}},
		}
		res, err := ch.Client.Submit(ctx, m, auditor)
		if err != nil {
			t.Fatalf("attestation %d: %v", n, err)
		}
		heights = append(heights, res.Height)
	}
	first, err := ch.Client.Reserves(ctx, "acme", query.PageRequest{Limit: 1})
	if err != nil || len(first.Items) != 1 || first.Items[0].Height != heights[1] || first.Next != strconv.FormatInt(heights[1], 10) {
		t.Fatalf("the first page of one: %+v, %v; attested at %v", first, err, heights)
	}
	second, err := ch.Client.Reserves(ctx, "acme", query.PageRequest{After: first.Next, Limit: 1})
	if err != nil || len(second.Items) != 1 || second.Items[0].Height != heights[0] || second.Next != "" {
		t.Fatalf("the second page of one: %+v, %v", second, err)
	}
	report, err := ch.Client.ReservesByDigest(ctx, bytes.Repeat([]byte{1}, 32))
	if err != nil || len(report) != 1 || report[0].Operator != "acme" || report[0].Height != heights[0] || !report[0].Backed {
		t.Fatalf("the first report by its digest: %+v, %v", report, err)
	}
	if _, err := ch.Client.ReservesByDigest(ctx, bytes.Repeat([]byte{9}, 32)); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("a report never attested: %v, want %v", err, client.ErrNotFound)
	}
	if _, err := ch.Client.Reserves(ctx, "nobody", query.PageRequest{}); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("an unknown operator's attestations: %v, want %v", err, client.ErrNotFound)
	}
}
