package gateway

import (
	"crypto/ed25519"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/txn"
)

// cnyOperatorAccount is a Chinese account in CNY: no IBAN, an account number under BBAN
// at the bank of CNAPS code 102100099996.
var cnyOperatorAccount = txn.Account{
	OtherID: "6222021001000000001", Scheme: "BBAN", ClearingSystem: "CNAPS", ClearingMember: "102100099996",
	Holder: "Acme Trading Co Ltd", Currency: "CNY",
}

// An operator registered with a CNY account identified by Othr/Id and CNAPS: a buyer
// pays it at the sandbox bank, account to account without IBANs, and the gateway
// confirms the payment from the bank's camt.054, so that the order is paid.
func TestAccountWithoutIBANPaidThroughTheBank(t *testing.T) {
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	opKey := nodetest.Key(103)
	reg := txn.NewRegisterOperatorAccount("cnyco", opKey.Public().(ed25519.PublicKey), cnyOperatorAccount,
		txn.Rate{Chips: 1_000_000, Minor: 100}, 1_000_000_000_000)
	if _, err := ch.Client.Submit(ctx, reg, ch.Issuer); err != nil {
		t.Fatalf("register: %v", err)
	}
	op, err := ch.Client.Operator(ctx, "cnyco")
	if err != nil {
		t.Fatal(err)
	}

	b, err := bank.Open(t.TempDir(), bank.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b.Handler())
	t.Cleanup(func() { srv.Close(); b.Close() })
	bc := bank.NewClient(srv.URL)
	opAcct, err := bc.OpenAccount(ctx, bank.OpenAccountRequest{
		Holder: "Acme Trading Co Ltd", Currency: "CNY", OtherID: "6222 0210 0100 0000 001", Scheme: "BBAN",
		ClearingSystem: "CNAPS", ClearingMember: "102100099996",
	})
	if err != nil {
		t.Fatal(err)
	}
	if opAcct.ID != op.PaymentAccount().Identification() {
		t.Fatalf("the bank names the account %q, the chain %q", opAcct.ID, op.PaymentAccount().Identification())
	}
	buyerAcct, err := bc.OpenAccount(ctx, bank.OpenAccountRequest{
		Holder: "Li Lei", Currency: "CNY", OpeningBalanceMinor: 1_000_000, OtherID: "6222021001000000002", Scheme: "BBAN",
	})
	if err != nil {
		t.Fatal(err)
	}

	buyer := nodetest.Key(1)
	nonce, err := client.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	buy := &txn.BuyRequest{Operator: "cnyco", BuyerID: "li-lei", AmountMinor: 68_800, Currency: "CNY"}
	if _, err := ch.Client.SubmitWithNonce(ctx, buy, buyer, nonce); err != nil {
		t.Fatalf("buy: %v", err)
	}
	order, err := ch.Client.Order(ctx, txn.OrderID(crypto.AddressOf(buyer.Public().(ed25519.PublicKey)), nonce))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := bc.Pay(ctx, bank.TransferRequest{From: buyerAcct.ID, To: opAcct.ID, AmountMinor: 68_800, Currency: "CNY", Reference: order.PaymentReference})
	if err != nil {
		t.Fatal(err)
	}

	j, err := OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	gw, err := New(Config{Client: ch.Client, Key: opKey, Operator: op, Journal: j, Mode: ModeNotice})
	if err != nil {
		t.Fatal(err)
	}
	if more, err := gw.feedOnce(ctx, bc, "bank:"+opAcct.ID, t.TempDir()); err != nil || !more {
		t.Fatalf("feed: more %v err %v", more, err)
	}
	got, err := ch.Client.Order(ctx, order.ID)
	if err != nil || got.Status != txn.StatusPaid || got.ReceivedMinor != 68_800 || got.Currency != "CNY" || got.BankReference != tr.UETR {
		t.Fatalf("order after the bank credit: %+v, %v (transfer %+v)", got, err, tr)
	}
	rec, ok, err := j.Get(tr.UETR)
	if err != nil || !ok || rec.Status != StatusConfirmed || rec.Entry.DebtorAccount().String() != buyerAcct.ID {
		t.Fatalf("journal: %+v %v %v", rec, ok, err)
	}
}

