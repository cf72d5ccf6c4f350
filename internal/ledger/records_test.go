package ledger

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/golden"
	"github.com/chipmint/chipmint/internal/txn"
)

// recordsGoldenDir holds one hex file per example of a stored record. The bytes of a
// record are consensus: they are what the app hash covers, so every node must write
// exactly these for the same state.
const recordsGoldenDir = "testdata/records"

// recordExample is a fixed value of a stored record type; decoded is an empty value of
// the same type to decode the golden bytes into.
type recordExample struct {
	name    string
	value   any
	decoded func() any
}

func newOf[T any]() any { return new(T) }

// recordExamples returns a fixed example of every record the ledger stores. The full
// examples set every field, so that each field's key and position is held by a golden
// file; the fresh order leaves the optional fields empty, so that their omission is held
// too.
func recordExamples() []recordExample {
	issuerPub, operatorPub, buyerPub, auditorPub := pub(key(1)), pub(key(2)), pub(key(3)), pub(key(6))
	return []recordExample{
		{name: "issuer", decoded: newOf[txn.Issuer], value: txn.Issuer{
			ID: "issuer-1", Address: crypto.AddressOf(issuerPub), PublicKey: issuerPub,
		}},
		{name: "operator", decoded: newOf[txn.Operator], value: txn.Operator{
			ID: "acme-bank", Address: crypto.AddressOf(operatorPub), PublicKey: operatorPub,
			Account:  txn.BankAccount{IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Holder: "Acme Bank AG", Currency: "EUR"},
			Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
			CapChips: 1_000_000_000_000, IssuedChips: 300_000_000, BurnedChips: 50_000_000,
			RegisteredBy: crypto.AddressOf(issuerPub), RegisteredHeight: 12,
		}},
		{name: "order", decoded: newOf[txn.Order], value: txn.Order{
			ID: "0123456789ABCDEF0123", PaymentReference: "RF550123456789ABCDEF0123",
			Buyer:    txn.PartyOf("customer-42", buyerPub),
			Operator: "acme-bank", AmountMinor: 12_345, Currency: "EUR", Status: txn.StatusIssued,
			ReceivedMinor: 12_345, BankReference: "BANKREF-0001", ConfirmedBy: txn.ConfirmedByReceipt,
			PayerCommitment: bytes.Repeat([]byte{0xC0}, txn.CommitmentBytes), Chips: 123_450_000,
			CreatedHeight: 20, PaidHeight: 25, IssuedHeight: 30, ExpiresHeight: 86_420,
		}},
		{name: "order.fresh", decoded: newOf[txn.Order], value: txn.Order{
			ID: "0123456789ABCDEF0123", PaymentReference: "RF550123456789ABCDEF0123",
			Buyer:    txn.PartyOf("customer-42", buyerPub),
			Operator: "acme-bank", AmountMinor: 12_345, Currency: "EUR", Status: txn.StatusAwaitingPayment,
			CreatedHeight: 20,
		}},
		{name: "operator.short", decoded: newOf[txn.Operator], value: txn.Operator{
			ID: "acme-bank", Address: crypto.AddressOf(operatorPub), PublicKey: operatorPub,
			Account:  txn.BankAccount{IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Holder: "Acme Bank AG", Currency: "EUR"},
			Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
			CapChips: 1_000_000_000_000, IssuedChips: 300_000_000, BurnedChips: 50_000_000,
			RegisteredBy: crypto.AddressOf(issuerPub), RegisteredHeight: 12, ShortfallChips: 123_450_000,
		}},
		{name: "order.reversed", decoded: newOf[txn.Order], value: txn.Order{
			ID: "0123456789ABCDEF0123", PaymentReference: "RF550123456789ABCDEF0123",
			Buyer:    txn.PartyOf("customer-42", buyerPub),
			Operator: "acme-bank", AmountMinor: 12_345, Currency: "EUR", Status: txn.StatusReversed,
			ReceivedMinor: 12_345, BankReference: "BANKREF-0001", ConfirmedBy: txn.ConfirmedByNotice,
			Chips: 123_450_000, CreatedHeight: 20, PaidHeight: 25, IssuedHeight: 30, ExpiresHeight: 86_420,
			ReversedHeight: 40, ReversalReason: "AC04 account closed",
		}},
		{name: "operator.account", decoded: newOf[txn.Operator], value: txn.Operator{
			ID: "acme-trading", Address: crypto.AddressOf(operatorPub), PublicKey: operatorPub,
			ReceivingAccount: &txn.Account{
				OtherID: "6222021001000000001", Scheme: "BBAN", Issuer: "ICBC", BIC: "ICBKCNBJ",
				ClearingSystem: "CNAPS", ClearingMember: "102100099996", Holder: "Acme Trading (Shanghai) Co Ltd", Currency: "CNY",
			},
			Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
			CapChips: 1_000_000_000_000, IssuedChips: 300_000_000, BurnedChips: 50_000_000,
			RegisteredBy: crypto.AddressOf(issuerPub), RegisteredHeight: 12, ShortfallChips: 123_450_000,
		}},
		{name: "supply", decoded: newOf[txn.Supply], value: txn.Supply{
			TotalChips: 250_000_000, IssuedChips: 300_000_000, BurnedChips: 50_000_000,
		}},
		{name: "params", decoded: newOf[Params], value: Params{
			CheckpointInterval: 1000, OrderTTLBlocks: 86_400, RedemptionTTLBlocks: 604_800, OrderRetentionBlocks: 2_592_000,
			OpenOrdersPerOperatorMax: 100_000, OpenOrdersPerBuyerMax: 20,
			IssuerThreshold: 2, IssueApprovalChips: 10_000_000_000, ProposalTTLBlocks: 86_400,
		}},
		{name: "operator.paid", decoded: newOf[txn.Operator], value: txn.Operator{
			ID: "acme-bank", Address: crypto.AddressOf(operatorPub), PublicKey: operatorPub,
			Account:  txn.BankAccount{IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Holder: "Acme Bank AG", Currency: "EUR"},
			Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
			CapChips: 1_000_000_000_000, IssuedChips: 300_000_000, BurnedChips: 50_000_000,
			RegisteredBy: crypto.AddressOf(issuerPub), RegisteredHeight: 12, PaidChips: 70_000_000,
		}},
		{name: "supply.escrow", decoded: newOf[txn.Supply], value: txn.Supply{
			TotalChips: 250_000_000, IssuedChips: 300_000_000, BurnedChips: 50_000_000, EscrowChips: 20_000_000,
		}},
		{name: "operator.escrow", decoded: newOf[txn.Operator], value: txn.Operator{
			ID: "acme-bank", Address: crypto.AddressOf(operatorPub), PublicKey: operatorPub,
			Account:  txn.BankAccount{IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Holder: "Acme Bank AG", Currency: "EUR"},
			Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
			CapChips: 1_000_000_000_000, IssuedChips: 300_000_000, BurnedChips: 50_000_000,
			RegisteredBy: crypto.AddressOf(issuerPub), RegisteredHeight: 12, EscrowChips: 20_000_000,
		}},
		{name: "order.refunded", decoded: newOf[txn.Order], value: txn.Order{
			ID: "0123456789ABCDEF0123", PaymentReference: "RF550123456789ABCDEF0123",
			Buyer:    txn.PartyOf("customer-42", buyerPub),
			Operator: "acme-bank", AmountMinor: 700, Currency: "EUR", Status: txn.StatusHeld,
			ReceivedMinor: 700_000, BankReference: "BANKREF-0002", ConfirmedBy: txn.ConfirmedByNotice,
			Chips: 7_000_000, CreatedHeight: 20, PaidHeight: 25, ExpiresHeight: 86_420,
			OwedMinor: 699_300, RefundReference: "REFUND-0002", RefundedHeight: 31, HoldReason: "sanctions screening",
		}},
		{name: "order.cancelled", decoded: newOf[txn.Order], value: txn.Order{
			ID: "0123456789ABCDEF0123", PaymentReference: "RF550123456789ABCDEF0123",
			Buyer:    txn.PartyOf("customer-42", buyerPub),
			Operator: "acme-bank", AmountMinor: 12_345, Currency: "EUR", Status: txn.StatusCancelled,
			CreatedHeight: 20, ExpiresHeight: 86_420, ClosedHeight: 22, RemoveHeight: 2_592_022,
		}},
		{name: "redemption", decoded: newOf[txn.Redemption], value: txn.Redemption{
			ID: "89ABCDEF0123456789AB", Holder: crypto.AddressOf(buyerPub), Operator: "acme-bank",
			Chips: 12_340_000, AmountMinor: 1_234, Currency: "EUR",
			Payee:  bytes.Repeat([]byte{0xEE}, txn.CommitmentBytes),
			Status: txn.RedemptionRestored, CreatedHeight: 40, DeadlineHeight: 604_840,
			PayoutReference: "MSG-0001", InitiatedHeight: 41, BankReference: "PAYOUT-0001", PaidHeight: 43,
			ClosedHeight: 50, Reason: "AC04 account closed", ReturnReference: "RETURN-0001", RestoredHeight: 51,
		}},
		{name: "redemption.fresh", decoded: newOf[txn.Redemption], value: txn.Redemption{
			ID: "89ABCDEF0123456789AB", Holder: crypto.AddressOf(buyerPub), Operator: "acme-bank",
			Chips: 12_340_000, AmountMinor: 1_234, Currency: "EUR",
			Payee:  bytes.Repeat([]byte{0xEF}, txn.CommitmentBytes),
			Status: txn.RedemptionRequested, CreatedHeight: 40, DeadlineHeight: 604_840,
		}},
		{name: "handover", decoded: newOf[txn.PendingHandOver], value: txn.PendingHandOver{
			Role: txn.RoleOperator, To: crypto.AddressOf(buyerPub), PublicKey: buyerPub, Height: 70,
		}},
		{name: "refund", decoded: newOf[txn.Refund], value: txn.Refund{
			Operator: "acme-bank", BankReference: "BANKREF-0003", AmountMinor: 5_000, Currency: "USD",
			RefundReference: "REFUND-0003", Height: 60,
		}},
		{name: "operator.revoked", decoded: newOf[txn.Operator], value: txn.Operator{
			ID: "acme-bank", Address: crypto.AddressOf(operatorPub), PublicKey: operatorPub,
			ReceivingAccount: &txn.Account{IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Holder: "Acme Bank AG", Currency: "EUR"},
			Rate:             txn.Rate{Chips: 1_000_000, Minor: 110},
			CapChips:         2_000_000_000_000, IssuedChips: 300_000_000, BurnedChips: 50_000_000,
			RegisteredBy: crypto.AddressOf(issuerPub), RegisteredHeight: 12,
			PastRates:     []txn.Rate{{Chips: 1_000_000, Minor: 100}},
			RevokedHeight: 70, RevokeReason: "licence withdrawn",
		}},
		{name: "proposal", decoded: newOf[txn.Proposal], value: txn.Proposal{
			ID: "0123456789ABCDEF4567", Proposer: crypto.AddressOf(issuerPub), Action: txn.TypeSetIssuerThreshold,
			Body: txn.EncodeRecord(txn.SetIssuerThreshold{Threshold: 2}), Approvals: []crypto.Address{crypto.AddressOf(issuerPub), crypto.AddressOf(operatorPub)},
			Status: txn.ProposalExecuted, CreatedHeight: 80, ExpiresHeight: 86_480, ClosedHeight: 81,
		}},
		{name: "proposal.pending", decoded: newOf[txn.Proposal], value: txn.Proposal{
			ID: "0123456789ABCDEF4567", Proposer: crypto.AddressOf(issuerPub), Action: txn.TypeSetIssuerThreshold,
			Body: txn.EncodeRecord(txn.SetIssuerThreshold{Threshold: 2}), Approvals: []crypto.Address{crypto.AddressOf(issuerPub)},
			Status: txn.ProposalPending, CreatedHeight: 80, ExpiresHeight: 86_480,
		}},
		{name: "paused", decoded: newOf[txn.PausedOperation], value: txn.PausedOperation{
			Operation: txn.OperationTransfer, Reason: "suspected fraud", By: crypto.AddressOf(issuerPub), Height: 90,
		}},
		{name: "frozen", decoded: newOf[txn.FrozenAccount], value: txn.FrozenAccount{
			Address: crypto.AddressOf(buyerPub), Reason: "court order 2026-117", By: crypto.AddressOf(issuerPub), Height: 91,
		}},
		{name: "auditor", decoded: newOf[txn.Auditor], value: txn.Auditor{
			ID: "audit-firm", Address: crypto.AddressOf(auditorPub), PublicKey: auditorPub,
		}},
		{name: "reserves", decoded: newOf[txn.ReservesAttestation], value: txn.ReservesAttestation{
			Operator: "acme-bank", Currency: "EUR", BalanceMinor: 1_250_000, LiabilitiesMinor: 1_200_000,
			OutstandingChips: 12_000_000_000, Backed: true, ReportDigest: bytes.Repeat([]byte{0xab}, 32),
			ReportHeight: 480, StatementEnd: "2026-03-31T22:00:00Z", Auditor: crypto.AddressOf(auditorPub), Height: 500,
		}},
		{name: "cover", decoded: newOf[txn.Cover], value: txn.Cover{
			Operator: "acme-bank", BankReference: "OWN-FUNDS-0001", AmountMinor: 3_000, Currency: "EUR",
			Chips: 30_000_000, Height: 95,
		}},
		{name: "operator.covered", decoded: newOf[txn.Operator], value: txn.Operator{
			ID: "acme-bank", Address: crypto.AddressOf(operatorPub), PublicKey: operatorPub,
			Account:  txn.BankAccount{IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Holder: "Acme Bank AG", Currency: "EUR"},
			Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
			CapChips: 1_000_000_000_000, IssuedChips: 300_000_000, BurnedChips: 50_000_000,
			RegisteredBy: crypto.AddressOf(issuerPub), RegisteredHeight: 12, ShortfallChips: 93_450_000, CoveredChips: 30_000_000,
		}},
		{name: "reserves.overdrawn", decoded: newOf[txn.ReservesAttestation], value: txn.ReservesAttestation{
			Operator: "bravo-bank", Currency: "CHF", BalanceMinor: -5_000, LiabilitiesMinor: 300_000,
			OutstandingChips: 3_000_000_000, Unexplained: 2, ReportDigest: bytes.Repeat([]byte{0xab}, 32),
			ReportHeight: 480, StatementEnd: "2026-03-31T22:00:00.5Z", Auditor: crypto.AddressOf(auditorPub), Height: 500,
		}},
	}
}

