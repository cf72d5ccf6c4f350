package abciapp

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// auditorB is the key the issuers make an auditor's; auditorNew the one auditorA's role
// is handed over to.
var (
	auditorB   = newActor("auditor-b", 12)
	auditorNew = newActor("auditor-new", 23)
)

// digest is the digest of the n-th reserves report of the tests.
func digest(n byte) []byte { return bytes.Repeat([]byte{n}, 32) }

// attestMsg is the report of digest n on acme, backed, read at reportHeight.
func attestMsg(n byte, reportHeight int64) *txn.AttestReserves {
	return &txn.AttestReserves{
		ReportDigest: digest(n), ReportHeight: reportHeight, StatementEnd: "2026-03-31T22:00:00Z",
		Operators: []txn.OperatorReserves{{
			Operator: "acme", Currency: "EUR", BalanceMinor: 500_000, LiabilitiesMinor: 400_000, OutstandingChips: 4_000_000_000, Backed: true,
		}},
	}
}

// attest signs auditorA's attestation of report n on acme, read at the last height.
func (h *harness) attest(n byte) []byte { return h.sign(auditorA, attestMsg(n, h.height)) }

// withAttest is attestMsg changed by f.
func withAttest(n byte, reportHeight int64, f func(m *txn.AttestReserves)) *txn.AttestReserves {
	m := attestMsg(n, reportHeight)
	f(m)
	return m
}

