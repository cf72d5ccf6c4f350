package txn

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
)

// Mutators of the valid sample messages: each row of the validation tables changes one
// field of a message that is otherwise valid, so the row's code comes from that field.

func regOp(f func(m *RegisterOperator)) Msg {
	m := validRegisterOperator()
	f(&m)
	return m
}

func regAcct(f func(a *Account)) Msg {
	m := validRegisterOperatorAccount()
	f(&m.Account)
	return m
}

func buyReq(f func(m *BuyRequest)) Msg {
	m := validBuyRequest()
	f(&m)
	return m
}

func confirm(f func(m *ConfirmPayment)) Msg {
	m := validConfirmPayment()
	f(&m)
	return m
}

func receipt(f func(m *SubmitReceipt)) Msg {
	m := validSubmitReceipt()
	f(&m)
	return m
}

func issue(f func(m *Issue)) Msg {
	m := validIssue()
	f(&m)
	return m
}

func transfer(f func(m *Transfer)) Msg {
	m := validTransfer()
	f(&m)
	return m
}

const (
	ibanBadChecksum = "DE88370400440532013000"
	ibanPrintForm   = "DE89 3704 0044 0532 0130 00"
	ibanLowerCase   = "de89370400440532013000"
)

type validationCase struct {
	name string
	msg  Msg
	want Code
}

// checkValidation runs each case through Validate and through Sign and Parse, which must
// agree: Parse is where the ledger meets Validate.
func checkValidation(t *testing.T, tests []validationCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.msg.Validate()
			if code := CodeOf(err); code != tt.want {
				t.Fatalf("Validate code = %v (%v), want %v", code, err, tt.want)
			}
			if tt.want != OK && ReasonOf(err) == "" {
				t.Fatalf("Validate error %v has no reason", err)
			}
			s, err := Parse(mustSign(testChainID, tt.msg, issuerKey, 1, testValidUntil))
			if code := CodeOf(err); code != tt.want {
				t.Fatalf("Parse code = %v (%v), want %v", code, err, tt.want)
			}
			if tt.want == OK && s.Msg.Type() != tt.msg.Type() {
				t.Fatalf("Parse Msg type = %v, want %v", s.Msg.Type(), tt.msg.Type())
			}
		})
	}
}

func TestValidateRegisterOperator(t *testing.T) {
	checkValidation(t, []validationCase{
		{name: "valid", msg: validRegisterOperator(), want: OK},
		{name: "id of 32 characters", msg: regOp(func(m *RegisterOperator) { m.ID = strings.Repeat("a", 32) }), want: OK},
		{name: "id with digits and dash", msg: regOp(func(m *RegisterOperator) { m.ID = "bank-2" }), want: OK},
		{name: "id of one letter", msg: regOp(func(m *RegisterOperator) { m.ID = "b" }), want: OK},
		{name: "id empty", msg: regOp(func(m *RegisterOperator) { m.ID = "" }), want: InvalidField},
		{name: "id of 33 characters", msg: regOp(func(m *RegisterOperator) { m.ID = strings.Repeat("a", 33) }), want: InvalidField},
		{name: "id upper case", msg: regOp(func(m *RegisterOperator) { m.ID = "Acme-bank" }), want: InvalidField},
		{name: "id starting with digit", msg: regOp(func(m *RegisterOperator) { m.ID = "1bank" }), want: InvalidField},
		{name: "id starting with dash", msg: regOp(func(m *RegisterOperator) { m.ID = "-bank" }), want: InvalidField},
		{name: "id with underscore", msg: regOp(func(m *RegisterOperator) { m.ID = "acme_bank" }), want: InvalidField},
		{name: "id with space", msg: regOp(func(m *RegisterOperator) { m.ID = "acme bank" }), want: InvalidField},
		{name: "id non-ASCII", msg: regOp(func(m *RegisterOperator) { m.ID = "bänk" }), want: InvalidField},
		{name: "address of another key", msg: regOp(func(m *RegisterOperator) { m.Address = addrOf(buyerKey) }), want: InvalidField},
		{name: "address zero", msg: regOp(func(m *RegisterOperator) { m.Address = [20]byte{} }), want: InvalidField},
		{name: "public key of 31 bytes", msg: regOp(func(m *RegisterOperator) { m.PublicKey = m.PublicKey[:31] }), want: InvalidField},
		{name: "public key of 33 bytes", msg: regOp(func(m *RegisterOperator) { m.PublicKey = append(m.PublicKey, 0) }), want: InvalidField},
		{name: "public key missing", msg: regOp(func(m *RegisterOperator) { m.PublicKey = nil }), want: InvalidField},
		{name: "iban bad checksum", msg: regOp(func(m *RegisterOperator) { m.Account.IBAN = ibanBadChecksum }), want: InvalidField},
		{name: "iban print form", msg: regOp(func(m *RegisterOperator) { m.Account.IBAN = ibanPrintForm }), want: InvalidField},
		{name: "iban lower case", msg: regOp(func(m *RegisterOperator) { m.Account.IBAN = ibanLowerCase }), want: InvalidField},
		{name: "iban empty", msg: regOp(func(m *RegisterOperator) { m.Account.IBAN = "" }), want: InvalidField},
		{name: "iban other valid", msg: regOp(func(m *RegisterOperator) { m.Account.IBAN = testPayerIBAN }), want: OK},
		{name: "bic of 8 characters", msg: regOp(func(m *RegisterOperator) { m.Account.BIC = "COBADEFF" }), want: OK},
		{name: "bic lower case", msg: regOp(func(m *RegisterOperator) { m.Account.BIC = "cobadeffxxx" }), want: InvalidField},
		{name: "bic mixed case", msg: regOp(func(m *RegisterOperator) { m.Account.BIC = "COBADEFFxxx" }), want: InvalidField},
		{name: "bic of 9 characters", msg: regOp(func(m *RegisterOperator) { m.Account.BIC = "COBADEFFX" }), want: InvalidField},
		{name: "bic empty", msg: regOp(func(m *RegisterOperator) { m.Account.BIC = "" }), want: InvalidField},
		{name: "holder of 140 characters", msg: regOp(func(m *RegisterOperator) { m.Account.Holder = strings.Repeat("h", 140) }), want: OK},
		{name: "holder of 141 characters", msg: regOp(func(m *RegisterOperator) { m.Account.Holder = strings.Repeat("h", 141) }), want: InvalidField},
		{name: "holder empty", msg: regOp(func(m *RegisterOperator) { m.Account.Holder = "" }), want: InvalidField},
		{name: "holder trailing space", msg: regOp(func(m *RegisterOperator) { m.Account.Holder = "Acme Bank AG " }), want: InvalidField},
		{name: "holder leading space", msg: regOp(func(m *RegisterOperator) { m.Account.Holder = " Acme Bank AG" }), want: InvalidField},
		{name: "holder only a space", msg: regOp(func(m *RegisterOperator) { m.Account.Holder = " " }), want: InvalidField},
		{name: "holder non-ASCII", msg: regOp(func(m *RegisterOperator) { m.Account.Holder = "Müller Bank" }), want: InvalidField},
		{name: "holder with tab", msg: regOp(func(m *RegisterOperator) { m.Account.Holder = "Acme\tBank" }), want: InvalidField},
		{name: "holder with DEL", msg: regOp(func(m *RegisterOperator) { m.Account.Holder = "Acme\x7fBank" }), want: InvalidField},
		{name: "holder with tilde", msg: regOp(func(m *RegisterOperator) { m.Account.Holder = "Acme~Bank" }), want: OK},
		{name: "currency lower case", msg: regOp(func(m *RegisterOperator) { m.Account.Currency = "eur" }), want: InvalidField},
		{name: "currency unknown", msg: regOp(func(m *RegisterOperator) { m.Account.Currency = "QQQ" }), want: InvalidField},
		{name: "currency not tender", msg: regOp(func(m *RegisterOperator) { m.Account.Currency = "XTS" }), want: InvalidField},
		{name: "currency empty", msg: regOp(func(m *RegisterOperator) { m.Account.Currency = "" }), want: InvalidField},
		{name: "currency other", msg: regOp(func(m *RegisterOperator) { m.Account.Currency = "CHF" }), want: OK},
		{name: "rate chips zero", msg: regOp(func(m *RegisterOperator) { m.Rate.Chips = 0 }), want: InvalidField},
		{name: "rate minor zero", msg: regOp(func(m *RegisterOperator) { m.Rate.Minor = 0 }), want: InvalidField},
		{name: "rate both zero", msg: regOp(func(m *RegisterOperator) { m.Rate = Rate{} }), want: InvalidField},
		{name: "cap zero", msg: regOp(func(m *RegisterOperator) { m.CapChips = 0 }), want: InvalidField},
	})
}

