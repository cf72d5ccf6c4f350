package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// verifyOptions are the flags of `chipmint verify balance` and `verify order`: where the
// answer comes from, who checks it and which header it is checked from.
type verifyOptions struct {
	primary     string
	witnesses   []string
	trustHeight int64
	trustHash   string
	trustPeriod time.Duration
	height      int64
}

// NewCmdVerify is `chipmint verify`: a balance or an order's status proved against the
// chain's signed headers, trusting no single node.
func NewCmdVerify(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check a balance or an order with its proof, trusting no single node",
		Long: "Check a balance or an order's status with its Merkle proof against the header that carries its height's app hash.\n" +
			"CometBFT's light client verifies that header from one you trust (--trust-height and --trust-hash, taken from a\n" +
			"source other than the primary) and compares the primary's headers with each witness's: a node that lies about\n" +
			"the value, forges a header or follows a fork is refused, with exit status 5.",
	}
	o := &verifyOptions{}
	balance := &cobra.Command{
		Use: "balance ADDRESS|KEY", Short: "Check the chips an address holds", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return o.runBalance(cmd, g, args[0]) },
	}
	order := &cobra.Command{
		Use: "order ORDER", Short: "Check an order's status (its id or RF payment reference)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return o.runOrder(cmd, g, args[0]) },
	}
	for _, c := range []*cobra.Command{balance, order} {
		f := c.Flags()
		f.StringVar(&o.primary, "primary", "", "RPC address of the node that answers (default: --node)")
		f.StringArrayVar(&o.witnesses, "witness", nil, "RPC address of another node whose headers the primary's are compared with, run by another organisation (repeat for more; at least one)")
		f.Int64Var(&o.trustHeight, "trust-height", 0, "height of a header you trust, from a source other than the primary")
		f.StringVar(&o.trustHash, "trust-hash", "", "hash of that header, 64 hex digits")
		f.DurationVar(&o.trustPeriod, "trust-period", 168*time.Hour, "how long after its time the trusted header may still be trusted")
		f.Int64Var(&o.height, "height", 0, "height of the state to check (default: the last one whose next header the primary and the witnesses have)")
	}
	cmd.AddCommand(balance, order)
	return cmd
}

// provedView is what a verified answer was checked against.
type provedView struct {
	ChainID string `json:"chain_id"`
	// Height is the state's height; HeaderHeight the header, one above, whose app hash
	// the proof leads to.
	Height       int64    `json:"height"`
	HeaderHeight int64    `json:"header_height"`
	HeaderHash   string   `json:"header_hash"`
	HeaderTime   string   `json:"header_time"`
	TrustHeight  int64    `json:"trust_height"`
	Primary      string   `json:"primary"`
	Witnesses    []string `json:"witnesses"`
}

// String is the tail of the line a verified answer prints for people.
func (v provedView) String() string {
	witnesses := "1 witness"
	if len(v.Witnesses) != 1 {
		witnesses = fmt.Sprintf("%d witnesses", len(v.Witnesses))
	}
	return fmt.Sprintf("at height %d, proved against header %d (%s) checked from trusted height %d with %s", v.Height, v.HeaderHeight, v.HeaderTime, v.TrustHeight, witnesses)
}

// verifyError is a usage error when the flags are to change: the trusted header
// expired, or a witness is the primary's node or another witness's, which checks
// nothing.
func verifyError(err error) error {
	switch {
	case errors.Is(err, client.ErrTrustExpired):
		return usageError{err}
	case errors.Is(err, client.ErrWitnessSameNode):
		return usageError{fmt.Errorf("--witness: %w; name another organisation's node, one the primary's operator does not run", err)}
	}
	return err
}

