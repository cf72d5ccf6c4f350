package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/api"
	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/gateway"
	"github.com/chipmint/chipmint/internal/issuer"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/system"
	"github.com/chipmint/chipmint/internal/txn"
)

// devPassphrase protects the dev keys when CHIPMINT_PASSPHRASE is not set. The dev
// system plays with sandbox money only.
const devPassphrase = "chipmint-dev"

// adminListenDefault is where the dev node serves its operator the invariants check.
const adminListenDefault = "127.0.0.1:26659"

// apiListenDefault is where the dev node serves its own HTTP API and the explorer.
const apiListenDefault = "127.0.0.1:26670"

// devChainID is the chain of every dev home.
const devChainID = "chipmint-dev"

// DevOptions are the flags of `chipmint dev`.
type DevOptions struct {
	Reset         bool
	RPC           string
	P2P           string
	BankListen    string
	GatewayListen string
	AdminListen   string
	API           string
	BlockTime     time.Duration
	ReservesEvery time.Duration
	// IssuerMetrics is where the issuer service serves its metrics; empty, nowhere.
	IssuerMetrics string
	Verbose       bool
}

// devState is what the first start of a dev home set up, kept in <home>/dev.json.
type devState struct {
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
	f.StringVar(&o.AdminListen, "admin-listen", adminListenDefault, "the node's admin address, where its invariants are checked (chipmint supply --admin)")
	f.StringVar(&o.API, "api", apiListenDefault, "the node's own HTTP API address: the explorer at /, the state in JSON under /api/v1/, signed transactions in bulk at POST /v1/txs (off when empty)")
	f.DurationVar(&o.BlockTime, "block-time", 500*time.Millisecond, "time between blocks (first start only)")
	f.StringVar(&o.IssuerMetrics, "issuer-metrics-listen", "127.0.0.1:26695", "the issuer service's metrics address (off when empty)")
	f.DurationVar(&o.ReservesEvery, "reserves-every", time.Minute, "the auditor's day: how often the reserves are checked against the bank's statement and attested (0: never)")
	f.BoolVar(&o.Verbose, "verbose", false, "log every block and service step")
	return cmd
}

func runDev(ctx context.Context, g *Globals, o *DevOptions) error {
	if o.Reset {
		if err := resetDevHome(g.Home); err != nil {
			return err
		}
	}
	fresh := noteFresh(g.Home)
	ch, sys, err := startDev(ctx, g, o)
	if err != nil {
		fresh.undo()
		return err
	}
	return errors.Join(sys.Wait(ctx), ch.Stop())
}

// startDev starts the dev system and prints where its parts run; a first start sets up
// the home.
func startDev(ctx context.Context, g *Globals, o *DevOptions) (*system.Chain, *system.System, error) {
	if os.Getenv("CHIPMINT_PASSPHRASE") == "" {
		os.Setenv("CHIPMINT_PASSPHRASE", devPassphrase)
	}
	level := slog.LevelWarn
	if o.Verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(g.Err, &slog.HandlerOptions{Level: level}))
	keys, err := devKeys(g, o)
	if err != nil {
		return nil, nil, err
	}
	ch, err := system.StartChain(ctx, g.Home, node.Options{Logger: log.With("part", "node"), AdminListen: o.AdminListen, APIListen: o.API})
	if err != nil {
		return nil, nil, listenError(err)
	}
	isAuditor, err := warnNoAuditor(ctx, g, ch.Client, keys.auditor)
	if err != nil {
		return nil, nil, errors.Join(err, ch.Stop())
	}
	var auditor system.Auditor
	if isAuditor && o.ReservesEvery > 0 {
		// A few seconds let the gateway bring what the bank just booked to the chain.
		auditor = system.Auditor{Key: keys.auditor, Every: o.ReservesEvery, Grace: 3 * time.Second}
	}
	sys, err := system.Start(ctx, system.Config{
		Dir: g.Home, Client: ch.Client, IssuerKey: keys.issuer,
		Bank: system.BankConfig{Listen: o.BankListen, ListenFlag: "--bank-listen"},
		Operators: []system.Operator{{
			ID: "acme", Key: keys.operator, Holder: "Acme Payments GmbH", Currency: "EUR",
			Rate: txn.Rate{Chips: 1_000_000, Minor: 100}, CapChips: 1_000_000_000_000, Mode: gateway.ModeNotice,
			Dir: filepath.Join(g.Home, "gateway"), Listen: o.GatewayListen, ListenFlag: "--gateway-listen", AutoRefund: true,
		}},
		Issuer: issuer.Config{Proposals: proposalsFile(g), Cursor: cursorFile(g)}, Poll: 250 * time.Millisecond, Auditor: auditor, Logger: log,
		IssuerMetricsListen: o.IssuerMetrics, IssuerMetricsFlag: "--issuer-metrics-listen",
	})
	if err != nil {
		return nil, nil, errors.Join(err, ch.Stop())
	}
	st, err := devCustomer(ctx, g, sys.Bank.Client)
	if err != nil {
		return nil, nil, errors.Join(err, sys.Stop(), ch.Stop())
	}
	printDev(g, ch.Node, sys, st, auditor)
	return ch, sys, nil
}

