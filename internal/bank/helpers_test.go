package bank

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
)

// Test data: a valid IBAN of another bank, and ISO 11649's example creditor reference.
const (
	givenIBAN = "DE89370400440532013000"
	rfRef     = "RF18539007547034"
)

// testClock is a clock that moves only when told to.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// openTestBank opens a bank in dir with the clock; it is closed when the test ends.
func openTestBank(t testing.TB, dir string, clock *testClock) *Bank {
	t.Helper()
	b, err := Open(dir, Options{Clock: clock.Now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func mustOpenAccount(t testing.TB, b *Bank, holder string, balanceMinor uint64) Account {
	t.Helper()
	acct, err := b.OpenAccount(OpenAccountRequest{Holder: holder, Currency: "EUR", OpeningBalanceMinor: balanceMinor})
	if err != nil {
		t.Fatalf("OpenAccount(%s): %v", holder, err)
	}
	return acct
}

func mustTransfer(t *testing.T, b *Bank, req TransferRequest) Transfer {
	t.Helper()
	tr, err := b.Transfer(req)
	if err != nil {
		t.Fatalf("Transfer(%+v): %v", req, err)
	}
	return tr
}

func balance(t testing.TB, b *Bank, iban string) uint64 {
	t.Helper()
	acct, err := b.Account(iban)
	if err != nil {
		t.Fatalf("Account(%s): %v", iban, err)
	}
	return acct.BalanceMinor
}

// notified returns the entries of the account after the cursor, through camt.Parse of
// the notification document, and the next cursor.
func notified(t *testing.T, b *Bank, iban string, after uint64) ([]camt.Entry, uint64) {
	t.Helper()
	doc, next, err := b.Notifications(iban, after, 0)
	if err != nil {
		t.Fatalf("Notifications(%s, %d): %v", iban, after, err)
	}
	if doc == nil {
		return nil, next
	}
	d, err := camt.Parse(doc)
	if err != nil {
		t.Fatalf("camt.Parse: %v\n%s", err, doc)
	}
	if d.Message != "camt.054" || len(d.Notifications) != 1 {
		t.Fatalf("document %s with %d notifications, want one camt.054 notification", d.Message, len(d.Notifications))
	}
	if got := d.Notifications[0].Account.IBAN; got != iban {
		t.Fatalf("notification for %s, want %s", got, iban)
	}
	return d.Notifications[0].Entries, next
}

// assertFieldError checks that err wraps want and names field.
func assertFieldError(t *testing.T, err, want error, field string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != field {
		t.Fatalf("error %v names field %q, want %q", err, fieldOf(err), field)
	}
}

func fieldOf(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}
