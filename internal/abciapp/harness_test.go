package abciapp

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

const testChainID = "chipmint-test"

// testCheckpointInterval puts a checkpoint every ten blocks, so that multi-block tests
// cross several.
const testCheckpointInterval = 10

// testOrderTTLBlocks lets an order wait twenty blocks for its payment.
const testOrderTTLBlocks = 20

// testRedemptionTTLBlocks gives an operator fifteen blocks to initiate a payout, and
// testOrderRetentionBlocks keeps a closed order thirty blocks.
const (
	testRedemptionTTLBlocks  = 15
	testOrderRetentionBlocks = 30
)

// testOpenOrdersPerBuyer and testOpenOrdersPerOperator bound the orders awaiting
// payment: above what the list tests make, within reach of the tests of the limits.
const (
	testOpenOrdersPerBuyer    = 120
	testOpenOrdersPerOperator = 250
)

type actor struct {
	name string
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	addr crypto.Address
}

func newActor(name string, seed byte) actor {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	return actor{name: name, priv: priv, pub: pub, addr: crypto.AddressOf(pub)}
}

var (
	issuerA   = newActor("issuer", 1)
	operatorA = newActor("acme", 2)
	operatorB = newActor("bobco", 3)
	alice     = newActor("alice", 4)
	bob       = newActor("bob", 5)
	stranger  = newActor("stranger", 6)
	// validatorA is the genesis validator's consensus key; validatorB a node's that joins.
	validatorA = newActor("validator-a", 9)
	validatorB = newActor("validator-b", 10)
	// issuerB and issuerC are the other issuers of the board's genesis (newBoardHarness).
	issuerB = newActor("issuer-b", 7)
	issuerC = newActor("issuer-c", 8)
	// auditorA is the genesis's auditor, which attests the reserves.
	auditorA = newActor("auditor", 11)
)

// testIssueApprovalChips lets one issuer issue up to 50 chips once the threshold is
// above one issuer, and testProposalTTLBlocks lets a proposal wait ten blocks for its
// approvals.
const (
	testIssueApprovalChips = 50_000_000
	testProposalTTLBlocks  = 10
)

// harness drives an App through the ABCI methods as CometBFT would, one block at a time.
type harness struct {
	t       *testing.T
	genesis ledger.Genesis
	dir     string
	db      *store.DB
	app     *App
	height  int64
	nonce   uint64
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return startHarness(t, oneIssuerGenesis())
}

// oneIssuerGenesis is the tests' genesis with issuerA its one issuer.
func oneIssuerGenesis() ledger.Genesis {
	return testGenesis(1, txn.Issuer{ID: "issuer", Address: issuerA.addr, PublicKey: issuerA.pub})
}

// newBoardHarness is newHarness with three issuers, any two of whom approve a controlled
// action.
func newBoardHarness(t *testing.T) *harness {
	t.Helper()
	return startHarness(t, testGenesis(2,
		txn.Issuer{ID: "issuer", Address: issuerA.addr, PublicKey: issuerA.pub},
		txn.Issuer{ID: "issuer-b", Address: issuerB.addr, PublicKey: issuerB.pub},
		txn.Issuer{ID: "issuer-c", Address: issuerC.addr, PublicKey: issuerC.pub},
	))
}

// testGenesis is the tests' genesis with issuers, threshold of whom approve a
// controlled action, and auditorA.
func testGenesis(threshold int64, issuers ...txn.Issuer) ledger.Genesis {
	return ledger.Genesis{
		Issuers:                  issuers,
		Auditors:                 []txn.Auditor{{ID: "auditor", Address: auditorA.addr, PublicKey: auditorA.pub}},
		IssuerThreshold:          threshold,
		CheckpointInterval:       testCheckpointInterval,
		OrderTTLBlocks:           testOrderTTLBlocks,
		RedemptionTTLBlocks:      testRedemptionTTLBlocks,
		OrderRetentionBlocks:     testOrderRetentionBlocks,
		IssueApprovalChips:       testIssueApprovalChips,
		ProposalTTLBlocks:        testProposalTTLBlocks,
		OpenOrdersPerBuyerMax:    testOpenOrdersPerBuyer,
		OpenOrdersPerOperatorMax: testOpenOrdersPerOperator,
	}
}

