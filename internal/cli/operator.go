package cli

import (
	"encoding/base64"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/txn"
)

// OperatorRegisterOptions are the flags of `chipmint operator register`.
type OperatorRegisterOptions struct {
	From      string
	ID        string
	KeyName   string
	PublicKey string
	IBAN      string
	BIC       string
	Holder    string
	Currency  string
	Rate      string
	Cap       string
	Resume    string
}

// NewCmdOperator is `chipmint operator`: financial operators and their bank accounts.
func NewCmdOperator(g *Globals) *cobra.Command {
	cmd := &cobra.Command{Use: "operator", Short: "Register operators, run an operator's bank gateway, list its exceptions"}
	o := &OperatorRegisterOptions{}
	reg := &cobra.Command{
		Use:   "register",
		Short: "Register an operator and its bank account (signed by an issuer)",
		Args:  cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if o.Resume == "" {
				return nil
			}
			return resumeAlone(cmd, "from", "id", "operator-key", "public-key", "iban", "bic", "holder", "currency", "rate", "cap")
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return runOperatorRegister(cmd, g, o) },
	}
	f := reg.Flags()
	f.StringVar(&o.From, "from", "", "issuer key that signs")
	f.StringVar(&o.ID, "id", "", "operator id: lower-case letters, digits and '-'")
	f.StringVar(&o.KeyName, "operator-key", "", "the operator's key, by name in this keystore")
	f.StringVar(&o.PublicKey, "public-key", "", "the operator's ed25519 public key in base64 (instead of --operator-key)")
	f.StringVar(&o.IBAN, "iban", "", "the operator's bank account IBAN")
	f.StringVar(&o.BIC, "bic", "", "the bank's BIC")
	f.StringVar(&o.Holder, "holder", "", "the account holder's name")
	f.StringVar(&o.Currency, "currency", "EUR", "the account's ISO 4217 currency")
	f.StringVar(&o.Rate, "rate", "1", "chips per unit of currency, e.g. 1 or 0.5")
	f.StringVar(&o.Cap, "cap", "", "most chips outstanding through this operator")
	f.StringVar(&o.Resume, "resume", "", "send the kept registration with this transaction hash again, the same bytes")
	for _, name := range []string{"id", "iban", "bic", "holder", "cap"} {
		_ = reg.MarkFlagRequired(name)
	}
	list := &cobra.Command{
		Use: "list", Short: "List the registered operators", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runOperatorList(cmd, g) },
	}
	cmd.AddCommand(reg, list, newCmdOperatorRun(g), newCmdOperatorExceptions(g))
	return cmd
}

func (o *OperatorRegisterOptions) message(g *Globals) (*txn.RegisterOperator, error) {
	pub, err := o.operatorKey(g)
	if err != nil {
		return nil, err
	}
	iban, err := fiat.ParseIBAN(o.IBAN)
	if err != nil {
		return nil, usageError{fmt.Errorf("--iban: %w", err)}
	}
	bic, err := fiat.ParseBIC(o.BIC)
	if err != nil {
		return nil, usageError{fmt.Errorf("--bic: %w", err)}
	}
	cur, err := fiat.ParseCurrency(o.Currency)
	if err != nil {
		return nil, usageError{fmt.Errorf("--currency: %w", err)}
	}
	rate, err := txn.ParseRate(o.Rate, cur)
	if err != nil {
		return nil, usageError{fmt.Errorf("--rate: %w", err)}
	}
	capChips, err := parseChips("--cap", o.Cap)
	if err != nil {
		return nil, err
	}
	return &txn.RegisterOperator{
		ID: o.ID, Address: crypto.AddressOf(pub), PublicKey: pub,
		Account:  txn.BankAccount{IBAN: string(iban), BIC: string(bic), Holder: o.Holder, Currency: cur.Code()},
		Rate:     rate,
		CapChips: capChips,
	}, nil
}

func (o *OperatorRegisterOptions) operatorKey(g *Globals) ([]byte, error) {
	switch {
	case o.KeyName != "" && o.PublicKey != "":
		return nil, usageError{fmt.Errorf("--operator-key and --public-key: give one, not both")}
	case o.KeyName != "":
		ks, err := g.keystore()
		if err != nil {
			return nil, err
		}
		k, err := ks.Show(o.KeyName)
		if err != nil {
			return nil, flagKeyError("--operator-key", err)
		}
		return k.PublicKey, nil
	case o.PublicKey != "":
		pub, err := base64.StdEncoding.DecodeString(o.PublicKey)
		if err != nil || len(pub) != crypto.PublicKeyBytes {
			return nil, usageError{fmt.Errorf("--public-key: want %d bytes in base64", crypto.PublicKeyBytes)}
		}
		return pub, nil
	}
	return nil, usageError{fmt.Errorf("--operator-key or --public-key: the operator's key is required")}
}

func runOperatorRegister(cmd *cobra.Command, g *Globals, o *OperatorRegisterOptions) error {
	msg, res, err := registerOrResume(cmd, g, o)
	if err != nil {
		return err
	}
	out := map[string]any{"operator": msg, "committed": res}
	g.emit(out, func(w io.Writer) {
		fmt.Fprintf(w, "operator %s registered at height %d: %s, account %s (%s)\n",
			msg.ID, res.Height, msg.Address, fiat.IBAN(msg.Account.IBAN).Print(), msg.Account.Currency)
	})
	return nil
}

func registerOrResume(cmd *cobra.Command, g *Globals, o *OperatorRegisterOptions) (*txn.RegisterOperator, client.Committed, error) {
	if o.Resume != "" {
		c, err := g.dial(cmd.Context())
		if err != nil {
			return nil, client.Committed{}, err
		}
		tx, res, err := g.outbox().resume(cmd.Context(), c, "operator register", o.Resume)
		if err != nil {
			return nil, client.Committed{}, err
		}
		return tx.Msg.(*txn.RegisterOperator), res, nil
	}
	msg, err := o.message(g)
	if err != nil {
		return nil, client.Committed{}, err
	}
	if err := msg.Validate(); err != nil {
		return nil, client.Committed{}, usageError{err}
	}
	key, c, err := g.signer(cmd.Context(), o.From)
	if err != nil {
		return nil, client.Committed{}, err
	}
	_, res, err := g.outbox().send(cmd.Context(), c, "operator register", msg, key)
	return msg, res, err
}

func runOperatorList(cmd *cobra.Command, g *Globals) error {
	c, err := g.dial(cmd.Context())
	if err != nil {
		return err
	}
	ops, err := c.Operators(cmd.Context())
	if err != nil {
		return err
	}
	g.emit(ops, func(w io.Writer) {
		for _, op := range ops {
			fmt.Fprintf(w, "%-12s %s  %s %s  outstanding %s of cap %s", op.ID, op.Address,
				fiat.IBAN(op.Account.IBAN).Print(), op.Account.Currency,
				formatChips(op.IssuedChips-op.BurnedChips), formatChips(op.CapChips))
			if op.ShortfallChips > 0 {
				fmt.Fprintf(w, "  SHORTFALL %s", formatChips(op.ShortfallChips))
			}
			fmt.Fprintln(w)
		}
	})
	return nil
}
