package system

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/gateway"
	"github.com/chipmint/chipmint/internal/issuer"
	"github.com/chipmint/chipmint/internal/reserves"
	"github.com/chipmint/chipmint/internal/txn"
)

// Operator is an operator the system runs: its bank account at the sandbox bank, its
// registration on the chain and its gateway.
type Operator struct {
	ID       string
	Key      crypto.Signer
	Holder   string
	Currency string
	Rate     txn.Rate
	CapChips uint64
	Mode     gateway.Mode
	// Dir holds its gateway's data; empty takes <Config.Dir>/gateway-<ID>.
	Dir string
	// Listen is where its gateway serves the journal; empty takes a free port.
	Listen     string
	ListenFlag string
	// AutoRefund lets its gateway refund by itself what the refund policy allows.
	AutoRefund bool
}

// Config sets up the system around a chain.
type Config struct {
	// Dir holds the bank's and the gateways' data.
	Dir    string
	Client *client.Client
	// IssuerKey registers the operators and runs the issuer service.
	IssuerKey crypto.Signer
	// Bank is the sandbox bank; its Dir defaults to Dir/bank.
	Bank      BankConfig
	Operators []Operator
	// Issuer tunes the issuer service; its Client, Key and Logger are the system's.
	Issuer issuer.Config
	// IssuerMetricsListen, when set, is where the issuer service serves its metrics;
	// IssuerMetricsFlag the flag that set it.
	IssuerMetricsListen, IssuerMetricsFlag string
	// Poll is how often gateways read the bank's feed.
	Poll time.Duration
	// Auditor, when its Key is set, checks the reserves against the sandbox bank's
	// statements and attests them once every Every.
	Auditor Auditor
	Logger  *slog.Logger
}

// Auditor is the auditor's daily round: its key, its day, how long it lets the
// gateways catch up with the statements (reserves.AuditorConfig's Grace), and the folder
// of its sealed reports (empty takes <Config.Dir>/reserves).
type Auditor struct {
	Key   crypto.Signer
	Every time.Duration
	Grace time.Duration
	Dir   string
}

// System is a sandbox bank, operators with their gateways and the issuer service,
// running around a chain until the context given to Start is done.
type System struct {
	Bank *Bank
	// Operators are the operators as the chain has them, by id.
	Operators map[string]txn.Operator
	// Gateways are the gateways' URLs, by operator id.
	Gateways map[string]string
	// IssuerMetrics is the issuer service's metrics address, empty when it serves none.
	IssuerMetrics string
	cancel        context.CancelFunc
	wg            sync.WaitGroup
	errs          chan error
}

// Start starts the sandbox bank, registers each operator that the chain does not know
// yet (with an account opened at the bank), and starts the operators' gateways and the
// issuer service. A start that fails stops what it started.
func Start(ctx context.Context, c Config) (*System, error) {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Bank.Dir == "" {
		c.Bank.Dir = filepath.Join(c.Dir, "bank")
	}
	if c.Bank.Logger == nil {
		c.Bank.Logger = c.Logger.With("part", "bank")
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &System{Operators: map[string]txn.Operator{}, Gateways: map[string]string{}, cancel: cancel,
		errs: make(chan error, 2+len(c.Operators))}
	err := s.start(ctx, c)
	if err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	return s, nil
}

func (s *System) start(ctx context.Context, c Config) error {
	b, err := StartBank(ctx, c.Bank)
	if err != nil {
		return err
	}
	s.Bank = b
	s.watch(b.Wait)
	for _, o := range c.Operators {
		op, err := s.ensureOperator(ctx, c, o)
		if err != nil {
			return err
		}
		s.Operators[o.ID] = op
		dir := o.Dir
		if dir == "" {
			dir = filepath.Join(c.Dir, "gateway-"+o.ID)
		}
		gw, err := StartGateway(ctx, GatewayConfig{
			Client: c.Client, Key: o.Key, Operator: op, Mode: o.Mode, Dir: dir,
			BankURL: b.URL, Listen: o.Listen, ListenFlag: o.ListenFlag, Poll: c.Poll, Logger: c.Logger.With("part", "gateway-"+o.ID),
			AutoRefund: o.AutoRefund,
		})
		if err != nil {
			return err
		}
		s.Gateways[o.ID] = gw.URL
		s.watch(gw.Wait)
	}
	ic := c.Issuer
	ic.Client, ic.Key, ic.Logger = c.Client, c.IssuerKey, c.Logger.With("part", "issuer")
	is, err := StartIssuer(ctx, ic, c.IssuerMetricsListen, c.IssuerMetricsFlag)
	if err != nil {
		return err
	}
	s.IssuerMetrics = is.MetricsURL
	s.watch(is.Wait)
	if a := c.Auditor; a.Key != nil {
		if a.Dir == "" {
			a.Dir = filepath.Join(c.Dir, "reserves")
		}
		cfg := reserves.AuditorConfig{Client: c.Client, Bank: b.Client, Key: a.Key, Dir: a.Dir, Every: a.Every, Grace: a.Grace, Logger: c.Logger.With("part", "auditor")}
		s.watch(func() error { return reserves.RunAuditor(ctx, cfg) })
	}
	return nil
}

// ensureOperator returns the operator as the chain has it, registering it first with a
// new account at the sandbox bank when the chain does not know it.
func (s *System) ensureOperator(ctx context.Context, c Config, o Operator) (txn.Operator, error) {
	op, err := c.Client.Operator(ctx, o.ID)
	if !errors.Is(err, client.ErrNotFound) {
		return op, err
	}
	pub, err := crypto.PublicKeyOf(o.Key)
	if err != nil {
		return txn.Operator{}, fmt.Errorf("operator %s: %w", o.ID, err)
	}
	acct, err := s.Bank.Client.OpenAccount(ctx, bank.OpenAccountRequest{Holder: o.Holder, Currency: o.Currency})
	if err != nil {
		return txn.Operator{}, fmt.Errorf("open operator %s's bank account: %w", o.ID, err)
	}
	reg := txn.NewRegisterOperator(o.ID, pub,
		txn.BankAccount{IBAN: acct.IBAN, BIC: acct.BIC, Holder: acct.Holder, Currency: o.Currency}, o.Rate, o.CapChips)
	return c.Client.RegisterOperator(ctx, reg, c.IssuerKey)
}

// watch runs wait in the background and passes on its error, if any.
func (s *System) watch(wait func() error) {
	s.wg.Go(func() {
		if err := wait(); err != nil {
			s.errs <- err
		}
	})
}

// Wait runs until ctx is done or a part fails, then stops the system; it returns the
// first failure.
func (s *System) Wait(ctx context.Context) error {
	var first error
	select {
	case <-ctx.Done():
	case first = <-s.errs:
	}
	return errors.Join(first, s.Stop())
}

// Stop stops every part and waits for them; it returns the failures they report.
func (s *System) Stop() error {
	s.cancel()
	s.wg.Wait()
	var errs []error
	for {
		select {
		case err := <-s.errs:
			errs = append(errs, err)
		default:
			return errors.Join(errs...)
		}
	}
}