// reservesRejections are the refusals of the auditors and their attestations: the roles
// on both sides, the bounds of a report, replays and the keys.
func reservesRejections() []rejectionCase {
	board := func(h *harness) {
		h.mustBlock(h.sign(issuerA, &txn.AddIssuer{ID: "issuer-b", Address: issuerB.addr, PublicKey: issuerB.pub}))
		h.mustBlock(h.sign(issuerA, &txn.SetIssuerThreshold{Threshold: 2}))
	}
	return []rejectionCase{
		{"attestation signed by an issuer", txn.WrongRole, func(h *harness) []byte {
			return h.sign(issuerA, attestMsg(1, h.height))
		}},
		{"attestation signed by an operator", txn.WrongRole, func(h *harness) []byte {
			return h.sign(operatorA, attestMsg(1, h.height))
		}},
		{"attestation signed by a key of no role", txn.NotAuditor, func(h *harness) []byte {
			return h.sign(stranger, attestMsg(1, h.height))
		}},
		{"attestation replayed", txn.Replayed, func(h *harness) []byte {
			tx := h.attest(1)
			h.mustBlock(tx)
			return tx
		}},
		{"a report attested again", txn.AlreadyAttested, func(h *harness) []byte {
			h.mustBlock(h.attest(1))
			return h.attest(1)
		}},
		{"a report attested again by another auditor", txn.AlreadyAttested, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, txn.NewAddAuditor("auditor-b", auditorB.pub)))
			h.mustBlock(h.attest(1))
			return h.sign(auditorB, attestMsg(1, h.height))
		}},
		{"attestation of too many operators", txn.InvalidField, func(h *harness) []byte {
			return h.sign(auditorA, withAttest(1, h.height, func(m *txn.AttestReserves) {
				m.Operators = nil
				for i := range txn.ReservesOperatorsMax + 1 {
					m.Operators = append(m.Operators, txn.OperatorReserves{Operator: fmt.Sprintf("op-%03d", i), Currency: "EUR"})
				}
			}))
		}},
		{"attestation of operators out of order", txn.InvalidField, func(h *harness) []byte {
			h.mustBlock(h.sign(issuerA, registerAccountMsg(operatorB, "bobco")))
			return h.sign(auditorA, withAttest(1, h.height, func(m *txn.AttestReserves) {
				m.Operators = append([]txn.OperatorReserves{{Operator: "bobco", Currency: "CNY"}}, m.Operators...)
			}))
		}},
		{"attestation of an operator twice", txn.InvalidField, func(h *harness) []byte {
			return h.sign(auditorA, withAttest(1, h.height, func(m *txn.AttestReserves) { m.Operators = append(m.Operators, m.Operators[0]) }))
		}},
		{"attestation with a digest of 31 bytes", txn.InvalidField, func(h *harness) []byte {
			return h.sign(auditorA, withAttest(1, h.height, func(m *txn.AttestReserves) { m.ReportDigest = m.ReportDigest[:31] }))
		}},
		{"attestation of a report read at height 0", txn.InvalidField, func(h *harness) []byte {
			return h.sign(auditorA, attestMsg(1, 0))
		}},
		{"attestation of an unknown operator", txn.UnknownOperator, func(h *harness) []byte {
			return h.sign(auditorA, withAttest(1, h.height, func(m *txn.AttestReserves) { m.Operators[0].Operator = "nobody" }))
		}},
		{"attestation in another currency than the operator's", txn.CurrencyMismatch, func(h *harness) []byte {
			return h.sign(auditorA, withAttest(1, h.height, func(m *txn.AttestReserves) { m.Operators[0].Currency = "USD" }))
		}},
		{"attestation backed with liabilities above the balance", txn.InvalidField, func(h *harness) []byte {
			return h.sign(auditorA, withAttest(1, h.height, func(m *txn.AttestReserves) { m.Operators[0].LiabilitiesMinor = 500_001 }))
		}},
		{"attestation backed with entries unexplained", txn.InvalidField, func(h *harness) []byte {
			return h.sign(auditorA, withAttest(1, h.height, func(m *txn.AttestReserves) { m.Operators[0].Unexplained = 1 }))
		}},
		{"attestation by an auditor whose key was handed over", txn.NotAuditor, func(h *harness) []byte {
			h.mustBlock(h.sign(auditorA, txn.NewHandOver(txn.RoleAuditor, auditorNew.pub)))
			h.mustBlock(h.sign(auditorNew, &txn.TakeOver{From: auditorA.addr}))
			return h.attest(1)
		}},
		{"auditor added twice", txn.AuditorExists, func(h *harness) []byte {
			return h.sign(issuerA, txn.NewAddAuditor("auditor-2", auditorA.pub))
		}},
		{"auditor added under a taken id", txn.AuditorExists, func(h *harness) []byte {
			return h.sign(issuerA, txn.NewAddAuditor("auditor", auditorB.pub))
		}},
		{"auditor added with an issuer's key", txn.WrongRole, func(h *harness) []byte {
			return h.sign(issuerA, txn.NewAddAuditor("auditor-b", issuerA.pub))
		}},
		{"auditor added with an operator's key", txn.WrongRole, func(h *harness) []byte {
			return h.sign(issuerA, txn.NewAddAuditor("auditor-b", operatorA.pub))
		}},
		{"auditor added with a small-order key", txn.WeakKey, func(h *harness) []byte {
			return h.sign(issuerA, txn.NewAddAuditor("auditor-b", identityPoint))
		}},
		{"auditor added by an operator", txn.WrongRole, func(h *harness) []byte {
			return h.sign(operatorA, txn.NewAddAuditor("auditor-b", auditorB.pub))
		}},
		{"auditor added by an auditor", txn.WrongRole, func(h *harness) []byte {
			return h.sign(auditorA, txn.NewAddAuditor("auditor-b", auditorB.pub))
		}},
		{"auditor added by a key of no role", txn.NotIssuer, func(h *harness) []byte {
			return h.sign(stranger, txn.NewAddAuditor("auditor-b", auditorB.pub))
		}},
		{"auditor added by one issuer of two", txn.NeedsApproval, func(h *harness) []byte {
			board(h)
			return h.sign(issuerA, txn.NewAddAuditor("auditor-b", auditorB.pub))
		}},
		{"auditor removed by one issuer of two", txn.NeedsApproval, func(h *harness) []byte {
			board(h)
			return h.sign(issuerB, &txn.RemoveAuditor{Address: auditorA.addr})
		}},
		{"removal of a key that is no auditor's", txn.UnknownAuditor, func(h *harness) []byte {
			return h.sign(issuerA, &txn.RemoveAuditor{Address: issuerA.addr})
		}},
		{"auditor removal replayed", txn.Replayed, func(h *harness) []byte {
			tx := h.sign(issuerA, &txn.RemoveAuditor{Address: auditorA.addr})
			h.mustBlock(tx)
			return tx
		}},
		{"issuer added with an auditor's key", txn.WrongRole, func(h *harness) []byte {
			return h.sign(issuerA, &txn.AddIssuer{ID: "issuer-b", Address: auditorA.addr, PublicKey: auditorA.pub})
		}},
		{"operator registered with an auditor's key", txn.WrongRole, func(h *harness) []byte {
			return h.sign(issuerA, registerMsg(auditorA, "bobco"))
		}},
		{"issue signed by an auditor", txn.WrongRole, func(h *harness) []byte {
			id := h.paidOrder("UETR-1")
			return h.sign(auditorA, &txn.Issue{OrderID: id, Chips: 100_000_000})
		}},
		{"confirmation signed by an auditor", txn.WrongRole, func(h *harness) []byte {
			tx, id := h.buy(alice, "acme", 10_000)
			h.mustBlock(tx)
			return h.sign(auditorA, confirmMsg(id, alice, 10_000, "UETR-1"))
		}},
		{"hand over to an auditor's key", txn.WrongRole, func(h *harness) []byte {
			return h.sign(operatorA, txn.NewHandOver(txn.RoleOperator, auditorA.pub))
		}},
		{"auditor role handed over by an issuer", txn.WrongRole, func(h *harness) []byte {
			return h.sign(issuerA, txn.NewHandOver(txn.RoleAuditor, auditorNew.pub))
		}},
		{"auditor role handed over by a key of no role", txn.NotAuditor, func(h *harness) []byte {
			return h.sign(stranger, txn.NewHandOver(txn.RoleAuditor, auditorNew.pub))
		}},
		{"take over of the auditor role by a key that became an issuer's meanwhile", txn.WrongRole, func(h *harness) []byte {
			h.mustBlock(h.sign(auditorA, txn.NewHandOver(txn.RoleAuditor, auditorNew.pub)))
			h.mustBlock(h.sign(issuerA, &txn.AddIssuer{ID: "issuer-new", Address: auditorNew.addr, PublicKey: auditorNew.pub}))
			return h.sign(auditorNew, &txn.TakeOver{From: auditorA.addr})
		}},
	}
}

