package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/gateway"
	"github.com/chipmint/chipmint/internal/issuer"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// devPassphrase protects the dev keys when CHIPMINT_PASSPHRASE is not set. The dev
// system plays with sandbox money only.
const devPassphrase = "chipmint-dev"

// devChainID is the chain of every dev home.
const devChainID = "chipmint-dev"

// DevOptions are the flags of `chipmint dev`.
type DevOptions struct {
	Reset         bool
	RPC           string
	P2P           string
	BankListen    string
	GatewayListen string
	BlockTime     time.Duration
	Verbose       bool
}

// devState is what the first start of a dev home set up, kept in <home>/dev.json.
type devState struct {
	OperatorIBAN string `json:"operator_iban"`
	CustomerIBAN string `json:"customer_iban"`
}

// NewCmdDev is `chipmint dev`: the whole system in one process on one machine.
func NewCmdDev(g *Globals) *cobra.Command {
	o := &DevOptions{}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run the whole system in one process: node, sandbox bank, operator gateway, issuer service",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runDev(cmd.Context(), g, o) },
	}
	f := cmd.Flags()
	f.BoolVar(&o.Reset, "reset", false, "delete the home folder first and start afresh")
	f.StringVar(&o.RPC, "rpc", "127.0.0.1:26657", "node RPC address")
	f.StringVar(&o.P2P, "p2p", "127.0.0.1:26656", "node p2p address")
	f.StringVar(&o.BankListen, "bank-listen", bankListenDefault, "sandbox bank address")
	f.StringVar(&o.GatewayListen, "gateway-listen", gatewayListenDefault, "gateway journal address")
	f.DurationVar(&o.BlockTime, "block-time", 500*time.Millisecond, "time between blocks (first start only)")
	f.BoolVar(&o.Verbose, "verbose", false, "log every block and service step")
	return cmd
}

func runDev(ctx context.Context, g *Globals, o *DevOptions) error {
	if o.Reset {
		if err := resetDevHome(g.Home); err != nil {
			return err
		}
	}
	if os.Getenv("CHIPMINT_PASSPHRASE") == "" {
		os.Setenv("CHIPMINT_PASSPHRASE", devPassphrase)
	}
	level := slog.LevelWarn
	if o.Verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(g.Err, &slog.HandlerOptions{Level: level}))
	issuerKey, operatorKey, err := devKeys(g, o)
	if err != nil {
		return err
	}
	n, err := node.Start(g.Home, node.Options{Logger: log.With("part", "node")})
	if err != nil {
		return err
	}
	defer n.Stop()
	c, err := client.Dial(ctx, n.RPCAddress())
	if err != nil {
		return err
	}
	defer c.Close()
	return devRun(ctx, g, o, c, n, issuerKey, operatorKey, log)
}

// resetDevHome deletes a home that dev made (it holds dev.json) or that is empty, and
// refuses any other: --reset must never wipe a real node's keys.
func resetDevHome(home string) error {
	entries, err := os.ReadDir(home)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil
	}
	if _, err := os.Stat(filepath.Join(home, "dev.json")); err != nil && !isDevChain(home) {
		return usageError{fmt.Errorf("--reset: %s was not made by chipmint dev; delete it yourself if you mean it", home)}
	}
	return os.RemoveAll(home)
}

// isDevChain reports whether the home's genesis is the dev chain's, as it is when a
// first start stopped before it wrote dev.json.
func isDevChain(home string) bool {
	b, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil {
		return false
	}
	var g struct {
		ChainID string `json:"chain_id"`
	}
	return json.Unmarshal(b, &g) == nil && g.ChainID == devChainID
}