func (o *verifyOptions) runBalance(cmd *cobra.Command, g *Globals, arg string) error {
	addr, err := g.resolveAddress(arg)
	if err != nil {
		return usageError{err}
	}
	view, p, err := o.prove(cmd.Context(), g, query.AccountKey(addr))
	if err != nil {
		return fmt.Errorf("balance of %s: %w", addr, err)
	}
	chips, err := client.ProvedBalance(p.Proof, addr)
	if err != nil {
		return fmt.Errorf("balance of %s: %w", addr, err)
	}
	out := struct {
		Address crypto.Address `json:"address"`
		Chips   uint64         `json:"chips,string"`
		provedView
	}{addr, chips, view}
	g.emit(out, func(w io.Writer) {
		fmt.Fprintf(w, "balance of %s: %s %s\n", addr, formatChips(chips), view)
	})
	return nil
}

func (o *verifyOptions) runOrder(cmd *cobra.Command, g *Globals, arg string) error {
	id, err := orderIDArg("ORDER", arg)
	if err != nil {
		return err
	}
	view, p, err := o.prove(cmd.Context(), g, query.OrderKey(id))
	if err != nil {
		return fmt.Errorf("order %s: %w", id, err)
	}
	ord, found, err := client.ProvedOrder(p.Proof, id)
	if err != nil {
		return fmt.Errorf("order %s: %w", id, err)
	}
	out := struct {
		ID    string `json:"id"`
		Found bool   `json:"found"`
		// Order is the proved record, absent when the state does not hold the order.
		Order *txn.Order `json:"order,omitempty"`
		provedView
	}{ID: id, Found: found, provedView: view}
	if found {
		out.Order = &ord
	}
	g.emit(out, func(w io.Writer) {
		if !found {
			fmt.Fprintf(w, "order %s: not in the state (proved absent) %s\n", id, view)
			return
		}
		fmt.Fprintf(w, "order %s: %s %s\n", id, ord.Status, view)
	})
	return nil
}

// prove checks the flags, then proves key with a verifier from them.
func (o *verifyOptions) prove(ctx context.Context, g *Globals, key []byte) (provedView, client.Proved, error) {
	trust, err := o.trust()
	if err != nil {
		return provedView{}, client.Proved{}, err
	}
	primary := g.Node
	if o.primary != "" {
		primary = nodeURL(o.primary)
	}
	witnesses := make([]string, len(o.witnesses))
	for i, w := range o.witnesses {
		witnesses[i] = nodeURL(w)
	}
	v, err := client.NewVerifier(ctx, primary, witnesses, trust)
	if err != nil {
		return provedView{}, client.Proved{}, verifyError(err)
	}
	defer v.Close()
	p, err := v.Prove(ctx, key, o.height)
	if err != nil {
		return provedView{}, client.Proved{}, verifyError(err)
	}
	view := provedView{
		ChainID: p.ChainID, Height: p.Proof.Height, HeaderHeight: p.HeaderHeight, HeaderHash: fmt.Sprintf("%X", p.HeaderHash),
		HeaderTime:  p.HeaderTime.UTC().Format(time.RFC3339),
		TrustHeight: p.TrustHeight, Primary: primary, Witnesses: witnesses,
	}
	return view, p, nil
}

// trust reads the trusted header and checks the other flags, naming the one that is
// wrong.
func (o *verifyOptions) trust() (client.Trust, error) {
	switch {
	case len(o.witnesses) == 0:
		return client.Trust{}, usageError{errors.New("--witness is required: the light client catches a lying primary only by comparing its headers with another node's; name at least one node other than the primary")}
	case o.trustHeight <= 0 || o.trustHash == "":
		return client.Trust{}, usageError{errors.New("--trust-height and --trust-hash are required: the header the check starts from, taken from a source you trust other than the primary (docs/operations.md §10.4)")}
	case o.trustPeriod <= 0:
		return client.Trust{}, usageError{fmt.Errorf("--trust-period: want a positive duration, got %s", o.trustPeriod)}
	case o.height < 0:
		return client.Trust{}, usageError{fmt.Errorf("--height: want a height, or 0 for the last one, got %d", o.height)}
	}
	hash, err := client.TrustHash(strings.TrimPrefix(strings.ToLower(o.trustHash), "0x"))
	if err != nil {
		return client.Trust{}, usageError{fmt.Errorf("--trust-hash: %w", err)}
	}
	return client.Trust{Height: o.trustHeight, Hash: hash, Period: o.trustPeriod}, nil
}
