package abciapp

import (
	"bytes"
	"context"
	"encoding/hex"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

var update = flag.Bool("update", false, "rewrite golden files")

// scenario generates blocks of valid and invalid transactions from a seed, for two
// operators, acme (registered by RegisterOperator, an IBAN account in EUR) and bobco
// (registered by RegisterOperatorAccount, an account without an IBAN in CNY): buys,
// confirmations (some reusing bank references), receipts, issues (some of the wrong
// quantity), transfers (some too large), reversals of payments (some of references that
// confirmed nothing, some twice), payments of more or less than ordered, the buyer's
// acceptance of a partial payment or cancellation, holds and releases, refunds,
// redemptions and every step of their payouts; a second issuer, pauses and freezes,
// controlled actions sent directly or proposed and approved, and the threshold raised
// to both issuers and lowered again; changes of the validator set and hand-overs of the
// second issuer's key; attestations of the reserves (some of a report attested before,
// some of a height not yet committed, some by an issuer) and a second auditor added and
// removed; covers of the operators' shortfalls with their own money (some above the
// shortfall or with none, some by a credit that confirmed an order or covered before,
// some in another currency or by an issuer) after the reversal of an issued order's
// payment; and garbage. The same seed gives the same
// blocks.
type scenario struct {
	rng *rand.Rand
	// gov draws the issuers' controls, keys the validators and hand-overs, audit the
	// attestations of the reserves and cover the covers of the shortfalls, apart from
	// rng, which draws the rest as it always has.
	gov, keys, audit, cover *rand.Rand
	nonce                   uint64
	orders                  []scenarioOrder
	// shortOrder is the order shortfallStep has issued and reversed.
	shortOrder  string
	redemptions []scenarioRedemption
	proposals   []string
}

type scenarioRedemption struct {
	id string
	op scenarioOperator
}

type scenarioOrder struct {
	id     string
	buyer  actor
	amount uint64
	op     scenarioOperator
}

// scenarioOperator is an operator of the scenario, with its key and currency.
type scenarioOperator struct {
	id       string
	key      actor
	currency string
}

var scenarioOperators = []scenarioOperator{{"acme", operatorA, "EUR"}, {"bobco", operatorB, "CNY"}}

func newScenario(seed uint64) *scenario {
	return &scenario{
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		gov:   rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d)),
		keys:  rand.New(rand.NewPCG(seed, seed^0x61c8864680b583eb)),
		audit: rand.New(rand.NewPCG(seed, seed^0x165667b19e3779f9)),
		cover: rand.New(rand.NewPCG(seed, seed^0x27d4eb2f165667c5)),
	}
}

func (s *scenario) sign(a actor, msg txn.Msg, height int64) []byte {
	s.nonce++
	return mustSign(testChainID, msg, a.priv, s.nonce, uint64(height+5))
}

// block returns the transactions of the block at height.
func (s *scenario) block(height int64) [][]byte {
	if height == 1 {
		return [][]byte{
			s.sign(issuerA, registerMsg(operatorA, "acme"), height),
			s.sign(issuerA, registerAccountMsg(operatorB, "bobco"), height),
			s.sign(issuerA, &txn.AddIssuer{ID: "issuer-b", Address: issuerB.addr, PublicKey: issuerB.pub}, height),
		}
	}
	n := s.rng.IntN(6)
	txs := make([][]byte, 0, n+1)
	if height == scenarioBlocks/2 {
		// From the middle on, a controlled action needs both issuers, unless a proposal
		// lowered the threshold again.
		txs = append(txs, s.sign(issuerA, &txn.SetIssuerThreshold{Threshold: 2}, height))
	}
	for range n {
		txs = append(txs, s.tx(height))
	}
	if s.gov.IntN(2) == 0 {
		txs = append(txs, s.governanceStep(height))
	}
	if s.keys.IntN(3) == 0 {
		txs = append(txs, s.keyStep(height))
	}
	if s.audit.IntN(3) == 0 {
		txs = append(txs, s.auditStep(height))
	}
	if tx := s.shortfallStep(height); tx != nil {
		txs = append(txs, tx)
	}
	if s.cover.IntN(3) == 0 {
		txs = append(txs, s.coverStep(height))
	}
	return txs
}