// devKeys creates the home on first start (issuer and operator keys, genesis) and
// unlocks the keys.
func devKeys(g *Globals, o *DevOptions) (ed25519.PrivateKey, ed25519.PrivateKey, error) {
	ks, err := g.keystore()
	if err != nil {
		return nil, nil, err
	}
	for _, name := range []string{"issuer", "acme"} {
		if _, err := showOrAdd(ks, name); err != nil {
			return nil, nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(g.Home, "config", "genesis.json")); errors.Is(err, os.ErrNotExist) {
		k, _ := ks.Show("issuer")
		err := node.Init(node.InitOptions{
			Home: g.Home, ChainID: devChainID, Moniker: "dev", BlockTime: o.BlockTime, RPCListen: o.RPC, P2PListen: o.P2P,
			Issuers: []txn.Issuer{{ID: "issuer", Address: k.Address, PublicKey: k.PublicKey}},
		})
		if err != nil {
			return nil, nil, err
		}
	}
	issuerKey, err := g.unlock("issuer")
	if err != nil {
		return nil, nil, err
	}
	operatorKey, err := g.unlock("acme")
	return issuerKey, operatorKey, err
}

func devRun(ctx context.Context, g *Globals, o *DevOptions, c *client.Client, n *node.Node, issuerKey, operatorKey ed25519.PrivateKey, log *slog.Logger) error {
	b, err := bank.Open(filepath.Join(g.Home, "bank"), bank.Options{Logger: log.With("part", "bank")})
	if err != nil {
		return err
	}
	defer b.Close()
	ln, err := net.Listen("tcp", o.BankListen)
	if err != nil {
		return fmt.Errorf("--bank-listen: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	wg.Go(func() { errs <- bank.ServeListener(ctx, ln, b) })
	bankURL := "http://" + ln.Addr().String()
	st, op, err := devSetup(ctx, g, c, bank.NewClient(bankURL), issuerKey, operatorKey)
	if err != nil {
		cancel()
		wg.Wait()
		return err
	}
	gwListener, err := net.Listen("tcp", o.GatewayListen)
	if err != nil {
		cancel()
		wg.Wait()
		return fmt.Errorf("--gateway-listen: %w", err)
	}
	wg.Go(func() {
		errs <- runGatewayService(ctx, gatewayService{
			client: c, key: operatorKey, op: op, mode: gateway.ModeNotice, data: filepath.Join(g.Home, "gateway"),
			bankURL: bankURL, listener: gwListener, poll: 250 * time.Millisecond, log: log.With("part", "gateway"),
		})
	})
	wg.Go(func() {
		approvals, err := issuer.OpenApprovals(approvalsDir(g))
		if err != nil {
			errs <- err
			return
		}
		errs <- issuer.New(issuer.Config{Client: c, Key: issuerKey, Approvals: approvals, Logger: log.With("part", "issuer")}).Run(ctx)
	})
	printDev(g, n, bankURL, o.GatewayListen, st)
	var first error
	select {
	case <-ctx.Done():
	case first = <-errs:
	}
	cancel()
	wg.Wait()
	return first
}

// devSetup opens the bank accounts and registers the operator on first start.
func devSetup(ctx context.Context, g *Globals, c *client.Client, bc *bank.Client, issuerKey, operatorKey ed25519.PrivateKey) (devState, txn.Operator, error) {
	path := filepath.Join(g.Home, "dev.json")
	var st devState
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &st); err != nil {
			return st, txn.Operator{}, fmt.Errorf("%s: %w", path, err)
		}
		op, err := c.Operator(ctx, "acme")
		return st, op, err
	}
	opAcct, err := bc.OpenAccount(ctx, bank.OpenAccountRequest{Holder: "Acme Payments GmbH", Currency: "EUR"})
	if err != nil {
		return st, txn.Operator{}, err
	}
	custAcct, err := bc.OpenAccount(ctx, bank.OpenAccountRequest{Holder: "Demo Customer", Currency: "EUR", OpeningBalanceMinor: 1_000_000})
	if err != nil {
		return st, txn.Operator{}, err
	}
	pub := operatorKey.Public().(ed25519.PublicKey)
	reg := &txn.RegisterOperator{
		ID: "acme", Address: crypto.AddressOf(pub), PublicKey: pub,
		Account:  txn.BankAccount{IBAN: opAcct.IBAN, BIC: opAcct.BIC, Holder: opAcct.Holder, Currency: "EUR"},
		Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000_000_000,
	}
	if _, err := submit(ctx, c, reg, issuerKey); err != nil {
		return st, txn.Operator{}, fmt.Errorf("register operator: %w", err)
	}
	st = devState{OperatorIBAN: opAcct.IBAN, CustomerIBAN: custAcct.IBAN}
	b, _ := json.MarshalIndent(st, "", "  ")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return st, txn.Operator{}, err
	}
	op, err := c.Operator(ctx, "acme")
	return st, op, err
}

func printDev(g *Globals, n *node.Node, bankURL, gatewayListen string, st devState) {
	info := map[string]any{
		"home": g.Home, "node": n.RPCAddress(), "bank": bankURL, "gateway": "http://" + gatewayListen,
		"operator": "acme", "operator_iban": st.OperatorIBAN, "customer_iban": st.CustomerIBAN,
		"keys": []string{"issuer", "acme"}, "passphrase_env": "CHIPMINT_PASSPHRASE",
	}
	g.emit(info, func(w io.Writer) {
		fmt.Fprintf(w, "chipmint dev running (home %s); Ctrl-C stops it\n", g.Home)
		fmt.Fprintf(w, "  node      %s   (chain chipmint-dev, one validator)\n", n.RPCAddress())
		fmt.Fprintf(w, "  bank      %s   (sandbox: never real money)\n", bankURL)
		fmt.Fprintf(w, "  gateway   http://%s/v1/journal   (operator acme, account %s)\n", gatewayListen, fiat.IBAN(st.OperatorIBAN).Print())
		fmt.Fprintf(w, "  issuer    issues every paid order\n")
		fmt.Fprintf(w, "  keys      issuer, acme, in %s (passphrase: $CHIPMINT_PASSPHRASE, default %q)\n", node.KeysDir(g.Home), devPassphrase)
		fmt.Fprintf(w, "  customer  bank account %s holds 10,000.00 EUR\n\n", fiat.IBAN(st.CustomerIBAN).Print())
		fmt.Fprintf(w, "try, in another shell (with the same CHIPMINT_PASSPHRASE, default %q):\n", devPassphrase)
		fmt.Fprintf(w, "  chipmint --home %s keys add alice\n", g.Home)
		fmt.Fprintf(w, "  chipmint --home %s buy --from alice --operator acme --amount 100.00\n", g.Home)
		fmt.Fprintf(w, "  chipmint bank pay --from-iban %s --to-iban %s --amount 100.00 --reference <RF reference>\n", st.CustomerIBAN, st.OperatorIBAN)
		fmt.Fprintf(w, "  chipmint --home %s balance alice\n", g.Home)
	})
}
