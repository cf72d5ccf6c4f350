package system

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/gateway"
	"github.com/chipmint/chipmint/internal/txn"
)

// GatewayConfig sets up an operator's gateway.
type GatewayConfig struct {
	Client   *client.Client
	Key      crypto.Signer
	Operator txn.Operator
	Mode     gateway.Mode
	// Dir holds the journal, the receipts and the files that failed.
	Dir string
	// BankURL is the sandbox bank whose notification feed the gateway reads, unless
	// Inbox names a drop folder of camt files to read instead.
	BankURL string
	Inbox   string
	// PaymentOutbox, when set, is the folder where the gateway writes its payouts and
	// refunds as pain.001 files for the bank's upload channel; otherwise, reading the
	// sandbox bank's feed, it pays through the bank's payment API at BankURL, and
	// reading a drop folder, it pays nothing out.
	PaymentOutbox string
	// AutoRefund lets the gateway refund by itself what the refund policy allows.
	AutoRefund bool
	// Listen is where the journal and exceptions are served (host:port; empty takes a
	// free loopback port); ListenFlag is the flag that sets it, for the error.
	Listen     string
	ListenFlag string
	Poll       time.Duration
	Logger     *slog.Logger
}

// Gateway is a running gateway.
type Gateway struct {
	// URL serves the journal and the exceptions.
	URL  string
	done chan error
}

// StartGateway opens the gateway's journal and listener and runs it until ctx is done.
// A key that is not the operator's, or a mode that does not exist, fails here.
func StartGateway(ctx context.Context, c GatewayConfig) (*Gateway, error) {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	j, err := gateway.OpenJournal(filepath.Join(c.Dir, "journal"))
	if err != nil {
		return nil, err
	}
	gw, err := gateway.New(gateway.Config{
		Client: c.Client, Key: c.Key, Operator: c.Operator, Journal: j, Mode: c.Mode,
		ReceiptDir: filepath.Join(c.Dir, "receipts"), Logger: c.Logger,
		Payer: payerOf(c), AutoRefund: c.AutoRefund,
	})
	if err != nil {
		return nil, errors.Join(err, j.Close())
	}
	flag := c.ListenFlag
	if flag == "" {
		flag = "--listen"
	}
	ln, err := listen(flag, c.Listen)
	if err != nil {
		return nil, errors.Join(err, j.Close())
	}
	srv := &http.Server{Handler: gw.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	g := &Gateway{URL: "http://" + ln.Addr().String(), done: make(chan error, 1)}
	c.Logger.Info("gateway running", "operator", c.Operator.ID, "mode", c.Mode, "journal", g.URL+"/v1/journal")
	payments := make(chan error, 1)
	go func() { payments <- gw.RunPayments(ctx, c.Poll) }()
	go func() {
		var err error
		if c.Inbox != "" {
			err = gw.RunFolder(ctx, c.Inbox, c.Poll)
		} else {
			err = gw.RunFeed(ctx, bank.NewClient(c.BankURL), filepath.Join(c.Dir, "failed"), c.Poll)
		}
		err = errors.Join(err, <-payments)
		g.done <- errors.Join(err, srv.Close(), j.Close())
	}()
	return g, nil
}

// Wait waits until the gateway has stopped and returns why.
func (g *Gateway) Wait() error { return <-g.done }

// payerOf is how the gateway pays: a pain.001 outbox, the sandbox bank's payment API,
// or nothing.
func payerOf(c GatewayConfig) gateway.Payer {
	switch {
	case c.PaymentOutbox != "":
		return gateway.PainOutbox{Dir: c.PaymentOutbox, Debtor: c.Operator.PaymentAccount()}
	case c.BankURL != "" && c.Inbox == "":
		return bankPayer{bank: bank.NewClient(c.BankURL), from: c.Operator.PaymentAccount()}
	}
	return nil
}