func TestValidateRegisterOperatorAccount(t *testing.T) {
	iban := func(a *Account) { *a = Account{IBAN: testIBAN, Holder: "Acme Bank AG", Currency: "EUR"} }
	checkValidation(t, []validationCase{
		{name: "valid", msg: validRegisterOperatorAccount(), want: OK},
		{name: "id upper case", msg: func() Msg { m := validRegisterOperatorAccount(); m.ID = "Acme"; return m }(), want: InvalidField},
		{name: "key of another address", msg: func() Msg { m := validRegisterOperatorAccount(); m.Address = addrOf(buyerKey); return m }(), want: InvalidField},
		{name: "rate zero", msg: func() Msg { m := validRegisterOperatorAccount(); m.Rate.Minor = 0; return m }(), want: InvalidField},
		{name: "cap zero", msg: func() Msg { m := validRegisterOperatorAccount(); m.CapChips = 0; return m }(), want: InvalidField},
		{name: "iban without bic", msg: regAcct(iban), want: OK},
		{name: "iban with bic and clearing", msg: regAcct(func(a *Account) {
			iban(a)
			a.BIC, a.ClearingSystem, a.ClearingMember = testBIC, "DEBLZ", "37040044"
		}), want: OK},
		{name: "iban print form", msg: regAcct(func(a *Account) { iban(a); a.IBAN = ibanPrintForm }), want: InvalidField},
		{name: "iban bad checksum", msg: regAcct(func(a *Account) { iban(a); a.IBAN = ibanBadChecksum }), want: InvalidField},
		{name: "no identification", msg: regAcct(func(a *Account) { a.OtherID, a.Scheme = "", "" }), want: InvalidField},
		{name: "empty account", msg: regAcct(func(a *Account) { *a = Account{} }), want: InvalidField},
		{name: "iban and other", msg: regAcct(func(a *Account) { a.IBAN = testIBAN }), want: InvalidField},
		{name: "iban and scheme only", msg: regAcct(func(a *Account) { iban(a); a.Scheme = "BBAN" }), want: InvalidField},
		{name: "iban and issuer only", msg: regAcct(func(a *Account) { iban(a); a.Issuer = "ICBC" }), want: InvalidField},
		{name: "other without scheme", msg: regAcct(func(a *Account) { a.Scheme = "" }), want: InvalidField},
		{name: "scheme only", msg: regAcct(func(a *Account) { a.OtherID = "" }), want: InvalidField},
		{name: "unknown scheme code", msg: regAcct(func(a *Account) { a.Scheme = "CNAP" }), want: InvalidField},
		{name: "scheme lower case", msg: regAcct(func(a *Account) { a.Scheme = "bban" }), want: InvalidField},
		{name: "proprietary scheme", msg: regAcct(func(a *Account) { a.Scheme = "China UnionPay card" }), want: OK},
		{name: "proprietary scheme of 35", msg: regAcct(func(a *Account) { a.Scheme = strings.Repeat("s", 35) }), want: OK},
		{name: "proprietary scheme of 36", msg: regAcct(func(a *Account) { a.Scheme = strings.Repeat("s", 36) }), want: InvalidField},
		{name: "proprietary scheme trailing space", msg: regAcct(func(a *Account) { a.Scheme = "Card number " }), want: InvalidField},
		{name: "other id with spaces", msg: regAcct(func(a *Account) { a.OtherID = "6222 0210 0100 0000 001" }), want: InvalidField},
		{name: "other id lower case under a code", msg: regAcct(func(a *Account) { a.OtherID = "ab12" }), want: InvalidField},
		{name: "other id lower case under a proprietary scheme", msg: regAcct(func(a *Account) { a.OtherID, a.Scheme = "ab12", "Wallet" }), want: OK},
		{name: "other id of 34", msg: regAcct(func(a *Account) { a.OtherID = strings.Repeat("1", 34) }), want: OK},
		{name: "other id of 35", msg: regAcct(func(a *Account) { a.OtherID = strings.Repeat("1", 35) }), want: InvalidField},
		{name: "other id not ASCII", msg: regAcct(func(a *Account) { a.OtherID = "账户" }), want: InvalidField},
		{name: "issuer", msg: regAcct(func(a *Account) { a.Issuer = "ICBC Shanghai" }), want: OK},
		{name: "issuer of 36", msg: regAcct(func(a *Account) { a.Issuer = strings.Repeat("i", 36) }), want: InvalidField},
		{name: "issuer leading space", msg: regAcct(func(a *Account) { a.Issuer = " ICBC" }), want: InvalidField},
		{name: "no bic", msg: regAcct(func(a *Account) { a.BIC = "" }), want: OK},
		{name: "bic lower case", msg: regAcct(func(a *Account) { a.BIC = "icbkcnbj" }), want: InvalidField},
		{name: "bic of 9", msg: regAcct(func(a *Account) { a.BIC = "ICBKCNBJX" }), want: InvalidField},
		{name: "no clearing", msg: regAcct(func(a *Account) { a.ClearingSystem, a.ClearingMember = "", "" }), want: OK},
		{name: "clearing system without member", msg: regAcct(func(a *Account) { a.ClearingMember = "" }), want: InvalidField},
		{name: "clearing member without system", msg: regAcct(func(a *Account) { a.ClearingSystem = "" }), want: InvalidField},
		{name: "unknown clearing system", msg: regAcct(func(a *Account) { a.ClearingSystem = "CNAPX" }), want: InvalidField},
		{name: "clearing system lower case", msg: regAcct(func(a *Account) { a.ClearingSystem = "cnaps" }), want: InvalidField},
		{name: "clearing member with a hyphen", msg: regAcct(func(a *Account) { a.ClearingMember = "1021-0009-9996" }), want: InvalidField},
		{name: "clearing member of 36", msg: regAcct(func(a *Account) { a.ClearingMember = strings.Repeat("1", 36) }), want: InvalidField},
		{name: "holder of 141", msg: regAcct(func(a *Account) { a.Holder = strings.Repeat("h", 141) }), want: InvalidField},
		{name: "holder empty", msg: regAcct(func(a *Account) { a.Holder = "" }), want: InvalidField},
		{name: "holder not ASCII", msg: regAcct(func(a *Account) { a.Holder = "中国工商银行" }), want: InvalidField},
		{name: "currency lower case", msg: regAcct(func(a *Account) { a.Currency = "cny" }), want: InvalidField},
		{name: "currency not tender", msg: regAcct(func(a *Account) { a.Currency = "XTS" }), want: InvalidField},
		{name: "currency empty", msg: regAcct(func(a *Account) { a.Currency = "" }), want: InvalidField},
	})
}