// reservesEvents are the attributes of the reserves events of a result.
func reservesEvents(res *abci.ExecTxResult) []map[string]string {
	var out []map[string]string
	for _, e := range res.Events {
		if e.Type != "reserves" {
			continue
		}
		m := make(map[string]string)
		for _, a := range e.Attributes {
			m[a.Key] = a.Value
		}
		out = append(out, m)
	}
	return out
}

// An auditor attests a report of two operators: one attestation of each is stored at
// the block's height and announced; the operator's list answers them newest first, a
// page at a time, and the report's digest finds the report's.
func TestAttestReserves(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	h.mustBlock(h.sign(issuerA, registerAccountMsg(operatorB, "bobco")))
	m := withAttest(1, h.height, func(m *txn.AttestReserves) {
		m.Operators = append(m.Operators, txn.OperatorReserves{
			Operator: "bobco", Currency: "CNY", BalanceMinor: -300, LiabilitiesMinor: 1_000, OutstandingChips: 10_000_000, Unexplained: 2,
		})
	})
	res := h.ok(h.sign(auditorA, m))
	attestedAt := h.height
	events := reservesEvents(res)
	want := []map[string]string{
		{"operator": "acme", "backed": "true", "digest": hex.EncodeToString(digest(1)), "report_height": strconv.FormatInt(m.ReportHeight, 10)},
		{"operator": "bobco", "backed": "false", "digest": hex.EncodeToString(digest(1)), "report_height": strconv.FormatInt(m.ReportHeight, 10)},
	}
	if fmt.Sprint(events) != fmt.Sprint(want) {
		t.Fatalf("reserves events = %v, want %v", events, want)
	}
	var report []txn.ReservesAttestation
	if code := h.query(query.PathReservesByDigest, hex.EncodeToString(digest(1)), &report); code != query.OK || len(report) != 2 {
		t.Fatalf("the report by its digest: code %d, %+v", code, report)
	}
	bobco := report[1]
	if bobco.Operator != "bobco" || bobco.Currency != "CNY" || bobco.BalanceMinor != -300 || bobco.LiabilitiesMinor != 1_000 ||
		bobco.OutstandingChips != 10_000_000 || bobco.Unexplained != 2 || bobco.Backed || !bytes.Equal(bobco.ReportDigest, digest(1)) ||
		bobco.ReportHeight != m.ReportHeight || bobco.StatementEnd != m.StatementEnd || bobco.Auditor != auditorA.addr || bobco.Height != attestedAt {
		t.Fatalf("bobco's attestation = %+v", bobco)
	}
	for name, tc := range map[string]struct {
		data string
		want uint32
	}{
		"a report never attested":  {hex.EncodeToString(digest(2)), query.NotFound},
		"a digest in upper case":   {fmt.Sprintf("%X", digest(1)), query.OK},
		"a digest of 31 bytes":     {hex.EncodeToString(digest(1)[:31]), query.BadRequest},
		"a digest that is not hex": {"report", query.BadRequest},
		"no digest":                {"", query.BadRequest},
	} {
		if code := h.query(query.PathReservesByDigest, tc.data, nil); code != tc.want {
			t.Errorf("%s: code %d, want %d", name, code, tc.want)
		}
	}

	// More attestations of acme than a page holds, one a block: the list is newest
	// first, PageMax at most a page, and every attestation is on exactly one page.
	heights := []string{strconv.FormatInt(attestedAt, 10)}
	for i := range query.PageMax {
		h.mustBlock(h.attest(byte(2 + i)))
		heights = append(heights, strconv.FormatInt(h.height, 10))
	}
	slices.Reverse(heights)
	key := func(a txn.ReservesAttestation) string { return strconv.FormatInt(a.Height, 10) }
	for _, limit := range []int{0, 7, query.PageMax + 5} {
		if got := listAll(h, query.PathReserves+"acme", limit, key); !slices.Equal(got, heights) {
			t.Fatalf("acme's attestations with limit %d: %v, want %v", limit, got, heights)
		}
	}
	first := listPage[txn.ReservesAttestation](h, query.PathReserves+"acme", nil)
	if len(first.Items) != query.PageMax || first.Next != heights[query.PageMax-1] || first.Items[0].Height != h.height {
		t.Fatalf("the first page: %d items, next %q, newest at %d", len(first.Items), first.Next, first.Items[0].Height)
	}
	if p := listPage[txn.ReservesAttestation](h, query.PathReserves+"bobco", nil); len(p.Items) != 1 || p.Items[0].Height != attestedAt || p.Next != "" {
		t.Fatalf("bobco's attestations: %+v", p)
	}
	for name, tc := range map[string]struct {
		path, data string
		want       uint32
	}{
		"an unknown operator":        {query.PathReserves + "nobody", "", query.NotFound},
		"a cursor that is no height": {query.PathReserves + "acme", `{"after": "latest"}`, query.BadRequest},
		"a cursor of height 0":       {query.PathReserves + "acme", `{"after": "0"}`, query.BadRequest},
	} {
		if code := h.query(tc.path, tc.data, nil); code != tc.want {
			t.Errorf("%s: code %d, want %d", name, code, tc.want)
		}
	}
	if res := h.queryAt(query.PathReserves+"acme", "", attestedAt, nil); res.Code != query.BadRequest {
		t.Fatalf("a list at a past height: code %d, want %d", res.Code, query.BadRequest)
	}
}