// startHarness opens an App in a new directory and runs InitChain with genesis.
func startHarness(t *testing.T, genesis ledger.Genesis) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), genesis: genesis}
	h.open()
	t.Cleanup(h.close)
	if _, err := h.initChain(); err != nil {
		t.Fatalf("InitChain: %v", err)
	}
	return h
}

// initChain runs InitChain with the tests' genesis, as CometBFT does at every start
// while the application's last committed height is 0.
func (h *harness) initChain() (*abci.ResponseInitChain, error) {
	h.t.Helper()
	gen, err := json.Marshal(h.genesis)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.app.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: testChainID, AppStateBytes: gen, InitialHeight: 1, Time: blockTime(0),
		Validators: []abci.ValidatorUpdate{abci.Ed25519ValidatorUpdate(validatorA.pub, 10)},
	})
}

func (h *harness) open() {
	db, err := store.Open(h.dir, store.Options{Proven: ledger.Proven})
	if err != nil {
		h.t.Fatal(err)
	}
	h.db = db
	h.app = New(db, testChainID, Options{CheckInvariants: true, SnapshotDir: filepath.Join(h.dir, "..", filepath.Base(h.dir)+"-snapshots")})
}

// restart closes the app and its store and opens them again from disk.
func (h *harness) restart() {
	h.t.Helper()
	h.close()
	h.open()
}

// close closes the app, then its store.
func (h *harness) close() {
	h.t.Helper()
	if err := errors.Join(h.app.Close(), h.db.Close()); err != nil {
		h.t.Fatal(err)
	}
}

func blockTime(height int64) time.Time { return time.Unix(1_700_000_000+height, 0).UTC() }

// mustSign is txn.Sign with a key in memory, which cannot fail: it panics if it does.
func mustSign(chainID string, msg txn.Msg, key ed25519.PrivateKey, nonce, validUntil uint64) []byte {
	b, err := txn.Sign(chainID, msg, key, nonce, validUntil)
	if err != nil {
		panic(err)
	}
	return b
}

// mustSignReceipt is txn.SignReceipt with a key in memory, which cannot fail: it panics
// if it does.
func mustSignReceipt(chainID string, r txn.Receipt, key ed25519.PrivateKey) []byte {
	sig, err := txn.SignReceipt(chainID, r, key)
	if err != nil {
		panic(err)
	}
	return sig
}

// sign signs msg by a with the next nonce, valid for ten blocks.
func (h *harness) sign(a actor, msg txn.Msg) []byte {
	h.nonce++
	return mustSign(testChainID, msg, a.priv, h.nonce, uint64(h.height+10))
}

// block runs one block through PrepareProposal, ProcessProposal, FinalizeBlock and
// Commit, as a single validator would.
func (h *harness) block(txs ...[]byte) []*abci.ExecTxResult {
	h.t.Helper()
	ctx := context.Background()
	next := h.height + 1
	prep, err := h.app.PrepareProposal(ctx, &abci.RequestPrepareProposal{MaxTxBytes: 1 << 20, Txs: txs, Height: next, Time: blockTime(next)})
	if err != nil {
		h.t.Fatalf("PrepareProposal: %v", err)
	}
	if status := h.processProposal(prep.Txs...); status != abci.ResponseProcessProposal_ACCEPT {
		h.t.Fatalf("ProcessProposal: %v", status)
	}
	return h.finalize(prep.Txs...).TxResults
}