// resetDevHome deletes a home that dev made (it holds dev.json) or that is empty, and
// refuses any other: --reset must never wipe a real node's keys.
func resetDevHome(home string) error {
	if noteFresh(home).fresh {
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

// devSigners are the dev system's keys, unlocked: the issuer's, operator acme's and the
// auditor's, which attests the reserves.
type devSigners struct {
	issuer, operator, auditor crypto.Signer
}

// devKeys creates the home on first start (the issuer's, acme's and the auditor's keys,
// the genesis) and unlocks the keys. A home made before the chain had auditors gets the
// auditor's key, which its genesis does not name: warnNoAuditor says so.
func devKeys(g *Globals, o *DevOptions) (devSigners, error) {
	ks, err := g.keystore()
	if err != nil {
		return devSigners{}, err
	}
	for _, name := range []string{"issuer", "acme", "auditor"} {
		if _, err := showOrAdd(ks, name); err != nil {
			return devSigners{}, err
		}
	}
	if _, err := os.Stat(filepath.Join(g.Home, "config", "genesis.json")); errors.Is(err, os.ErrNotExist) {
		is, _ := ks.Show("issuer")
		au, _ := ks.Show("auditor")
		err := node.Init(node.InitOptions{
			Home: g.Home, ChainID: devChainID, Moniker: "dev", BlockTime: o.BlockTime, RPCListen: o.RPC, P2PListen: o.P2P, Alone: true,
			Issuers:  []txn.Issuer{{ID: "issuer", Address: is.Address, PublicKey: is.PublicKey}},
			Auditors: []txn.Auditor{{ID: "auditor", Address: au.Address, PublicKey: au.PublicKey}},
		})
		if err != nil {
			return devSigners{}, err
		}
	}
	var keys devSigners
	for _, k := range []struct {
		name string
		to   *crypto.Signer
	}{{"issuer", &keys.issuer}, {"acme", &keys.operator}, {"auditor", &keys.auditor}} {
		if *k.to, err = g.unlock(k.name); err != nil {
			return devSigners{}, err
		}
	}
	return keys, nil
}

// warnNoAuditor warns when the dev auditor's key is not an auditor of the chain, as in a
// home made before the chain had auditors: its attestations would be refused, so dev
// makes none. It reports whether the key is an auditor's.
func warnNoAuditor(ctx context.Context, g *Globals, c *client.Client, auditor crypto.Signer) (bool, error) {
	addr, err := crypto.AddressOfSigner(auditor)
	if err != nil {
		return false, err
	}
	auditors, err := c.Auditors(ctx)
	if err != nil {
		return false, err
	}
	if !slices.ContainsFunc(auditors, func(au txn.Auditor) bool { return au.Address == addr }) {
		fmt.Fprintf(g.Err, "warning: key auditor (%s) is not an auditor of this chain, whose home was made before it had auditors, so no reserves are attested: "+
			"chipmint --home %s auditor add auditor --key auditor makes it one (then restart), chipmint dev --reset starts afresh\n", addr, g.Home)
		return false, nil
	}
	return true, nil
}

// devCustomer opens the customer's bank account on first start and remembers it.
func devCustomer(ctx context.Context, g *Globals, bc *bank.Client) (devState, error) {
	path := filepath.Join(g.Home, "dev.json")
	var st devState
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &st); err != nil {
			return st, fmt.Errorf("%s: %w", path, err)
		}
		return st, nil
	}
	acct, err := bc.OpenAccount(ctx, bank.OpenAccountRequest{Holder: "Demo Customer", Currency: "EUR", OpeningBalanceMinor: 1_000_000})
	if err != nil {
		return st, err
	}
	st = devState{CustomerIBAN: acct.IBAN}
	b, _ := json.MarshalIndent(st, "", "  ")
	return st, os.WriteFile(path, b, 0o600)
}

// devInfo is where the parts of a running dev system are, as dev prints it.
type devInfo struct {
	Home          string   `json:"home"`
	Node          string   `json:"node"`
	Bank          string   `json:"bank"`
	Gateway       string   `json:"gateway"`
	Admin         string   `json:"admin"`
	API           string   `json:"api,omitempty"`
	Explorer      string   `json:"explorer,omitempty"`
	Operator      string   `json:"operator"`
	OperatorIBAN  string   `json:"operator_iban"`
	CustomerIBAN  string   `json:"customer_iban"`
	Keys          []string `json:"keys"`
	PassphraseEnv string   `json:"passphrase_env"`
	// ReservesEvery is the auditor's day, empty when dev attests no reserves.
	ReservesEvery string `json:"reserves_every,omitempty"`
	// Metrics are the addresses of the parts' metrics: the gateway's, the issuer
	// service's when it serves them, and the node's with its API.
	Metrics []string `json:"metrics"`
}