func TestAccountIdentification(t *testing.T) {
	tests := []struct {
		name           string
		account        Account
		identification string
		people         string
	}{
		{name: "iban", account: Account{IBAN: testIBAN, BIC: testBIC},
			identification: testIBAN, people: "DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX"},
		{name: "other", account: validRegisterOperatorAccount().Account,
			identification: "6222021001000000001 (scheme BBAN)",
			people:         "6222021001000000001 (scheme BBAN), BIC ICBKCNBJ, clearing CNAPS:102100099996"},
		{name: "other with issuer", account: Account{OtherID: "250094239", Scheme: "BBAN", Issuer: "PostFinance"},
			identification: "250094239 (scheme BBAN, issuer PostFinance)", people: "250094239 (scheme BBAN, issuer PostFinance)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.account.Identification(); got != tt.identification {
				t.Errorf("Identification() = %q, want %q", got, tt.identification)
			}
			if got := tt.account.String(); got != tt.people {
				t.Errorf("String() = %q, want %q", got, tt.people)
			}
		})
	}
}

func TestPaymentAccount(t *testing.T) {
	legacy := Operator{Account: validRegisterOperator().Account}
	if got, want := legacy.PaymentAccount(), (Account{IBAN: testIBAN, BIC: testBIC, Holder: "Acme Bank AG", Currency: "EUR"}); got != want {
		t.Fatalf("PaymentAccount() of a type 1 operator = %+v, want %+v", got, want)
	}
	acct := validRegisterOperatorAccount().Account
	other := Operator{ReceivingAccount: &acct}
	if got := other.PaymentAccount(); got != acct {
		t.Fatalf("PaymentAccount() of a type 8 operator = %+v, want %+v", got, acct)
	}
}

func TestNewReceiptNeedsAnIBAN(t *testing.T) {
	acct := validRegisterOperatorAccount().Account
	op := Operator{ID: testOperatorID, ReceivingAccount: &acct, Rate: Rate{Chips: 1, Minor: 1}}
	_, err := NewReceipt(Order{ID: testOrderID(), Currency: "CNY", AmountMinor: 100}, op, 100, "REF", testPayer)
	if CodeOf(err) != ReceiptMismatch || !strings.Contains(ReasonOf(err), "6222021001000000001 (scheme BBAN) has no IBAN") {
		t.Fatalf("NewReceipt for an operator without an IBAN: %v, want %s naming the account", err, ReceiptMismatch)
	}
	acct = Account{IBAN: testIBAN, Holder: "Acme", Currency: "EUR"}
	r, err := NewReceipt(Order{ID: testOrderID(), Currency: "EUR", AmountMinor: 100}, op, 100, "REF", testPayer)
	if err != nil || r.OperatorIBAN != testIBAN {
		t.Fatalf("NewReceipt for a type 8 operator with an IBAN: %+v, %v", r, err)
	}
}

func TestValidateBuyRequest(t *testing.T) {
	checkValidation(t, []validationCase{
		{name: "valid", msg: validBuyRequest(), want: OK},
		{name: "operator empty", msg: buyReq(func(m *BuyRequest) { m.Operator = "" }), want: InvalidField},
		{name: "operator upper case", msg: buyReq(func(m *BuyRequest) { m.Operator = "ACME" }), want: InvalidField},
		{name: "operator starting with digit", msg: buyReq(func(m *BuyRequest) { m.Operator = "9acme" }), want: InvalidField},
		{name: "operator of 33 characters", msg: buyReq(func(m *BuyRequest) { m.Operator = strings.Repeat("b", 33) }), want: InvalidField},
		{name: "buyer id of 64 characters", msg: buyReq(func(m *BuyRequest) { m.BuyerID = strings.Repeat("c", 64) }), want: OK},
		{name: "buyer id of 65 characters", msg: buyReq(func(m *BuyRequest) { m.BuyerID = strings.Repeat("c", 65) }), want: InvalidField},
		{name: "buyer id empty", msg: buyReq(func(m *BuyRequest) { m.BuyerID = "" }), want: InvalidField},
		{name: "buyer id trailing space", msg: buyReq(func(m *BuyRequest) { m.BuyerID = "customer-42 " }), want: InvalidField},
		{name: "buyer id non-ASCII", msg: buyReq(func(m *BuyRequest) { m.BuyerID = "kunde-ä" }), want: InvalidField},
		{name: "buyer id with newline", msg: buyReq(func(m *BuyRequest) { m.BuyerID = "customer\n42" }), want: InvalidField},
		{name: "amount zero", msg: buyReq(func(m *BuyRequest) { m.AmountMinor = 0 }), want: InvalidField},
		{name: "amount max", msg: buyReq(func(m *BuyRequest) { m.AmountMinor = ^uint64(0) }), want: OK},
		{name: "currency lower case", msg: buyReq(func(m *BuyRequest) { m.Currency = "eur" }), want: InvalidField},
		{name: "currency unknown", msg: buyReq(func(m *BuyRequest) { m.Currency = "QQQ" }), want: InvalidField},
		{name: "currency of 4 letters", msg: buyReq(func(m *BuyRequest) { m.Currency = "EURO" }), want: InvalidField},
	})
}

func TestValidateConfirmPayment(t *testing.T) {
	id := testOrderID()
	checkValidation(t, []validationCase{
		{name: "valid", msg: validConfirmPayment(), want: OK},
		{name: "order id of 19 characters", msg: confirm(func(m *ConfirmPayment) { m.OrderID = id[:19] }), want: InvalidField},
		{name: "order id of 21 characters", msg: confirm(func(m *ConfirmPayment) { m.OrderID = id + "0" }), want: InvalidField},
		{name: "order id lower-case hex", msg: confirm(func(m *ConfirmPayment) { m.OrderID = strings.ToLower(id) }), want: InvalidField},
		{name: "order id not hex", msg: confirm(func(m *ConfirmPayment) { m.OrderID = "G" + id[1:] }), want: InvalidField},
		{name: "order id empty", msg: confirm(func(m *ConfirmPayment) { m.OrderID = "" }), want: InvalidField},
		{name: "order id as its payment reference", msg: confirm(func(m *ConfirmPayment) { m.OrderID = PaymentReference(id) }), want: InvalidField},
		{name: "buyer id empty", msg: confirm(func(m *ConfirmPayment) { m.Buyer.ID = "" }), want: InvalidField},
		{name: "buyer id trailing space", msg: confirm(func(m *ConfirmPayment) { m.Buyer.ID = "c " }), want: InvalidField},
		{name: "buyer address of another key", msg: confirm(func(m *ConfirmPayment) { m.Buyer.Address = addrOf(holderKey) }), want: InvalidField},
		{name: "buyer public key of 31 bytes", msg: confirm(func(m *ConfirmPayment) { m.Buyer.PublicKey = m.Buyer.PublicKey[:31] }), want: InvalidField},
		{name: "buyer public key missing", msg: confirm(func(m *ConfirmPayment) { m.Buyer.PublicKey = nil }), want: InvalidField},
		{name: "amount zero", msg: confirm(func(m *ConfirmPayment) { m.AmountMinor = 0 }), want: InvalidField},
		{name: "currency lower case", msg: confirm(func(m *ConfirmPayment) { m.Currency = "eur" }), want: InvalidField},
		{name: "currency unknown", msg: confirm(func(m *ConfirmPayment) { m.Currency = "QQQ" }), want: InvalidField},
		{name: "bank reference empty", msg: confirm(func(m *ConfirmPayment) { m.BankReference = "" }), want: InvalidField},
		{name: "bank reference trailing space", msg: confirm(func(m *ConfirmPayment) { m.BankReference = "REF " }), want: InvalidField},
		{name: "bank reference of 64 characters", msg: confirm(func(m *ConfirmPayment) { m.BankReference = strings.Repeat("R", 64) }), want: OK},
		{name: "bank reference of 65 characters", msg: confirm(func(m *ConfirmPayment) { m.BankReference = strings.Repeat("R", 65) }), want: InvalidField},
	})
}