func (h *harness) processProposal(txs ...[]byte) abci.ResponseProcessProposal_ProposalStatus {
	h.t.Helper()
	next := h.height + 1
	res, err := h.app.ProcessProposal(context.Background(), &abci.RequestProcessProposal{Txs: txs, Height: next, Time: blockTime(next)})
	if err != nil {
		h.t.Fatalf("ProcessProposal: %v", err)
	}
	return res.Status
}

// finalize runs FinalizeBlock and Commit on txs as decided, skipping the proposal steps.
func (h *harness) finalize(txs ...[]byte) *abci.ResponseFinalizeBlock {
	h.t.Helper()
	ctx := context.Background()
	h.height++
	res, err := h.app.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Txs: txs, Height: h.height, Time: blockTime(h.height)})
	if err != nil {
		h.t.Fatalf("FinalizeBlock: %v", err)
	}
	if _, err := h.app.Commit(ctx, &abci.RequestCommit{}); err != nil {
		h.t.Fatalf("Commit: %v", err)
	}
	// A checkpoint's snapshot is written in the background: the tests read it once
	// it is complete.
	h.app.waitSnapshot()
	// The digest kept from block to block is the digest of the whole state.
	if kept, whole := h.db.Digest(), store.DigestOf(h.db); !kept.Equal(whole) {
		h.t.Fatalf("height %d: the digest kept is %X, the whole state's %X", h.height, kept.Sum(), whole.Sum())
	}
	return res
}

// mustBlock runs a block and fails unless every transaction is OK.
func (h *harness) mustBlock(txs ...[]byte) {
	h.t.Helper()
	for i, r := range h.block(txs...) {
		if r.Code != uint32(txn.OK) {
			h.t.Fatalf("height %d tx %d: %s: %s", h.height, i, txn.Code(r.Code), r.Log)
		}
	}
}

func (h *harness) checkTx(tx []byte) *abci.ResponseCheckTx {
	h.t.Helper()
	res, err := h.app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	if err != nil {
		h.t.Fatalf("CheckTx: %v", err)
	}
	return res
}

func (h *harness) query(path, data string, v any) uint32 {
	h.t.Helper()
	res, err := h.app.Query(context.Background(), &abci.RequestQuery{Path: path, Data: []byte(data)})
	if err != nil {
		h.t.Fatalf("Query %s: %v", path, err)
	}
	if res.Code == query.OK && v != nil {
		if err := json.Unmarshal(res.Value, v); err != nil {
			h.t.Fatalf("Query %s: %v", path, err)
		}
	}
	return res.Code
}

func (h *harness) order(id string) txn.Order {
	h.t.Helper()
	var o txn.Order
	if code := h.query(query.PathOrder, id, &o); code != query.OK {
		h.t.Fatalf("order %s: query code %d", id, code)
	}
	return o
}

func (h *harness) balance(a actor) uint64 {
	var b query.Balance
	h.query(query.PathBalance, a.addr.String(), &b)
	return b.Chips
}

// Messages of the usual flow.

func registerMsg(op actor, id string) *txn.RegisterOperator {
	return &txn.RegisterOperator{
		ID: id, Address: op.addr, PublicKey: op.pub,
		Account:  txn.BankAccount{IBAN: ibanOf(op), BIC: "COBADEFFXXX", Holder: "Acme Payments GmbH", Currency: "EUR"},
		Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000_000,
	}
}

// ibanOf is an operator's own account at the same bank: acme's is the receipts' IBAN,
// another's is numbered after its address, since one account belongs to one operator.
func ibanOf(op actor) string {
	if op.addr == operatorA.addr {
		return "DE89370400440532013000"
	}
	iban, err := fiat.MakeIBAN("DE", fmt.Sprintf("37040044%010d", binary.BigEndian.Uint32(op.addr[:4])))
	if err != nil {
		panic(err)
	}
	return iban.String()
}