// coverBuyer buys the order whose payment the bank reverses after its issue, in the
// blocks of shortfallStep.
var coverBuyer = nthOperator(3100)

// shortfallStep leaves acme a shortfall of 50 chips, one transaction a block: an order
// of 50.00 EUR is bought, confirmed by the credit SHORT-1, issued, and the credit
// reversed. The covers of coverStep, random, would seldom find one otherwise.
func (s *scenario) shortfallStep(height int64) []byte {
	switch height {
	case 10:
		tx := s.sign(coverBuyer, &txn.BuyRequest{Operator: "acme", BuyerID: coverBuyer.name, AmountMinor: 5_000, Currency: "EUR"}, height)
		s.shortOrder = txn.OrderID(coverBuyer.addr, s.nonce)
		return tx
	case 11:
		return s.sign(operatorA, confirmMsg(s.shortOrder, coverBuyer, 5_000, "SHORT-1"), height)
	case 12:
		return s.sign(issuerA, &txn.Issue{OrderID: s.shortOrder, Chips: 50_000_000}, height)
	case 13:
		return s.sign(operatorA, &txn.ReversePayment{BankReference: "SHORT-1", Reason: "MD06"}, height)
	}
	return nil
}

// coverStep is an operator covering some of its shortfall with its own money, whether
// it has one or not: mostly by a credit of its own, sometimes by one that confirmed an
// order or was refunded, or in another currency, or signed by an issuer.
func (s *scenario) coverStep(height int64) []byte {
	op := scenarioOperators[s.cover.IntN(len(scenarioOperators))]
	ref := []string{"OWN-", "OWN-", "OWN-", "REF-"}[s.cover.IntN(4)] + string(rune('A'+s.cover.IntN(20)))
	m := &txn.CoverShortfall{BankReference: ref, AmountMinor: uint64(1 + s.cover.IntN(3_000)), Currency: op.currency}
	if s.cover.IntN(10) == 0 {
		m.Currency = "USD"
	}
	signer := op.key
	if s.cover.IntN(10) == 0 {
		signer = issuerA
	}
	return s.sign(signer, m, height)
}

// auditStep is an attestation of both operators' reserves by one of the auditors or by
// an issuer, of one of a few reports, read at the last height or at this one; or an
// issuer adding or removing the second auditor, directly or as a proposal.
func (s *scenario) auditStep(height int64) []byte {
	switch s.audit.IntN(6) {
	case 0:
		return s.sign(issuerA, txn.NewAddAuditor("auditor-b", auditorB.pub), height)
	case 1:
		action := &txn.RemoveAuditor{Address: auditorB.addr}
		if s.audit.IntN(2) == 0 {
			return s.sign(issuerA, action, height)
		}
		tx := s.sign(issuerA, txn.NewPropose(action), height)
		s.proposals = append(s.proposals, txn.ProposalID(issuerA.addr, s.nonce))
		return tx
	}
	m := &txn.AttestReserves{
		ReportDigest: digest(byte(s.audit.IntN(12))), ReportHeight: height - int64(s.audit.IntN(4)), StatementEnd: "2026-03-31T22:00:00Z",
	}
	for _, op := range scenarioOperators {
		o := txn.OperatorReserves{
			Operator: op.id, Currency: op.currency, BalanceMinor: s.audit.Int64N(2_000_000) - 100_000,
			LiabilitiesMinor: s.audit.Uint64N(1_000_000), OutstandingChips: s.audit.Uint64N(10_000_000_000), Unexplained: s.audit.Uint64N(2),
		}
		o.Backed = o.Covered()
		m.Operators = append(m.Operators, o)
	}
	return s.sign([]actor{auditorA, auditorA, auditorB, issuerA}[s.audit.IntN(4)], m, height)
}

