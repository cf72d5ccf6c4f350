package txn

import (
	"bytes"
	"crypto/ed25519"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
)

// testChainID is the chain every test transaction is signed for.
const testChainID = "chipmint-test-1"

// Fixed test accounts. Ed25519 signing is deterministic, so transactions signed with
// these keys are byte-for-byte reproducible, which the golden files rely on.
var (
	issuerKey   = keyFromSeed(0x01)
	operatorKey = keyFromSeed(0x02)
	buyerKey    = keyFromSeed(0x03)
	holderKey   = keyFromSeed(0x04)
	// issuer2Key is the key AddIssuer makes an issuer's.
	issuer2Key = keyFromSeed(0x05)
	// auditorKey is the key AddAuditor makes an auditor's, which attests the reserves.
	auditorKey = keyFromSeed(0x06)
)

const (
	testOperatorID = "acme-bank"
	testBuyerID    = "customer-42"
	testIBAN       = "DE89370400440532013000"
	testPayerIBAN  = "GB82WEST12345698765432"
	testBIC        = "COBADEFFXXX"
	testOtherID    = "6222021001000000001"
	testCNAPS      = "102100099996"
	testBuyNonce   = 7
	testValidUntil = 500
)

func keyFromSeed(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func pubOf(priv ed25519.PrivateKey) ed25519.PublicKey {
	return priv.Public().(ed25519.PublicKey)
}

func addrOf(priv ed25519.PrivateKey) crypto.Address {
	return crypto.AddressOf(pubOf(priv))
}

// testOrderID is the order created by the buyer's buy request with testBuyNonce.
func testOrderID() string { return OrderID(addrOf(buyerKey), testBuyNonce) }

func validRegisterOperator() RegisterOperator {
	return RegisterOperator{
		ID:        testOperatorID,
		Address:   addrOf(operatorKey),
		PublicKey: append([]byte(nil), pubOf(operatorKey)...),
		Account: BankAccount{
			IBAN:     testIBAN,
			BIC:      testBIC,
			Holder:   "Acme Bank AG",
			Currency: "EUR",
		},
		Rate:     Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000_000_000,
	}
}

// validRegisterOperatorAccount registers the operator with a Chinese account: no IBAN,
// its account number under BBAN and its bank's CNAPS code.
func validRegisterOperatorAccount() RegisterOperatorAccount {
	return RegisterOperatorAccount{
		ID:        testOperatorID,
		Address:   addrOf(operatorKey),
		PublicKey: append([]byte(nil), pubOf(operatorKey)...),
		Account: Account{
			OtherID:        testOtherID,
			Scheme:         "BBAN",
			BIC:            "ICBKCNBJ",
			ClearingSystem: "CNAPS",
			ClearingMember: testCNAPS,
			Holder:         "Acme Trading (Shanghai) Co Ltd",
			Currency:       "CNY",
		},
		Rate:     Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000_000_000,
	}
}

func validBuyRequest() BuyRequest {
	return BuyRequest{Operator: testOperatorID, BuyerID: testBuyerID, AmountMinor: 12_345, Currency: "EUR"}
}

func validConfirmPayment() ConfirmPayment {
	return ConfirmPayment{
		OrderID:       testOrderID(),
		Buyer:         PartyOf(testBuyerID, pubOf(buyerKey)),
		AmountMinor:   12_345,
		Currency:      "EUR",
		BankReference: "BANKREF-0001",
	}
}

// testPayer is the opening of the payer commitment of the tests' receipts.
var testPayer = AccountOpening{Salt: bytes.Repeat([]byte{7}, SaltBytes), Account: Account{IBAN: testPayerIBAN}}

func validReceipt() Receipt {
	return Receipt{
		OrderID:         testOrderID(),
		OperatorID:      testOperatorID,
		OperatorAddress: addrOf(operatorKey),
		OperatorIBAN:    testIBAN,
		PayerCommitment: testPayer.Commitment(),
		Buyer:           PartyOf(testBuyerID, pubOf(buyerKey)),
		AmountMinor:     12_345,
		Currency:        "EUR",
		Chips:           123_450_000,
		BankReference:   "BANKREF-0001",
	}
}

func validSubmitReceipt() SubmitReceipt {
	r := validReceipt()
	return SubmitReceipt{Receipt: r, OperatorSignature: mustSignReceipt(testChainID, r, operatorKey)}
}

func validIssue() Issue { return Issue{OrderID: testOrderID(), Chips: 123_450_000} }

func validTransfer() Transfer { return Transfer{To: addrOf(holderKey), AmountChips: 5_000_000} }

func validReversePayment() ReversePayment {
	return ReversePayment{BankReference: "BANKREF-0001", Reason: "AC04 account closed"}
}

// testRedemptionID is the redemption created by the holder's Redeem with nonce 12.
func testRedemptionID() string { return RedemptionID(addrOf(holderKey), 12) }

// testPayee is the opening of the payee commitment of the tests' redemptions.
var testPayee = AccountOpening{Salt: bytes.Repeat([]byte{8}, SaltBytes), Account: Account{
	IBAN: testPayerIBAN, BIC: "WESTGB2L", Holder: "Holder Four", Currency: "EUR",
}}

func validRedeem() Redeem {
	return Redeem{Operator: testOperatorID, AmountChips: 5_000_000, Currency: "EUR", Payee: testPayee.Commitment()}
}

func validPayoutInitiated() PayoutInitiated {
	return PayoutInitiated{RedemptionID: testRedemptionID(), PayoutReference: "PAIN-0001"}
}

func validConfirmPayout() ConfirmPayout {
	return ConfirmPayout{RedemptionID: testRedemptionID(), BankReference: "BANKREF-0002"}
}

func validRejectRedemption() RejectRedemption {
	return RejectRedemption{RedemptionID: testRedemptionID(), Reason: "account name does not match"}
}

func validReturnPayout() ReturnPayout {
	return ReturnPayout{RedemptionID: testRedemptionID(), BankReference: "BANKREF-0003", Reason: "AC04 account closed"}
}

func validRecordRefund() RecordRefund {
	return RecordRefund{BankReference: "BANKREF-0001", AmountMinor: 2_000, Currency: "EUR", RefundReference: "REFUND-0001"}
}

func validCoverShortfall() CoverShortfall {
	return CoverShortfall{BankReference: "OWN-FUNDS-0001", AmountMinor: 2_000, Currency: "EUR"}
}

func validHoldOrder() HoldOrder {
	return HoldOrder{OrderID: testOrderID(), Reason: "sanctions screening"}
}

// testProposalID is the proposal created by the issuer's Propose with nonce 23.
func testProposalID() string { return ProposalID(addrOf(issuerKey), 23) }

func validUpdateOperator() UpdateOperator {
	return UpdateOperator{
		ID:       testOperatorID,
		Account:  Account{IBAN: testIBAN, BIC: testBIC, Holder: "Acme Bank AG", Currency: "EUR"},
		Rate:     Rate{Chips: 1_000_000, Minor: 110},
		CapChips: 2_000_000_000_000,
	}
}

func validPropose() Propose { return *NewPropose(validUpdateOperator()) }

func validPause() Pause { return Pause{Operation: OperationTransfer, Reason: "suspected fraud"} }

func validFreeze() Freeze {
	return Freeze{Address: addrOf(holderKey), Reason: "court order 2026-117"}
}

func validRevokeOperator() RevokeOperator {
	return RevokeOperator{ID: testOperatorID, Reason: "licence withdrawn"}
}

func validAddIssuer() AddIssuer {
	return AddIssuer{ID: "issuer-2", Address: addrOf(issuer2Key), PublicKey: append([]byte(nil), pubOf(issuer2Key)...)}
}

func validAddAuditor() AddAuditor { return *NewAddAuditor("audit-firm", pubOf(auditorKey)) }

// testReportDigest is the digest of the reserves report the samples attest.
var testReportDigest = bytes.Repeat([]byte{0xab}, 32)

// validAttestReserves attests two operators: acme-bank backed, bravo-bank overdrawn.
func validAttestReserves() AttestReserves {
	return AttestReserves{
		ReportDigest: testReportDigest, ReportHeight: 480, StatementEnd: "2026-03-31T22:00:00Z",
		Operators: []OperatorReserves{
			{Operator: testOperatorID, Currency: "EUR", BalanceMinor: 1_250_000, LiabilitiesMinor: 1_200_000, OutstandingChips: 12_000_000_000, Backed: true},
			{Operator: "bravo-bank", Currency: "CHF", BalanceMinor: -5_000, LiabilitiesMinor: 300_000, OutstandingChips: 3_000_000_000, Unexplained: 2},
		},
	}
}

// sample is one valid signed transaction of a message type, with who signs it.
type sample struct {
	name   string
	msg    Msg
	signer ed25519.PrivateKey
	nonce  uint64
}

// samples returns one valid transaction of each message type, in type order. The names
// are the golden file names.
func samples() []sample {
	return []sample{
		{name: "register_operator", msg: validRegisterOperator(), signer: issuerKey, nonce: 1},
		{name: "buy_request", msg: validBuyRequest(), signer: buyerKey, nonce: testBuyNonce},
		{name: "confirm_payment", msg: validConfirmPayment(), signer: operatorKey, nonce: 3},
		{name: "submit_receipt", msg: validSubmitReceipt(), signer: buyerKey, nonce: 8},
		{name: "issue", msg: validIssue(), signer: issuerKey, nonce: 2},
		{name: "transfer", msg: validTransfer(), signer: buyerKey, nonce: 9},
		{name: "reverse_payment", msg: validReversePayment(), signer: operatorKey, nonce: 10},
		{name: "register_operator_account", msg: validRegisterOperatorAccount(), signer: issuerKey, nonce: 11},
		{name: "redeem", msg: validRedeem(), signer: holderKey, nonce: 12},
		{name: "payout_initiated", msg: validPayoutInitiated(), signer: operatorKey, nonce: 13},
		{name: "confirm_payout", msg: validConfirmPayout(), signer: operatorKey, nonce: 14},
		{name: "reject_redemption", msg: validRejectRedemption(), signer: operatorKey, nonce: 15},
		{name: "return_payout", msg: validReturnPayout(), signer: operatorKey, nonce: 16},
		{name: "restore_redemption", msg: RestoreRedemption{RedemptionID: testRedemptionID()}, signer: issuerKey, nonce: 17},
		{name: "record_refund", msg: validRecordRefund(), signer: operatorKey, nonce: 18},
		{name: "accept_partial", msg: AcceptPartial{OrderID: testOrderID()}, signer: buyerKey, nonce: 19},
		{name: "cancel_order", msg: CancelOrder{OrderID: testOrderID()}, signer: buyerKey, nonce: 20},
		{name: "hold_order", msg: validHoldOrder(), signer: issuerKey, nonce: 21},
		{name: "release_order", msg: ReleaseOrder{OrderID: testOrderID()}, signer: issuerKey, nonce: 22},
		{name: "hand_over", msg: *NewHandOver(RoleOperator, pubOf(holderKey)), signer: operatorKey, nonce: 31},
		{name: "take_over", msg: TakeOver{From: addrOf(operatorKey)}, signer: holderKey, nonce: 32},
		{name: "set_validator", msg: SetValidator{PublicKey: pubOf(holderKey), Power: 10}, signer: issuerKey, nonce: 34},
		{name: "propose", msg: validPropose(), signer: issuerKey, nonce: 23},
		{name: "approve", msg: Approve{ProposalID: testProposalID()}, signer: issuer2Key, nonce: 24},
		{name: "pause", msg: validPause(), signer: issuerKey, nonce: 25},
		{name: "unpause", msg: Unpause{Operation: OperationTransfer}, signer: issuerKey, nonce: 26},
		{name: "freeze", msg: validFreeze(), signer: issuerKey, nonce: 27},
		{name: "unfreeze", msg: Unfreeze{Address: addrOf(holderKey)}, signer: issuerKey, nonce: 28},
		{name: "update_operator", msg: validUpdateOperator(), signer: issuerKey, nonce: 29},
		{name: "revoke_operator", msg: validRevokeOperator(), signer: issuerKey, nonce: 30},
		{name: "add_issuer", msg: validAddIssuer(), signer: issuerKey, nonce: 31},
		{name: "remove_issuer", msg: RemoveIssuer{Address: addrOf(issuer2Key)}, signer: issuerKey, nonce: 32},
		{name: "set_issuer_threshold", msg: SetIssuerThreshold{Threshold: 2}, signer: issuerKey, nonce: 33},
		{name: "add_auditor", msg: validAddAuditor(), signer: issuerKey, nonce: 35},
		{name: "remove_auditor", msg: RemoveAuditor{Address: addrOf(auditorKey)}, signer: issuerKey, nonce: 36},
		{name: "attest_reserves", msg: validAttestReserves(), signer: auditorKey, nonce: 37},
		{name: "cover_shortfall", msg: validCoverShortfall(), signer: operatorKey, nonce: 38},
	}
}

func (s sample) sign() []byte {
	return mustSign(testChainID, s.msg, s.signer, s.nonce, testValidUntil)
}

// mustSign is Sign with a key in memory, which cannot fail: it panics if it does.
func mustSign(chainID string, msg Msg, key ed25519.PrivateKey, nonce, validUntil uint64) []byte {
	b, err := Sign(chainID, msg, key, nonce, validUntil)
	if err != nil {
		panic(err)
	}
	return b
}

// mustSignReceipt is SignReceipt with a key in memory, which cannot fail: it panics if
// it does.
func mustSignReceipt(chainID string, r Receipt, key ed25519.PrivateKey) []byte {
	sig, err := SignReceipt(chainID, r, key)
	if err != nil {
		panic(err)
	}
	return sig
}

// mustParse parses b and fails the test on any error.
func mustParse(t *testing.T, b []byte) *Signed {
	t.Helper()
	s, err := Parse(b)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}