// registerAccountMsg registers op with a Chinese account in CNY: no IBAN, an account
// number under BBAN at the bank of CNAPS code 102100099996.
func registerAccountMsg(op actor, id string) *txn.RegisterOperatorAccount {
	return &txn.RegisterOperatorAccount{
		ID: id, Address: op.addr, PublicKey: op.pub,
		Account: txn.Account{
			OtherID: "6222021001000000001", Scheme: "BBAN", ClearingSystem: "CNAPS", ClearingMember: "102100099996",
			Holder: "Bobco Trading Co Ltd", Currency: "CNY",
		},
		Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000_000,
	}
}

// buy signs a buy request in EUR and returns it with the id of the order it creates.
func (h *harness) buy(buyer actor, operator string, amountMinor uint64) ([]byte, string) {
	return h.buyIn(buyer, operator, "EUR", amountMinor)
}

// buyIn signs a buy request in currency and returns it with the id of its order.
func (h *harness) buyIn(buyer actor, operator, currency string, amountMinor uint64) ([]byte, string) {
	tx := h.sign(buyer, &txn.BuyRequest{Operator: operator, BuyerID: buyer.name, AmountMinor: amountMinor, Currency: currency})
	return tx, txn.OrderID(buyer.addr, h.nonce)
}

func confirmMsg(orderID string, buyer actor, amountMinor uint64, bankRef string) *txn.ConfirmPayment {
	return &txn.ConfirmPayment{
		OrderID: orderID, Buyer: txn.PartyOf(buyer.name, buyer.pub),
		AmountMinor: amountMinor, Currency: "EUR", BankReference: bankRef,
	}
}

// testPayer is the opening of the payer commitment of the tests' receipts.
var testPayer = txn.AccountOpening{Salt: bytes.Repeat([]byte{7}, txn.SaltBytes), Account: txn.Account{IBAN: "GB82WEST12345698765432"}}

func receiptMsg(orderID string, buyer actor, amountMinor uint64, bankRef string) txn.Receipt {
	return txn.Receipt{
		OrderID: orderID, OperatorID: "acme", OperatorAddress: operatorA.addr, OperatorIBAN: "DE89370400440532013000",
		PayerCommitment: testPayer.Commitment(), Buyer: txn.PartyOf(buyer.name, buyer.pub),
		AmountMinor: amountMinor, Currency: "EUR", Chips: amountMinor * 10_000, BankReference: bankRef,
	}
}

func (h *harness) submitReceipt(buyer, signer actor, r txn.Receipt) []byte {
	sig := mustSignReceipt(testChainID, r, signer.priv)
	return h.sign(buyer, &txn.SubmitReceipt{Receipt: r, OperatorSignature: sig})
}

// setupOperator registers operator acme.
func (h *harness) setupOperator() {
	h.mustBlock(h.sign(issuerA, registerMsg(operatorA, "acme")))
}

// paidOrder creates an order of alice's for 100.00 EUR and confirms it.
func (h *harness) paidOrder(bankRef string) string {
	tx, id := h.buy(alice, "acme", 10_000)
	h.mustBlock(tx)
	h.mustBlock(h.sign(operatorA, confirmMsg(id, alice, 10_000, bankRef)))
	return id
}

// stateWithoutNonces is every committed key and value except the spent nonces.
func stateWithoutNonces(db *store.DB) map[string]string {
	out := make(map[string]string)
	db.Scan(nil, func(k, v []byte) bool {
		if !bytes.HasPrefix(k, []byte("nonce/")) && !bytes.HasPrefix(k, []byte("exp/")) && k[0] != 0 {
			out[string(k)] = string(v)
		}
		return true
	})
	return out
}

// stripSignature re-encodes a transaction with an empty signature.
func stripSignature(t *testing.T, raw []byte) []byte {
	t.Helper()
	var tx txn.Tx
	if err := txn.DecodeRecord(raw, &tx); err != nil {
		t.Fatal(err)
	}
	tx.Signature = nil
	return txn.EncodeRecord(tx)
}