func TestValidateSubmitReceipt(t *testing.T) {
	checkValidation(t, []validationCase{
		{name: "valid", msg: validSubmitReceipt(), want: OK},
		{name: "order id lower-case hex", msg: receipt(func(m *SubmitReceipt) { m.Receipt.OrderID = strings.ToLower(m.Receipt.OrderID) }), want: InvalidField},
		{name: "order id of 19 characters", msg: receipt(func(m *SubmitReceipt) { m.Receipt.OrderID = m.Receipt.OrderID[:19] }), want: InvalidField},
		{name: "operator id upper case", msg: receipt(func(m *SubmitReceipt) { m.Receipt.OperatorID = "Acme" }), want: InvalidField},
		{name: "operator id empty", msg: receipt(func(m *SubmitReceipt) { m.Receipt.OperatorID = "" }), want: InvalidField},
		{name: "operator iban bad checksum", msg: receipt(func(m *SubmitReceipt) { m.Receipt.OperatorIBAN = ibanBadChecksum }), want: InvalidField},
		{name: "operator iban print form", msg: receipt(func(m *SubmitReceipt) { m.Receipt.OperatorIBAN = ibanPrintForm }), want: InvalidField},
		{name: "payer commitment short", msg: receipt(func(m *SubmitReceipt) { m.Receipt.PayerCommitment = m.Receipt.PayerCommitment[:31] }), want: InvalidField},
		{name: "payer commitment long", msg: receipt(func(m *SubmitReceipt) { m.Receipt.PayerCommitment = append(m.Receipt.PayerCommitment, 0) }), want: InvalidField},
		{name: "payer account in clear", msg: receipt(func(m *SubmitReceipt) { m.Receipt.PayerCommitment = []byte(testPayerIBAN) }), want: InvalidField},
		{name: "payer commitment empty", msg: receipt(func(m *SubmitReceipt) { m.Receipt.PayerCommitment = nil }), want: InvalidField},
		{name: "buyer address of another key", msg: receipt(func(m *SubmitReceipt) { m.Receipt.Buyer.Address = addrOf(operatorKey) }), want: InvalidField},
		{name: "buyer public key of 33 bytes", msg: receipt(func(m *SubmitReceipt) { m.Receipt.Buyer.PublicKey = append(m.Receipt.Buyer.PublicKey, 1) }), want: InvalidField},
		{name: "buyer id non-ASCII", msg: receipt(func(m *SubmitReceipt) { m.Receipt.Buyer.ID = "ü" }), want: InvalidField},
		{name: "amount zero", msg: receipt(func(m *SubmitReceipt) { m.Receipt.AmountMinor = 0 }), want: InvalidField},
		{name: "chips zero", msg: receipt(func(m *SubmitReceipt) { m.Receipt.Chips = 0 }), want: InvalidField},
		{name: "currency lower case", msg: receipt(func(m *SubmitReceipt) { m.Receipt.Currency = "eur" }), want: InvalidField},
		{name: "bank reference empty", msg: receipt(func(m *SubmitReceipt) { m.Receipt.BankReference = "" }), want: InvalidField},
		{name: "bank reference leading space", msg: receipt(func(m *SubmitReceipt) { m.Receipt.BankReference = " REF" }), want: InvalidField},
		{name: "operator signature of 63 bytes", msg: receipt(func(m *SubmitReceipt) { m.OperatorSignature = m.OperatorSignature[:63] }), want: InvalidField},
		{name: "operator signature of 65 bytes", msg: receipt(func(m *SubmitReceipt) { m.OperatorSignature = append(m.OperatorSignature, 0) }), want: InvalidField},
		{name: "operator signature missing", msg: receipt(func(m *SubmitReceipt) { m.OperatorSignature = nil }), want: InvalidField},
		// Whether the operator signature verifies needs the operator's key: the ledger
		// checks it, stateless validation only checks its length.
		{name: "operator signature of zeros", msg: receipt(func(m *SubmitReceipt) { m.OperatorSignature = make([]byte, 64) }), want: OK},
	})
}

func TestValidateIssue(t *testing.T) {
	checkValidation(t, []validationCase{
		{name: "valid", msg: validIssue(), want: OK},
		{name: "chips zero", msg: issue(func(m *Issue) { m.Chips = 0 }), want: InvalidField},
		{name: "order id of 21 characters", msg: issue(func(m *Issue) { m.OrderID += "A" }), want: InvalidField},
		{name: "order id lower-case hex", msg: issue(func(m *Issue) { m.OrderID = strings.ToLower(m.OrderID) }), want: InvalidField},
		{name: "order id empty", msg: issue(func(m *Issue) { m.OrderID = "" }), want: InvalidField},
	})
}

func TestValidateTransfer(t *testing.T) {
	checkValidation(t, []validationCase{
		{name: "valid", msg: validTransfer(), want: OK},
		{name: "to zero address", msg: transfer(func(m *Transfer) { m.To = [20]byte{} }), want: InvalidField},
		{name: "to any non-zero address", msg: transfer(func(m *Transfer) { m.To = [20]byte{19: 1} }), want: OK},
		{name: "amount zero", msg: transfer(func(m *Transfer) { m.AmountChips = 0 }), want: InvalidField},
		{name: "amount max", msg: transfer(func(m *Transfer) { m.AmountChips = ^uint64(0) }), want: OK},
	})
}