func printDev(g *Globals, n *node.Node, sys *system.System, st devState, auditor system.Auditor) {
	reservesEvery := ""
	if auditor.Key != nil {
		reservesEvery = auditor.Every.String()
	}
	metrics := []string{sys.Gateways["acme"] + "/metrics"}
	if sys.IssuerMetrics != "" {
		metrics = append(metrics, sys.IssuerMetrics)
	}
	explorer := ""
	if n.APIAddress() != "" {
		metrics = append(metrics, n.APIAddress()+api.PathMetrics)
		explorer = n.APIAddress() + "/"
	}
	g.printDevInfo(devInfo{
		Home: g.Home, Node: n.RPCAddress(), Bank: sys.Bank.URL, Gateway: sys.Gateways["acme"], Admin: n.AdminAddress(), API: n.APIAddress(),
		Explorer: explorer,
		Metrics:  metrics,
		Operator: "acme", OperatorIBAN: sys.Operators["acme"].Account.IBAN, CustomerIBAN: st.CustomerIBAN,
		Keys: []string{"issuer", "acme", "auditor"}, PassphraseEnv: "CHIPMINT_PASSPHRASE", ReservesEvery: reservesEvery,
	})
}

// printDevInfo prints the banner; its example commands carry --node and --bank when the
// parts do not listen where the commands look by default.
func (g *Globals) printDevInfo(info devInfo) {
	g.emit(info, func(w io.Writer) {
		chain := "chipmint --home " + info.Home
		if info.Node != nodeURLDefault {
			chain += " --node " + info.Node
		}
		bankCmd := "chipmint bank pay"
		if info.Bank != bankURLDefault {
			bankCmd += " --bank " + info.Bank
		}
		fmt.Fprintf(w, "chipmint dev running (home %s); Ctrl-C stops it\n", info.Home)
		fmt.Fprintf(w, "  node      %s   (chain chipmint-dev, one validator)\n", info.Node)
		fmt.Fprintf(w, "  bank      %s   (sandbox: never real money)\n", info.Bank)
		fmt.Fprintf(w, "  gateway   %s/v1/journal   (operator acme, account %s)\n", info.Gateway, fiat.IBAN(info.OperatorIBAN).Print())
		if info.Admin != "" {
			fmt.Fprintf(w, "  admin     %s/v1/invariants   (the node's invariants, for its operator only)\n", info.Admin)
		}
		if info.Explorer != "" {
			fmt.Fprintf(w, "  explorer  %s   (the chain in a browser: orders, accounts, operators)\n", info.Explorer)
		}
		if info.API != "" {
			fmt.Fprintf(w, "  api       %s/v1/txs   (signed transactions in bulk)\n", info.API)
			fmt.Fprintf(w, "            %s/api/v1/   (the state in JSON; described at %s/api/v1/openapi.json)\n", info.API, info.API)
		}
		fmt.Fprintf(w, "  metrics   %s   (Prometheus)\n", strings.Join(info.Metrics, ", "))
		fmt.Fprintf(w, "  issuer    issues every paid order\n")
		if info.ReservesEvery != "" {
			fmt.Fprintf(w, "  auditor   checks the reserves against the bank's statement every %s and attests them (reports in %s)\n",
				info.ReservesEvery, filepath.Join(info.Home, "reserves"))
		}
		fmt.Fprintf(w, "  keys      issuer, acme, auditor, in %s (passphrase: $CHIPMINT_PASSPHRASE, default %q)\n", node.KeysDir(info.Home), devPassphrase)
		fmt.Fprintf(w, "  customer  bank account %s holds 10,000.00 EUR\n\n", fiat.IBAN(info.CustomerIBAN).Print())
		fmt.Fprintf(w, "try, in another shell (with the same CHIPMINT_PASSPHRASE, default %q;\n", devPassphrase)
		fmt.Fprintf(w, "`go install ./cmd/chipmint` puts chipmint on your PATH):\n")
		fmt.Fprintf(w, "  %s keys add alice\n", chain)
		fmt.Fprintf(w, "  %s buy --from alice --operator acme --amount 100.00\n", chain)
		fmt.Fprintf(w, "  %s --from-iban %s --to-iban %s --amount 100.00 --reference <RF reference>\n", bankCmd, info.CustomerIBAN, info.OperatorIBAN)
		fmt.Fprintf(w, "  %s balance alice\n", chain)
		if info.Admin != "" {
			fmt.Fprintf(w, "  %s supply --admin %s\n", chain, info.Admin)
		}
	})
}