// keyStep changes the validator set (a key of a small pool, any power, removals that
// CometBFT would refuse among them), or hands the second issuer's role to another key
// and back, in whatever state the chain is.
func (s *scenario) keyStep(height int64) []byte {
	pool := []actor{validatorA, validatorB, nthOperator(3000), nthOperator(3001)}
	switch s.keys.IntN(5) {
	case 0:
		return s.sign(issuerB, txn.NewHandOver(txn.RoleIssuer, issuerC.pub), height)
	case 1:
		return s.sign(issuerC, &txn.TakeOver{From: issuerB.addr}, height)
	case 2:
		return s.sign(issuerC, txn.NewHandOver(txn.RoleIssuer, issuerB.pub), height)
	case 3:
		return s.sign(issuerB, &txn.TakeOver{From: issuerC.addr}, height)
	}
	v := pool[s.keys.IntN(len(pool))]
	return s.sign(issuerA, &txn.SetValidator{PublicKey: v.pub, Power: []uint64{0, 1, 5, 10}[s.keys.IntN(4)]}, height)
}

func (s *scenario) tx(height int64) []byte {
	buyers := []actor{alice, bob, stranger}
	switch k := s.rng.IntN(18); {
	case k < 3 || len(s.orders) == 0:
		b := buyers[s.rng.IntN(len(buyers))]
		op := scenarioOperators[s.rng.IntN(len(scenarioOperators))]
		amount := uint64(1 + s.rng.IntN(20_000))
		tx := s.sign(b, &txn.BuyRequest{Operator: op.id, BuyerID: b.name, AmountMinor: amount, Currency: op.currency}, height)
		s.orders = append(s.orders, scenarioOrder{id: txn.OrderID(b.addr, s.nonce), buyer: b, amount: amount, op: op})
		return tx
	case k < 5:
		o := s.orders[s.rng.IntN(len(s.orders))]
		ref := "REF-" + string(rune('A'+s.rng.IntN(20)))
		// Mostly what was ordered; sometimes half of it, sometimes half as much again.
		received := []uint64{o.amount, o.amount, o.amount / 2, o.amount * 3 / 2}[s.rng.IntN(4)]
		m := confirmMsg(o.id, o.buyer, max(received, 1), ref)
		m.Currency = o.op.currency
		return s.sign(o.op.key, m, height)
	case k < 6:
		o := s.orders[s.rng.IntN(len(s.orders))]
		r := receiptMsg(o.id, o.buyer, o.amount, "RCPT-"+string(rune('A'+s.rng.IntN(20))))
		sig := mustSignReceipt(testChainID, r, operatorA.priv)
		return s.sign(o.buyer, &txn.SubmitReceipt{Receipt: r, OperatorSignature: sig}, height)
	case k < 8:
		o := s.orders[s.rng.IntN(len(s.orders))]
		chips := o.amount * 10_000
		if s.rng.IntN(8) == 0 {
			chips++
		}
		return s.sign(issuerA, &txn.Issue{OrderID: o.id, Chips: chips}, height)
	case k < 9:
		from, to := buyers[s.rng.IntN(2)], buyers[1+s.rng.IntN(2)]
		return s.sign(from, &txn.Transfer{To: to.addr, AmountChips: uint64(1 + s.rng.IntN(50_000_000))}, height)
	case k < 10:
		ref := []string{"REF-", "RCPT-"}[s.rng.IntN(2)] + string(rune('A'+s.rng.IntN(20)))
		op := scenarioOperators[s.rng.IntN(len(scenarioOperators))]
		return s.sign(op.key, &txn.ReversePayment{BankReference: ref, Reason: "AC04"}, height)
	case k < 12:
		return s.orderStep(height)
	case k < 16:
		return s.redemptionStep(height, buyers)
	case k < 17:
		op := scenarioOperators[s.rng.IntN(len(scenarioOperators))]
		return s.sign(op.key, &txn.RecordRefund{
			BankReference: "REF-" + string(rune('A'+s.rng.IntN(20))), AmountMinor: uint64(1 + s.rng.IntN(10_000)),
			Currency: op.currency, RefundReference: "RFD-" + string(rune('A'+s.rng.IntN(20))),
		}, height)
	}
	return []byte{0x86, 0x02}
}

