package bank

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/pebble"

	"github.com/chipmint/chipmint/internal/fiat"
)

// Defaults of Options.
const (
	DefaultBIC     = "SBXBDEFFXXX"
	DefaultCountry = "DE"
)

// bankCode is the national bank code at the front of every generated BBAN.
const bankCode = "10020030"

// accountDigitsMin is the fewest digits a generated account number gets; in countries
// with short BBANs the bank code is shortened to leave room for them.
const accountDigitsMin = 6

// Options configure a Bank. The zero value is usable.
type Options struct {
	// BIC is the bank's business identifier code, reported with every account.
	BIC string
	// Country is the ISO 3166 country of the IBANs the bank generates.
	Country string
	// Clock gives booking times and dates (their UTC date); tests inject a fixed one.
	Clock func() time.Time
	// Logger receives a line per account opened and transfer, reversal or return booked.
	Logger *slog.Logger
}

// Bank is the sandbox bank's ledger of accounts and bookings, kept in a pebble database.
// It is safe for concurrent use: writes are serialised, reads see whole bookings.
type Bank struct {
	db       *pebble.DB
	bic      fiat.BIC
	country  string
	bbanLen  int
	clock    func() time.Time
	log      *slog.Logger
	mu       sync.RWMutex // held for writing by every booking, for reading by every report
	closeErr error
	closed   bool
}

// Open opens, or creates, the sandbox bank whose data lives in dir.
func Open(dir string, opts Options) (*Bank, error) {
	b, err := newBank(opts)
	if err != nil {
		return nil, err
	}
	db, err := pebble.Open(dir, &pebble.Options{Logger: pebbleLogger{b.log}})
	if err != nil {
		return nil, fmt.Errorf("bank: open %s: %w", dir, err)
	}
	b.db = db
	b.log.Info("sandbox bank open", "dir", dir, "bic", b.bic)
	return b, nil
}

func newBank(opts Options) (*Bank, error) {
	if opts.BIC == "" {
		opts.BIC = DefaultBIC
	}
	if opts.Country == "" {
		opts.Country = DefaultCountry
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	bic, err := fiat.ParseBIC(opts.BIC)
	if err != nil {
		return nil, fmt.Errorf("bank: options: %w", err)
	}
	country := strings.ToUpper(opts.Country)
	n, err := bbanLength(country)
	if err != nil {
		return nil, err
	}
	return &Bank{bic: bic, country: country, bbanLen: n, clock: opts.Clock, log: opts.Logger}, nil
}

// bbanLength finds the length of country's BBAN by asking package fiat, which holds the
// IBAN formats, to build IBANs of growing length.
func bbanLength(country string) (int, error) {
	for n := 1; n <= 30; n++ {
		if _, err := fiat.MakeIBAN(country, strings.Repeat("0", n)); err == nil {
			if n < accountDigitsMin+1 {
				break
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("bank: options: country %q: cannot generate IBANs there", country)
}

// Close closes the database. Calling it again returns the first result.
func (b *Bank) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		b.closeErr = b.db.Close()
	}
	return b.closeErr
}

// now is the booking time: the clock's reading in UTC, to the microsecond (what the
// ISO 20022 documents carry and what survives a round trip through the store).
func (b *Bank) now() time.Time { return b.clock().UTC().Truncate(time.Microsecond) }

// generatedIBAN is the IBAN of the account with internal number no: the bank code
// (shortened in countries with short BBANs) and no, zero-padded, as the BBAN.
func (b *Bank) generatedIBAN(no uint64) (fiat.IBAN, error) {
	code := bankCode[:min(len(bankCode), b.bbanLen-accountDigitsMin)]
	width := b.bbanLen - len(code)
	num := fmt.Sprintf("%0*d", width, no)
	if len(num) > width {
		return "", errors.New("bank: account numbers exhausted")
	}
	return fiat.MakeIBAN(b.country, code+num)
}

// pebbleLogger sends pebble's own messages (WAL replay and the like) to the bank's
// logger at debug level instead of the process's standard error.
type pebbleLogger struct{ log *slog.Logger }

func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug("pebble: " + fmt.Sprintf(format, args...))
}

// Fatalf reports a fault that pebble cannot continue after; like pebble's default
// logger, it does not return.
func (l pebbleLogger) Fatalf(format string, args ...any) {
	msg := "pebble: " + fmt.Sprintf(format, args...)
	l.log.Error(msg)
	panic(msg)
}