// A report compares with a committed height: one read at the block's own height or
// later is refused, in the mempool and in the block, though its fields are valid (so
// that a proposal holding it is not refused whole).
func TestAttestReservesOfAHeightNotCommitted(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	for _, ahead := range []int64{1, 5} {
		tx := h.sign(auditorA, attestMsg(1, h.height+ahead))
		if res := h.checkTx(tx); txn.Code(res.Code) != txn.InvalidField {
			t.Fatalf("CheckTx of a report read %d ahead: %s, want %s", ahead, txn.Code(res.Code), txn.InvalidField)
		}
		if status := h.processProposal(tx); status != abci.ResponseProcessProposal_ACCEPT {
			t.Fatalf("ProcessProposal of a report read %d ahead: %v", ahead, status)
		}
		h.refused(tx, txn.InvalidField)
	}
	var report []txn.ReservesAttestation
	if code := h.query(query.PathReservesByDigest, hex.EncodeToString(digest(1)), &report); code != query.NotFound {
		t.Fatalf("a refused report is found: %+v", report)
	}
	h.ok(h.sign(auditorA, attestMsg(1, h.height)))
}

// One attestation of an operator a block: a second report of it in the same block is
// refused, in the mempool already, and the next block takes it.
func TestAttestReservesOncePerBlock(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	first, second := h.attest(1), h.attest(2)
	if res := h.checkTx(first); res.Code != uint32(txn.OK) {
		t.Fatalf("CheckTx of the first: %s %s", txn.Code(res.Code), res.Log)
	}
	if res := h.checkTx(second); txn.Code(res.Code) != txn.AlreadyAttested {
		t.Fatalf("CheckTx of the second in the same block: %s, want %s", txn.Code(res.Code), txn.AlreadyAttested)
	}
	res := h.finalize(first, second)
	if txn.Code(res.TxResults[0].Code) != txn.OK || txn.Code(res.TxResults[1].Code) != txn.AlreadyAttested {
		t.Fatalf("the block: %s, %s", txn.Code(res.TxResults[0].Code), txn.Code(res.TxResults[1].Code))
	}
	h.ok(h.attest(2))
}