func TestValidateReversePayment(t *testing.T) {
	rev := func(f func(*ReversePayment)) ReversePayment {
		m := validReversePayment()
		f(&m)
		return m
	}
	checkValidation(t, []validationCase{
		{name: "valid", msg: validReversePayment(), want: OK},
		{name: "bank reference of 64 characters", msg: rev(func(m *ReversePayment) { m.BankReference = strings.Repeat("R", 64) }), want: OK},
		{name: "bank reference empty", msg: rev(func(m *ReversePayment) { m.BankReference = "" }), want: InvalidField},
		{name: "bank reference of 65 characters", msg: rev(func(m *ReversePayment) { m.BankReference = strings.Repeat("R", 65) }), want: InvalidField},
		{name: "bank reference with a newline", msg: rev(func(m *ReversePayment) { m.BankReference = "REF\n1" }), want: InvalidField},
		{name: "reason of 140 characters", msg: rev(func(m *ReversePayment) { m.Reason = strings.Repeat("x", 140) }), want: OK},
		{name: "reason empty", msg: rev(func(m *ReversePayment) { m.Reason = "" }), want: InvalidField},
		{name: "reason of 141 characters", msg: rev(func(m *ReversePayment) { m.Reason = strings.Repeat("x", 141) }), want: InvalidField},
		{name: "reason not ASCII", msg: rev(func(m *ReversePayment) { m.Reason = "Konto gelöscht" }), want: InvalidField},
	})
}

// mutate returns m changed by f: a row of a validation table.
func mutate[M Msg](m M, f func(*M)) M {
	f(&m)
	return m
}

func TestValidateRedeem(t *testing.T) {
	checkValidation(t, []validationCase{
		{name: "valid", msg: validRedeem(), want: OK},
		{name: "operator empty", msg: mutate(validRedeem(), func(m *Redeem) { m.Operator = "" }), want: InvalidField},
		{name: "operator upper case", msg: mutate(validRedeem(), func(m *Redeem) { m.Operator = "Acme" }), want: InvalidField},
		{name: "amount zero", msg: mutate(validRedeem(), func(m *Redeem) { m.AmountChips = 0 }), want: InvalidField},
		{name: "amount max", msg: mutate(validRedeem(), func(m *Redeem) { m.AmountChips = ^uint64(0) }), want: OK},
		{name: "an unknown currency", msg: mutate(validRedeem(), func(m *Redeem) { m.Currency = "XYZ" }), want: InvalidField},
		{name: "no payee", msg: mutate(validRedeem(), func(m *Redeem) { m.Payee = nil }), want: InvalidField},
		{name: "a payee's account in clear", msg: mutate(validRedeem(), func(m *Redeem) { m.Payee = []byte(testPayerIBAN) }), want: InvalidField},
		{name: "a short payee commitment", msg: mutate(validRedeem(), func(m *Redeem) { m.Payee = m.Payee[:31] }), want: InvalidField},
	})
	err := mutate(validRedeem(), func(m *Redeem) { m.Payee = nil }).Validate()
	if !strings.Contains(ReasonOf(err), "payee") {
		t.Errorf("a missing payee commitment is named payee, got %v", err)
	}
}

// An account's opening checks against its commitment; another salt, another account
// or a commitment of another size does not.
func TestAccountOpening(t *testing.T) {
	c := testPayee.Commitment()
	if err := testPayee.Check(c); err != nil {
		t.Fatalf("the opening of its own commitment: %v", err)
	}
	otherSalt := testPayee
	otherSalt.Salt = bytes.Repeat([]byte{9}, SaltBytes)
	otherAccount := testPayee
	otherAccount.Account.IBAN = "DE89370400440532013000"
	otherHolder := testPayee
	otherHolder.Account.Holder = "Someone Else"
	shortSalt := testPayee
	shortSalt.Salt = shortSalt.Salt[:16]
	for name, o := range map[string]AccountOpening{"another salt": otherSalt, "another account": otherAccount, "another holder": otherHolder, "a short salt": shortSalt} {
		if err := o.Check(c); err == nil {
			t.Errorf("%s opens the commitment", name)
		}
	}
	if err := testPayee.Check(c[:31]); err == nil {
		t.Error("a short commitment is opened")
	}
	fresh, err := NewAccountOpening(testPayee.Account)
	if err != nil || len(fresh.Salt) != SaltBytes || bytes.Equal(fresh.Commitment(), c) {
		t.Errorf("a fresh opening: %+v %v", fresh, err)
	}
}

func TestValidateRedemptionMessages(t *testing.T) {
	lower := strings.ToLower(testRedemptionID())
	checkValidation(t, []validationCase{
		{name: "payout initiated", msg: validPayoutInitiated(), want: OK},
		{name: "payout initiated, id in lower case", msg: mutate(validPayoutInitiated(), func(m *PayoutInitiated) { m.RedemptionID = lower }), want: InvalidField},
		{name: "payout initiated, id short", msg: mutate(validPayoutInitiated(), func(m *PayoutInitiated) { m.RedemptionID = "ABC" }), want: InvalidField},
		{name: "payout initiated, no reference", msg: mutate(validPayoutInitiated(), func(m *PayoutInitiated) { m.PayoutReference = "" }), want: InvalidField},
		{name: "payout initiated, reference of 65", msg: mutate(validPayoutInitiated(), func(m *PayoutInitiated) { m.PayoutReference = strings.Repeat("P", 65) }), want: InvalidField},
		{name: "confirm payout", msg: validConfirmPayout(), want: OK},
		{name: "confirm payout, no bank reference", msg: mutate(validConfirmPayout(), func(m *ConfirmPayout) { m.BankReference = "" }), want: InvalidField},
		{name: "confirm payout, no id", msg: mutate(validConfirmPayout(), func(m *ConfirmPayout) { m.RedemptionID = "" }), want: InvalidField},
		{name: "reject", msg: validRejectRedemption(), want: OK},
		{name: "reject without reason", msg: mutate(validRejectRedemption(), func(m *RejectRedemption) { m.Reason = "" }), want: InvalidField},
		{name: "reject, reason of 141", msg: mutate(validRejectRedemption(), func(m *RejectRedemption) { m.Reason = strings.Repeat("x", 141) }), want: InvalidField},
		{name: "return", msg: validReturnPayout(), want: OK},
		{name: "return without reason", msg: mutate(validReturnPayout(), func(m *ReturnPayout) { m.Reason = "" }), want: InvalidField},
		{name: "return without bank reference", msg: mutate(validReturnPayout(), func(m *ReturnPayout) { m.BankReference = "" }), want: InvalidField},
		{name: "restore", msg: RestoreRedemption{RedemptionID: testRedemptionID()}, want: OK},
		{name: "restore, bad id", msg: RestoreRedemption{RedemptionID: "XYZ"}, want: InvalidField},
	})
}

func TestValidateRecordRefund(t *testing.T) {
	checkValidation(t, []validationCase{
		{name: "valid", msg: validRecordRefund(), want: OK},
		{name: "another currency", msg: mutate(validRecordRefund(), func(m *RecordRefund) { m.Currency = "USD" }), want: OK},
		{name: "no bank reference", msg: mutate(validRecordRefund(), func(m *RecordRefund) { m.BankReference = "" }), want: InvalidField},
		{name: "amount zero", msg: mutate(validRecordRefund(), func(m *RecordRefund) { m.AmountMinor = 0 }), want: InvalidField},
		{name: "unknown currency", msg: mutate(validRecordRefund(), func(m *RecordRefund) { m.Currency = "EURO" }), want: InvalidField},
		{name: "no refund reference", msg: mutate(validRecordRefund(), func(m *RecordRefund) { m.RefundReference = "" }), want: InvalidField},
		{name: "refund reference with a tab", msg: mutate(validRecordRefund(), func(m *RecordRefund) { m.RefundReference = "R\t1" }), want: InvalidField},
	})
}