// orderStep is a buyer accepting a partial payment or cancelling, or an issuer holding
// or releasing, on some order in whatever state it is.
func (s *scenario) orderStep(height int64) []byte {
	o := s.orders[s.rng.IntN(len(s.orders))]
	switch s.rng.IntN(4) {
	case 0:
		return s.sign(o.buyer, &txn.AcceptPartial{OrderID: o.id}, height)
	case 1:
		return s.sign(o.buyer, &txn.CancelOrder{OrderID: o.id}, height)
	case 2:
		return s.sign(issuerA, &txn.HoldOrder{OrderID: o.id, Reason: "screening"}, height)
	}
	return s.sign(issuerA, &txn.ReleaseOrder{OrderID: o.id}, height)
}

// governanceStep is an issuer pausing transfers or freezing the stranger, approving
// some proposal in whatever state it is, or sending a controlled action (an unpause, an
// unfreeze, a threshold of one issuer, an issue) directly or as a proposal. Only
// transfers are paused and only the stranger frozen: a paused buy, confirmation, issue
// or redemption, or every buyer frozen, would leave the scenario little to do
// (TestPause and TestFreeze cover those).
func (s *scenario) governanceStep(height int64) []byte {
	if len(s.orders) == 0 {
		return s.sign(issuerA, &txn.Unpause{Operation: txn.OperationTransfer}, height)
	}
	issuer := []actor{issuerA, issuerB}[s.gov.IntN(2)]
	switch s.gov.IntN(10) {
	case 0:
		return s.sign(issuer, &txn.Pause{Operation: txn.OperationTransfer, Reason: "incident"}, height)
	case 1:
		return s.sign(issuer, &txn.Freeze{Address: stranger.addr, Reason: "court order"}, height)
	case 2, 3, 4, 5:
		if len(s.proposals) > 0 {
			return s.sign(issuer, &txn.Approve{ProposalID: s.proposals[s.gov.IntN(len(s.proposals))]}, height)
		}
	}
	o := s.orders[s.gov.IntN(len(s.orders))]
	// An unpause is drawn more often than the others.
	unpause := &txn.Unpause{Operation: txn.OperationTransfer}
	actions := []txn.Msg{
		unpause, unpause, &txn.Unfreeze{Address: stranger.addr},
		&txn.SetIssuerThreshold{Threshold: 1}, &txn.Issue{OrderID: o.id, Chips: o.amount * 10_000},
	}
	action := actions[s.gov.IntN(len(actions))]
	if s.gov.IntN(2) == 0 {
		return s.sign(issuer, action, height)
	}
	tx := s.sign(issuer, txn.NewPropose(action), height)
	s.proposals = append(s.proposals, txn.ProposalID(issuer.addr, s.nonce))
	return tx
}