// The gateway compares accounts in canonical form: an entry of the operator's account
// spelled otherwise in the bank file is the operator's; another account's entry is
// ignored with a reason that names it.
func TestEntryAccountComparedInCanonicalForm(t *testing.T) {
	ch := nodetest.Start(t)
	acct := cnyOperatorAccount
	op := ch.OperatorInfo
	op.Account, op.ReceivingAccount = txn.BankAccount{}, &acct
	j, err := OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	gw, err := New(Config{Client: ch.Client, Key: ch.Operator, Operator: op, Journal: j, Mode: ModeNotice})
	if err != nil {
		t.Fatal(err)
	}
	entry := func(ref string) camt.Entry {
		return camt.Entry{AmountMinor: 100, Currency: "CNY", CreditDebit: camt.Credit, Status: camt.Booked, BookingDate: "2026-03-04", AcctSvcrRef: ref}
	}
	for _, tt := range []struct {
		account camt.Account
		ref     string
		ours    bool
	}{
		{camt.Account{Other: "6222 0210 0100 0000 001", Scheme: "bban"}, "REF-1", true},
		{camt.Account{Other: "6222021001000000009", Scheme: "BBAN"}, "REF-2", false},
		{camt.Account{IBAN: nodetest.OperatorIBAN}, "REF-3", false},
	} {
		doc, err := camt.WriteNotification("M-"+tt.ref, "2026-03-04T10:00:00Z",
			camt.Notification{ID: "N-" + tt.ref, Account: tt.account, Currency: "CNY", Entries: []camt.Entry{entry(tt.ref)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gw.Process(nodetest.Context(t), doc, "test"); err != nil {
			t.Fatal(err)
		}
		rec, _, err := j.Get(tt.ref)
		if err != nil {
			t.Fatal(err)
		}
		foreign := rec.Status == StatusIgnored && strings.HasPrefix(rec.Reason, "entry of account "+tt.account.String()+", not the operator's")
		if foreign == tt.ours {
			t.Errorf("entry of %s: %s %q, ours %v", tt.account, rec.Status, rec.Reason, tt.ours)
		}
	}
}

func TestReceiptModeNeedsAnIBAN(t *testing.T) {
	ch := nodetest.Start(t)
	acct := cnyOperatorAccount
	op := ch.OperatorInfo
	op.Account, op.ReceivingAccount = txn.BankAccount{}, &acct
	j, err := OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	_, err = New(Config{Client: ch.Client, Key: ch.Operator, Operator: op, Journal: j, Mode: ModeReceipt, ReceiptDir: t.TempDir()})
	if !errors.Is(err, ErrReceiptNeedsIBAN) {
		t.Fatalf("New in receipt mode for an account without an IBAN: %v", err)
	}
}

// The chain's canonical account string and the camt reader's agree on examples.
func TestAccountStringsAgree(t *testing.T) {
	for _, tt := range []struct {
		chain txn.Account
		file  camt.Account
	}{
		{txn.Account{IBAN: nodetest.OperatorIBAN}, camt.Account{IBAN: "de89 3704 0044 0532 0130 00"}},
		{cnyOperatorAccount, camt.Account{Other: " 6222 0210 0100 0000 001", Scheme: "BBAN"}},
		{txn.Account{OtherID: "AB12", Scheme: "BBAN", Issuer: "ICBC"}, camt.Account{Other: "ab12", Scheme: "bban", Issuer: "ICBC"}},
		{txn.Account{OtherID: "ab12", Scheme: "Wallet id"}, camt.Account{Other: "ab 12", Scheme: "Wallet id"}},
	} {
		if c, f := tt.chain.Identification(), tt.file.String(); c != f {
			t.Errorf("the chain names the account %q, the bank file %q", c, f)
		}
	}
}