func TestValidateCoverShortfall(t *testing.T) {
	checkValidation(t, []validationCase{
		{name: "valid", msg: validCoverShortfall(), want: OK},
		{name: "reference of 64", msg: mutate(validCoverShortfall(), func(m *CoverShortfall) { m.BankReference = strings.Repeat("R", 64) }), want: OK},
		{name: "no bank reference", msg: mutate(validCoverShortfall(), func(m *CoverShortfall) { m.BankReference = "" }), want: InvalidField},
		{name: "reference of 65", msg: mutate(validCoverShortfall(), func(m *CoverShortfall) { m.BankReference = strings.Repeat("R", 65) }), want: InvalidField},
		{name: "reference with a tab", msg: mutate(validCoverShortfall(), func(m *CoverShortfall) { m.BankReference = "OWN\t1" }), want: InvalidField},
		{name: "amount zero", msg: mutate(validCoverShortfall(), func(m *CoverShortfall) { m.AmountMinor = 0 }), want: InvalidField},
		{name: "no currency", msg: mutate(validCoverShortfall(), func(m *CoverShortfall) { m.Currency = "" }), want: InvalidField},
		{name: "unknown currency", msg: mutate(validCoverShortfall(), func(m *CoverShortfall) { m.Currency = "EURO" }), want: InvalidField},
		{name: "currency in lower case", msg: mutate(validCoverShortfall(), func(m *CoverShortfall) { m.Currency = "eur" }), want: InvalidField},
	})
}

func TestValidateOrderMessages(t *testing.T) {
	ref := PaymentReference(testOrderID())
	checkValidation(t, []validationCase{
		{name: "accept partial", msg: AcceptPartial{OrderID: testOrderID()}, want: OK},
		{name: "accept partial by payment reference", msg: AcceptPartial{OrderID: ref}, want: InvalidField},
		{name: "cancel", msg: CancelOrder{OrderID: testOrderID()}, want: OK},
		{name: "cancel without id", msg: CancelOrder{}, want: InvalidField},
		{name: "hold", msg: validHoldOrder(), want: OK},
		{name: "hold without reason", msg: mutate(validHoldOrder(), func(m *HoldOrder) { m.Reason = "" }), want: InvalidField},
		{name: "hold, id in lower case", msg: mutate(validHoldOrder(), func(m *HoldOrder) { m.OrderID = strings.ToLower(m.OrderID) }), want: InvalidField},
		{name: "release", msg: ReleaseOrder{OrderID: testOrderID()}, want: OK},
		{name: "release, bad id", msg: ReleaseOrder{OrderID: "0"}, want: InvalidField},
	})
}

func TestRedemptionIDs(t *testing.T) {
	a, b := RedemptionID(addrOf(holderKey), 1), RedemptionID(addrOf(holderKey), 2)
	if a == b || a == OrderID(addrOf(holderKey), 1) {
		t.Fatalf("redemption ids %s, %s collide with each other or with the order id of the same nonce", a, b)
	}
	if len(a) > 35 {
		t.Fatalf("redemption id %s does not fit an end-to-end id", a)
	}
	if got, err := ParseRedemptionID(strings.ToLower(a)); err != nil || got != a {
		t.Fatalf("ParseRedemptionID(lower) = %q, %v", got, err)
	}
	if _, err := ParseRedemptionID("RF18" + a); CodeOf(err) != InvalidField {
		t.Fatalf("ParseRedemptionID of an RF reference: %v, want invalid_field", err)
	}
}

// TestWeakKeysRefused: a key nobody can be held to is refused wherever a key enters a
// message, with its own code, and so is a transaction whose signer it is.
func TestWeakKeysRefused(t *testing.T) {
	identity := make([]byte, crypto.PublicKeyBytes)
	identity[0] = 1
	weakParty := PartyOf(testBuyerID, identity)
	checkValidation(t, []validationCase{
		{name: "operator key of small order", msg: regOp(func(m *RegisterOperator) {
			m.PublicKey, m.Address = identity, crypto.AddressOf(identity)
		}), want: WeakKey},
		{name: "operator key of small order, account form", msg: func() Msg {
			m := validRegisterOperatorAccount()
			m.PublicKey, m.Address = identity, crypto.AddressOf(identity)
			return m
		}(), want: WeakKey},
		{name: "buyer of small order confirmed", msg: confirm(func(m *ConfirmPayment) { m.Buyer = weakParty }), want: WeakKey},
		{name: "buyer of small order in a receipt", msg: receipt(func(m *SubmitReceipt) { m.Receipt.Buyer = weakParty }), want: WeakKey},
	})
	var tx Tx
	if err := DecodeRecord(mustSign(testChainID, validTransfer(), buyerKey, 1, testValidUntil), &tx); err != nil {
		t.Fatal(err)
	}
	tx.Signer = identity
	if _, err := Parse(EncodeRecord(tx)); CodeOf(err) != WeakKey {
		t.Fatalf("a transaction signed by a small-order key: %v, want weak_key", err)
	}
}

func TestValidateHandOver(t *testing.T) {
	valid := *NewHandOver(RoleIssuer, pubOf(holderKey))
	identity := make([]byte, crypto.PublicKeyBytes)
	identity[0] = 1
	checkValidation(t, []validationCase{
		{name: "issuer role", msg: valid, want: OK},
		{name: "operator role", msg: *NewHandOver(RoleOperator, pubOf(holderKey)), want: OK},
		{name: "unknown role", msg: mutate(valid, func(m *HandOver) { m.Role = "buyer" }), want: InvalidField},
		{name: "address not the key's", msg: mutate(valid, func(m *HandOver) { m.To = addrOf(buyerKey) }), want: InvalidField},
		{name: "key of 31 bytes", msg: mutate(valid, func(m *HandOver) { m.PublicKey = m.PublicKey[:31] }), want: InvalidField},
		{name: "small-order key", msg: *NewHandOver(RoleOperator, identity), want: WeakKey},
		{name: "take over", msg: TakeOver{From: addrOf(operatorKey)}, want: OK},
		{name: "take over from no one", msg: TakeOver{}, want: InvalidField},
	})
}
func TestValidatePropose(t *testing.T) {
	body := func(f func(*UpdateOperator)) Propose { return *NewPropose(mutate(validUpdateOperator(), f)) }
	checkValidation(t, []validationCase{
		{name: "valid", msg: validPropose(), want: OK},
		{name: "an issue", msg: *NewPropose(validIssue()), want: OK},
		{name: "a registration", msg: *NewPropose(validRegisterOperator()), want: OK},
		{name: "an unpause", msg: *NewPropose(Unpause{Operation: OperationBuy}), want: OK},
		{name: "a threshold", msg: *NewPropose(SetIssuerThreshold{Threshold: 3}), want: OK},
		{name: "a pause, which needs no approval", msg: *NewPropose(validPause()), want: InvalidField},
		{name: "a transfer", msg: *NewPropose(validTransfer()), want: InvalidField},
		{name: "a proposal", msg: *NewPropose(validPropose()), want: InvalidField},
		{name: "an approval", msg: *NewPropose(Approve{ProposalID: testProposalID()}), want: InvalidField},
		{name: "unknown type", msg: Propose{Action: 99, Body: validPropose().Body}, want: InvalidField},
		{name: "body of another type", msg: Propose{Action: TypeIssue, Body: validPropose().Body}, want: InvalidField},
		{name: "empty body", msg: Propose{Action: TypeUpdateOperator}, want: InvalidField},
		{name: "body with a trailing byte", msg: Propose{Action: TypeUpdateOperator, Body: append(validPropose().Body, 0)}, want: InvalidField},
		{name: "body not canonical", msg: Propose{Action: TypeSetIssuerThreshold, Body: []byte{0x81, 0x18, 0x02}}, want: InvalidField},
		{name: "invalid action", msg: body(func(m *UpdateOperator) { m.CapChips = 0 }), want: InvalidField},
	})
	if err := body(func(m *UpdateOperator) { m.Account.Holder = "" }).Validate(); !strings.Contains(ReasonOf(err), "body: account.holder") {
		t.Errorf("an invalid action names its field under body, got %v", err)
	}
	m, err := validPropose().Message()
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := m.(*UpdateOperator); !ok || got.CapChips != validUpdateOperator().CapChips {
		t.Fatalf("Message() = %#v, want the update proposed", m)
	}
}