// redemptionStep is a holder redeeming, or a step of some redemption's payout in
// whatever state it is.
func (s *scenario) redemptionStep(height int64, buyers []actor) []byte {
	if len(s.redemptions) == 0 || s.rng.IntN(3) == 0 {
		b := buyers[s.rng.IntN(len(buyers))]
		op := scenarioOperators[s.rng.IntN(len(scenarioOperators))]
		to := txn.AccountOpening{Salt: bytes.Repeat([]byte{byte(height)}, txn.SaltBytes), Account: txn.Account{IBAN: "GB82WEST12345698765432", Holder: b.name, Currency: op.currency}}
		tx := s.sign(b, &txn.Redeem{Operator: op.id, AmountChips: uint64(1 + s.rng.IntN(30_000_000)), Currency: op.currency, Payee: to.Commitment()}, height)
		s.redemptions = append(s.redemptions, scenarioRedemption{id: txn.RedemptionID(b.addr, s.nonce), op: op})
		return tx
	}
	r := s.redemptions[s.rng.IntN(len(s.redemptions))]
	ref := "DEBIT-" + string(rune('A'+s.rng.IntN(20)))
	switch s.rng.IntN(6) {
	case 0:
		return s.sign(r.op.key, &txn.PayoutInitiated{RedemptionID: r.id, PayoutReference: "PAIN-1"}, height)
	case 1, 5:
		return s.sign(r.op.key, &txn.ConfirmPayout{RedemptionID: r.id, BankReference: ref}, height)
	case 2:
		return s.sign(r.op.key, &txn.RejectRedemption{RedemptionID: r.id, Reason: "name mismatch"}, height)
	case 3:
		return s.sign(r.op.key, &txn.ReturnPayout{RedemptionID: r.id, BankReference: ref, Reason: "AC04"}, height)
	}
	return s.sign(issuerA, &txn.RestoreRedemption{RedemptionID: r.id}, height)
}

type blockOutcome struct {
	appHash []byte
	codes   []uint32
}

func outcome(res *abci.ResponseFinalizeBlock) blockOutcome {
	o := blockOutcome{appHash: res.AppHash}
	for _, r := range res.TxResults {
		o.codes = append(o.codes, r.Code)
	}
	return o
}

const scenarioBlocks = 60

// faults are the heights after which a replica restarts, and those at which it dies
// between FinalizeBlock and Commit.
type faults struct {
	restarts, crashes map[int64]bool
}

func at(heights ...int64) map[int64]bool {
	m := make(map[int64]bool, len(heights))
	for _, h := range heights {
		m[h] = true
	}
	return m
}

// randomFaults draws restart and crash heights from a seed.
func randomFaults(seed uint64) faults {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	f := faults{restarts: map[int64]bool{}, crashes: map[int64]bool{}}
	for range 1 + rng.IntN(5) {
		f.restarts[1+rng.Int64N(scenarioBlocks)] = true
		f.crashes[1+rng.Int64N(scenarioBlocks)] = true
	}
	return f
}

func runScenario(t *testing.T, seed uint64, f faults) ([]blockOutcome, *harness) {
	// One issuer may issue any amount: once the threshold is two issuers, the other
	// controlled actions need both.
	g := oneIssuerGenesis()
	g.IssueApprovalChips = 0
	h := startHarness(t, g)
	s := newScenario(seed)
	var out []blockOutcome
	for height := int64(1); height <= scenarioBlocks; height++ {
		txs := s.block(height)
		if f.crashes[height] {
			// FinalizeBlock ran, then the process died before Commit: nothing was written,
			// and CometBFT replays the block after the restart.
			if _, err := h.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Txs: txs, Height: height, Time: blockTime(height)}); err != nil {
				t.Fatal(err)
			}
			h.restart()
		}
		out = append(out, outcome(h.finalize(txs...)))
		if f.restarts[height] {
			h.restart()
		}
	}
	return out, h
}