// TestGoldenRecords holds the encoding of every stored record to its golden file, and
// decodes each golden file back to the example, so that a change to the decoder alone
// is caught too.
func TestGoldenRecords(t *testing.T) {
	for _, ex := range recordExamples() {
		t.Run(ex.name, func(t *testing.T) {
			golden.CheckHex(t, recordsGoldenDir, ex.name, txn.EncodeRecord(ex.value), "the app hash of the same state differs")
			got := ex.decoded()
			if err := txn.DecodeRecord(golden.ReadHex(t, filepath.Join(recordsGoldenDir, ex.name+".hex")), got); err != nil {
				t.Fatalf("DecodeRecord: %v", err)
			}
			if v := reflect.ValueOf(got).Elem().Interface(); !reflect.DeepEqual(v, ex.value) {
				t.Fatalf("golden %s decodes to\n%+v\nwant\n%+v", ex.name, v, ex.value)
			}
		})
	}
}

// TestStoredRecordsHaveCBORTags requires an explicit cbor tag on every exported field of
// every stored record and of the structs nested in them. A field without one would be
// encoded under its json tag, so that a change meant for the query answers would
// silently change the stored bytes and the app hash.
func TestStoredRecordsHaveCBORTags(t *testing.T) {
	seen := make(map[reflect.Type]bool)
	for _, ex := range recordExamples() {
		checkCBORTags(t, reflect.TypeOf(ex.value), seen)
	}
}

func checkCBORTags(t *testing.T, typ reflect.Type, seen map[reflect.Type]bool) {
	t.Helper()
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct || seen[typ] {
		return
	}
	seen[typ] = true
	for f := range typ.Fields() {
		if !f.IsExported() {
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("cbor"), ","); name == "" {
			t.Errorf("%s.%s has no cbor tag naming its key: give it one equal to its key in the stored bytes", typ, f.Name)
		}
		checkCBORTags(t, f.Type, seen)
	}
}