func TestValidateControls(t *testing.T) {
	checkValidation(t, []validationCase{
		{name: "approve", msg: Approve{ProposalID: testProposalID()}, want: OK},
		{name: "approve, id in lower case", msg: Approve{ProposalID: strings.ToLower(testProposalID())}, want: InvalidField},
		{name: "approve, no id", msg: Approve{}, want: InvalidField},
		{name: "pause", msg: validPause(), want: OK},
		{name: "pause each operation", msg: mutate(validPause(), func(m *Pause) { m.Operation = OperationRedeem }), want: OK},
		{name: "pause an unknown operation", msg: mutate(validPause(), func(m *Pause) { m.Operation = "refund" }), want: InvalidField},
		{name: "pause in upper case", msg: mutate(validPause(), func(m *Pause) { m.Operation = "BUY" }), want: InvalidField},
		{name: "pause without reason", msg: mutate(validPause(), func(m *Pause) { m.Reason = "" }), want: InvalidField},
		{name: "unpause", msg: Unpause{Operation: OperationIssue}, want: OK},
		{name: "unpause nothing", msg: Unpause{}, want: InvalidField},
		{name: "freeze", msg: validFreeze(), want: OK},
		{name: "freeze the zero address", msg: mutate(validFreeze(), func(m *Freeze) { m.Address = [20]byte{} }), want: InvalidField},
		{name: "freeze, reason of 141", msg: mutate(validFreeze(), func(m *Freeze) { m.Reason = strings.Repeat("x", 141) }), want: InvalidField},
		{name: "unfreeze", msg: Unfreeze{Address: addrOf(holderKey)}, want: OK},
		{name: "unfreeze the zero address", msg: Unfreeze{}, want: InvalidField},
		{name: "revoke", msg: validRevokeOperator(), want: OK},
		{name: "revoke, bad id", msg: mutate(validRevokeOperator(), func(m *RevokeOperator) { m.ID = "Acme" }), want: InvalidField},
		{name: "revoke without reason", msg: mutate(validRevokeOperator(), func(m *RevokeOperator) { m.Reason = "" }), want: InvalidField},
		{name: "remove issuer", msg: RemoveIssuer{Address: addrOf(issuer2Key)}, want: OK},
		{name: "remove the zero address", msg: RemoveIssuer{}, want: InvalidField},
		{name: "threshold", msg: SetIssuerThreshold{Threshold: 1}, want: OK},
		{name: "threshold zero", msg: SetIssuerThreshold{}, want: InvalidField},
	})
}

func TestValidateUpdateOperator(t *testing.T) {
	acct := func(f func(*Account)) UpdateOperator {
		return mutate(validUpdateOperator(), func(m *UpdateOperator) { f(&m.Account) })
	}
	checkValidation(t, []validationCase{
		{name: "valid", msg: validUpdateOperator(), want: OK},
		{name: "an account without an IBAN", msg: acct(func(a *Account) { a.IBAN, a.OtherID, a.Scheme = "", testOtherID, "BBAN" }), want: OK},
		{name: "id empty", msg: mutate(validUpdateOperator(), func(m *UpdateOperator) { m.ID = "" }), want: InvalidField},
		{name: "account with a bad IBAN", msg: acct(func(a *Account) { a.IBAN = ibanBadChecksum }), want: InvalidField},
		{name: "account in lower case", msg: acct(func(a *Account) { a.IBAN = ibanLowerCase }), want: InvalidField},
		{name: "account without holder", msg: acct(func(a *Account) { a.Holder = "" }), want: InvalidField},
		{name: "rate without chips", msg: mutate(validUpdateOperator(), func(m *UpdateOperator) { m.Rate.Chips = 0 }), want: InvalidField},
		{name: "rate without minor", msg: mutate(validUpdateOperator(), func(m *UpdateOperator) { m.Rate.Minor = 0 }), want: InvalidField},
		{name: "cap zero", msg: mutate(validUpdateOperator(), func(m *UpdateOperator) { m.CapChips = 0 }), want: InvalidField},
	})
}

func TestValidateAddIssuer(t *testing.T) {
	checkValidation(t, []validationCase{
		{name: "valid", msg: validAddIssuer(), want: OK},
		{name: "id empty", msg: mutate(validAddIssuer(), func(m *AddIssuer) { m.ID = "" }), want: InvalidField},
		{name: "id of 65", msg: mutate(validAddIssuer(), func(m *AddIssuer) { m.ID = strings.Repeat("i", 65) }), want: InvalidField},
		{name: "short key", msg: mutate(validAddIssuer(), func(m *AddIssuer) { m.PublicKey = m.PublicKey[:31] }), want: InvalidField},
		{name: "address of another key", msg: mutate(validAddIssuer(), func(m *AddIssuer) { m.Address = addrOf(issuerKey) }), want: InvalidField},
	})
}

func TestProposalIDs(t *testing.T) {
	a := ProposalID(addrOf(issuerKey), 1)
	if a == ProposalID(addrOf(issuerKey), 2) || a == OrderID(addrOf(issuerKey), 1) || a == RedemptionID(addrOf(issuerKey), 1) {
		t.Fatalf("proposal id %s collides with another proposal's, or an order's or a redemption's of the same nonce", a)
	}
	if got, err := ParseProposalID(strings.ToLower(a)); err != nil || got != a {
		t.Fatalf("ParseProposalID(lower) = %q, %v", got, err)
	}
}

func TestControlled(t *testing.T) {
	for typ := range Type(40) {
		want := false
		switch typ {
		case TypeRegisterOperator, TypeIssue, TypeRegisterOperatorAccount, TypeUnpause, TypeUnfreeze, TypeUpdateOperator,
			TypeRevokeOperator, TypeAddIssuer, TypeRemoveIssuer, TypeSetIssuerThreshold, TypeSetValidator, TypeAddAuditor, TypeRemoveAuditor:
			want = true
		}
		if got := typ.Controlled(); got != want {
			t.Errorf("%s.Controlled() = %v, want %v", typ, got, want)
		}
	}
}

func TestValidateSetValidator(t *testing.T) {
	valid := SetValidator{PublicKey: pubOf(holderKey), Power: 10}
	identity := make([]byte, crypto.PublicKeyBytes)
	identity[0] = 1
	checkValidation(t, []validationCase{
		{name: "valid", msg: valid, want: OK},
		{name: "removal", msg: mutate(valid, func(m *SetValidator) { m.Power = 0 }), want: OK},
		{name: "power at CometBFT's most", msg: mutate(valid, func(m *SetValidator) { m.Power = ValidatorPowerMax }), want: OK},
		{name: "power above it", msg: mutate(valid, func(m *SetValidator) { m.Power = ValidatorPowerMax + 1 }), want: InvalidField},
		{name: "a secp256k1 key", msg: mutate(valid, func(m *SetValidator) { m.PublicKey = make([]byte, 33) }), want: InvalidField},
		{name: "small-order key", msg: mutate(valid, func(m *SetValidator) { m.PublicKey = identity }), want: WeakKey},
	})
}