func TestDeterminism(t *testing.T) {
	const seed = 7
	reference, h := runScenario(t, seed, faults{})
	twin, _ := runScenario(t, seed, faults{})
	restarted, _ := runScenario(t, seed, faults{restarts: at(scenarioBlocks / 2)})
	crashed, _ := runScenario(t, seed, faults{crashes: at(scenarioBlocks / 3)})
	for i := range reference {
		for name, run := range map[string][]blockOutcome{"twin": twin, "restarted": restarted, "crashed before commit": crashed} {
			if !bytes.Equal(run[i].appHash, reference[i].appHash) || !slices.Equal(run[i].codes, reference[i].codes) {
				t.Fatalf("height %d: %s app diverges: hash %X codes %v, reference %X codes %v",
					i+1, name, run[i].appHash, run[i].codes, reference[i].appHash, reference[i].codes)
			}
		}
	}
	requireVariety(t, reference)
	var s txn.Supply
	h.query(query.PathSupply, "", &s)
	if s.TotalChips == 0 || s.BurnedChips == 0 {
		t.Fatalf("the scenario issued or burned no chips (supply %+v): it tests too little", s)
	}
	var vals []txn.Validator
	if h.query(query.PathValidators, "", &vals); len(vals) == 1 && string(vals[0].PublicKey) == string(validatorA.pub) && vals[0].Power == 10 {
		t.Fatal("the scenario never changed the validator set: it tests too little")
	}
	var covered uint64
	for _, o := range scenarioOperators {
		var op txn.Operator
		if h.query(query.PathOperator, o.id, &op); op.IssuedChips == 0 {
			t.Fatalf("the scenario issued no chips through %s: it tests too little", o.id)
		}
		var reserves query.Page[txn.ReservesAttestation]
		if h.query(query.PathReserves+o.id, "", &reserves); len(reserves.Items) == 0 {
			t.Fatalf("the scenario attested no reserves of %s: it tests too little", o.id)
		}
		covered += op.CoveredChips
	}
	if covered == 0 {
		t.Fatal("the scenario covered no shortfall: it tests too little")
	}
	checkGolden(t, "apphash-seed7.golden", hex.EncodeToString(reference[len(reference)-1].appHash))
}

// The simulation: random blocks of valid and invalid transactions from a seed, on a
// replica that never fails and on replicas restarted and killed between FinalizeBlock
// and Commit at heights drawn from the same seed. Every replica must give the same
// results and app hashes at every height. -seeds runs more seeds; -seed replays one.
var (
	seeds = flag.Int("seeds", 3, "number of random seeds for TestSimulation")
	seed  = flag.Uint64("seed", 0, "replay TestSimulation with this one seed")
)

func TestSimulation(t *testing.T) {
	list := make([]uint64, 0, *seeds)
	for i := range *seeds {
		list = append(list, uint64(1000+i))
	}
	if *seed != 0 {
		list = []uint64{*seed}
	}
	for _, sd := range list {
		f := randomFaults(sd)
		ref, _ := runScenario(t, sd, faults{})
		for name, run := range map[string]faults{"restarted": {restarts: f.restarts}, "crashed": {crashes: f.crashes}, "both": f} {
			got, _ := runScenario(t, sd, run)
			for j := range ref {
				if !bytes.Equal(got[j].appHash, ref[j].appHash) || !slices.Equal(got[j].codes, ref[j].codes) {
					t.Fatalf("seed %d: the %s replica diverges at height %d; replay with -run TestSimulation -seed %d", sd, name, j+1, sd)
				}
			}
		}
	}
}

// requireVariety fails if the scenario never produced both successes and rejections.
func requireVariety(t *testing.T, outs []blockOutcome) {
	t.Helper()
	seen := make(map[txn.Code]int)
	for _, o := range outs {
		for _, c := range o.codes {
			seen[txn.Code(c)]++
		}
	}
	for _, c := range []txn.Code{txn.OK, txn.BankReferenceUsed, txn.OrderNotAwaitingPayment, txn.Malformed, txn.NeedsApproval, txn.AlreadyAttested, txn.NoShortfall, txn.CoverExceedsShortfall} {
		if seen[c] == 0 {
			t.Errorf("scenario produced no %s results: %v", c, seen)
		}
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if strings.TrimSpace(string(want)) != got {
		t.Fatalf("app hash after the scripted blocks is %s, golden %s: the state machine changed; "+
			"this is a consensus-breaking change (rewrite with -update only if it is intended)", got, want)
	}
}