// No pause and no freeze stops an attestation: an incident is when the reserves are
// most wanted.
func TestAttestReservesWhilePausedAndFrozen(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	for _, op := range []string{txn.OperationBuy, txn.OperationConfirm, txn.OperationIssue, txn.OperationTransfer, txn.OperationRedeem} {
		h.mustBlock(h.sign(issuerA, &txn.Pause{Operation: op, Reason: "incident"}))
	}
	h.mustBlock(h.sign(issuerA, &txn.Freeze{Address: auditorA.addr, Reason: "incident"}))
	h.ok(h.attest(1))
}

// The issuers add and remove auditors by the threshold: with two of three, one issuer's
// addition is refused, a proposal and an approval add the auditor, who then attests, and
// another pair removes it, after which its attestations are refused and those it made
// stay.
func TestAuditorsByTheBoard(t *testing.T) {
	h := newBoardHarness(t)
	h.approved(registerMsg(operatorA, "acme"))
	h.refused(h.sign(issuerA, txn.NewAddAuditor("auditor-b", auditorB.pub)), txn.NeedsApproval)
	tx, id := h.propose(issuerA, txn.NewAddAuditor("auditor-b", auditorB.pub))
	h.ok(tx)
	if got := h.auditors(); len(got) != 1 {
		t.Fatalf("a proposal alone added an auditor: %+v", got)
	}
	h.ok(h.approve(issuerC, id))
	got := h.auditors()
	if len(got) != 2 || !slices.ContainsFunc(got, func(au txn.Auditor) bool { return au.Address == auditorB.addr && au.ID == "auditor-b" }) {
		t.Fatalf("auditors after the approval: %+v", got)
	}
	h.ok(h.sign(auditorB, attestMsg(1, h.height)))
	tx, id = h.propose(issuerB, &txn.RemoveAuditor{Address: auditorB.addr})
	h.ok(tx)
	h.ok(h.approve(issuerC, id))
	if got := h.auditors(); len(got) != 1 || got[0].Address != auditorA.addr {
		t.Fatalf("auditors after the removal: %+v", got)
	}
	h.refused(h.sign(auditorB, attestMsg(2, h.height)), txn.NotAuditor)
	var report []txn.ReservesAttestation
	if code := h.query(query.PathReservesByDigest, hex.EncodeToString(digest(1)), &report); code != query.OK || len(report) != 1 || report[0].Auditor != auditorB.addr {
		t.Fatalf("the removed auditor's attestation: code %d, %+v", code, report)
	}
}

// auditors lists every auditor, by address, reading every page.
func (h *harness) auditors() []txn.Auditor {
	h.t.Helper()
	var out []txn.Auditor
	after := ""
	for {
		p := listPage[txn.Auditor](h, query.PathAuditors, &query.PageRequest{After: after, Limit: 1})
		out = append(out, p.Items...)
		if p.Next == "" {
			return out
		}
		after = p.Next
	}
}

// An auditor's key is rotated like an operator's: the old key attests no more, the new
// one does, under the same id.
func TestAuditorKeyRotated(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	h.mustBlock(h.sign(auditorA, txn.NewHandOver(txn.RoleAuditor, auditorNew.pub)))
	if got := h.auditors(); len(got) != 1 || got[0].Address != auditorA.addr {
		t.Fatalf("an offer alone changed the auditor's key: %+v", got)
	}
	h.mustBlock(h.sign(auditorNew, &txn.TakeOver{From: auditorA.addr}))
	h.refused(h.attest(1), txn.NotAuditor)
	h.ok(h.sign(auditorNew, attestMsg(1, h.height)))
	got := h.auditors()
	if len(got) != 1 || got[0].Address != auditorNew.addr || got[0].ID != "auditor" || !bytes.Equal(got[0].PublicKey, auditorNew.pub) {
		t.Fatalf("auditors after the rotation: %+v", got)
	}
	if crypto.AddressOf(got[0].PublicKey) != auditorNew.addr {
		t.Fatal("the auditor's address is not its key's")
	}
}