func TestValidateAuditors(t *testing.T) {
	identity := make([]byte, crypto.PublicKeyBytes)
	identity[0] = 1
	checkValidation(t, []validationCase{
		{name: "add", msg: validAddAuditor(), want: OK},
		{name: "add, id empty", msg: mutate(validAddAuditor(), func(m *AddAuditor) { m.ID = "" }), want: InvalidField},
		{name: "add, id of 65", msg: mutate(validAddAuditor(), func(m *AddAuditor) { m.ID = strings.Repeat("a", 65) }), want: InvalidField},
		{name: "add, short key", msg: mutate(validAddAuditor(), func(m *AddAuditor) { m.PublicKey = m.PublicKey[:31] }), want: InvalidField},
		{name: "add, address of another key", msg: mutate(validAddAuditor(), func(m *AddAuditor) { m.Address = addrOf(issuerKey) }), want: InvalidField},
		{name: "add, small-order key", msg: *NewAddAuditor("audit-firm", identity), want: WeakKey},
		{name: "remove", msg: RemoveAuditor{Address: addrOf(auditorKey)}, want: OK},
		{name: "remove the zero address", msg: RemoveAuditor{}, want: InvalidField},
		{name: "hand over the auditor role", msg: *NewHandOver(RoleAuditor, pubOf(holderKey)), want: OK},
	})
}

func TestValidateAttestReserves(t *testing.T) {
	op := func(f func(o *OperatorReserves)) AttestReserves {
		return mutate(validAttestReserves(), func(m *AttestReserves) { f(&m.Operators[0]) })
	}
	operators := func(n int) AttestReserves {
		return mutate(validAttestReserves(), func(m *AttestReserves) {
			m.Operators = nil
			for i := range n {
				m.Operators = append(m.Operators, OperatorReserves{Operator: fmt.Sprintf("op-%03d", i), Currency: "EUR"})
			}
		})
	}
	checkValidation(t, []validationCase{
		{name: "valid", msg: validAttestReserves(), want: OK},
		{name: "one operator", msg: operators(1), want: OK},
		{name: "the most operators", msg: operators(ReservesOperatorsMax), want: OK},
		{name: "one operator too many", msg: operators(ReservesOperatorsMax + 1), want: InvalidField},
		{name: "no operators", msg: operators(0), want: InvalidField},
		{name: "digest of 31 bytes", msg: mutate(validAttestReserves(), func(m *AttestReserves) { m.ReportDigest = m.ReportDigest[:31] }), want: InvalidField},
		{name: "digest of 33 bytes", msg: mutate(validAttestReserves(), func(m *AttestReserves) { m.ReportDigest = append(m.ReportDigest, 0) }), want: InvalidField},
		{name: "no digest", msg: mutate(validAttestReserves(), func(m *AttestReserves) { m.ReportDigest = nil }), want: InvalidField},
		{name: "report height 0", msg: mutate(validAttestReserves(), func(m *AttestReserves) { m.ReportHeight = 0 }), want: InvalidField},
		{name: "report height negative", msg: mutate(validAttestReserves(), func(m *AttestReserves) { m.ReportHeight = -1 }), want: InvalidField},
		{name: "statement end with fractions", msg: mutate(validAttestReserves(), func(m *AttestReserves) { m.StatementEnd = "2026-03-31T22:00:00.5Z" }), want: OK},
		{name: "statement end empty", msg: mutate(validAttestReserves(), func(m *AttestReserves) { m.StatementEnd = "" }), want: InvalidField},
		{name: "statement end a date", msg: mutate(validAttestReserves(), func(m *AttestReserves) { m.StatementEnd = "2026-03-31" }), want: InvalidField},
		{name: "statement end with an offset", msg: mutate(validAttestReserves(), func(m *AttestReserves) { m.StatementEnd = "2026-04-01T00:00:00+02:00" }), want: InvalidField},
		{name: "statement end with trailing zeros", msg: mutate(validAttestReserves(), func(m *AttestReserves) { m.StatementEnd = "2026-03-31T22:00:00.500Z" }), want: InvalidField},
		{name: "statement end in lower case", msg: mutate(validAttestReserves(), func(m *AttestReserves) { m.StatementEnd = "2026-03-31t22:00:00z" }), want: InvalidField},
		{name: "operators out of order", msg: mutate(validAttestReserves(), func(m *AttestReserves) {
			m.Operators[0], m.Operators[1] = m.Operators[1], m.Operators[0]
		}), want: InvalidField},
		{name: "an operator twice", msg: mutate(validAttestReserves(), func(m *AttestReserves) { m.Operators[1].Operator = m.Operators[0].Operator }), want: InvalidField},
		{name: "operator id in upper case", msg: op(func(o *OperatorReserves) { o.Operator = "Acme-bank" }), want: InvalidField},
		{name: "currency in lower case", msg: op(func(o *OperatorReserves) { o.Currency = "eur" }), want: InvalidField},
		{name: "currency not tender", msg: op(func(o *OperatorReserves) { o.Currency = "XTS" }), want: InvalidField},
		{name: "backed, balance exactly the liabilities", msg: op(func(o *OperatorReserves) { o.BalanceMinor = 1_200_000 }), want: OK},
		{name: "backed, balance below the liabilities", msg: op(func(o *OperatorReserves) { o.BalanceMinor = 1_199_999 }), want: InvalidField},
		{name: "backed, overdrawn", msg: op(func(o *OperatorReserves) { o.BalanceMinor, o.LiabilitiesMinor = -1, 0 }), want: InvalidField},
		{name: "backed, an entry unexplained", msg: op(func(o *OperatorReserves) { o.Unexplained = 1 }), want: InvalidField},
		{name: "not backed, though covered", msg: op(func(o *OperatorReserves) { o.Backed = false }), want: OK},
	})
}

// Every AttestReserves that validates fits in one transaction: the most operators, each
// with the longest id and the largest figures.
func TestAttestReservesAtTheMostFits(t *testing.T) {
	m := validAttestReserves()
	m.ReportHeight, m.StatementEnd = math.MaxInt64, "2026-03-31T23:59:59.999999999Z"
	m.Operators = nil
	for i := range ReservesOperatorsMax {
		m.Operators = append(m.Operators, OperatorReserves{
			Operator: fmt.Sprintf("o%031d", i), Currency: "EUR", BalanceMinor: math.MinInt64,
			LiabilitiesMinor: math.MaxUint64, OutstandingChips: math.MaxUint64, Unexplained: math.MaxUint64,
		})
	}
	b := mustSign(testChainID, m, auditorKey, math.MaxUint64, math.MaxUint64)
	if _, err := Parse(b); err != nil {
		t.Fatalf("the largest attestation (%d bytes) does not parse: %v", len(b), err)
	}
	t.Logf("the largest attestation of %d operators: %d bytes of %d", ReservesOperatorsMax, len(b), TxBytesMax)
}
