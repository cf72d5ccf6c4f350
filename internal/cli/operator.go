package cli

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/hsm"
	"github.com/chipmint/chipmint/internal/txn"
)

// OperatorRegisterOptions are the flags of `chipmint operator register`.
type OperatorRegisterOptions struct {
	From      string
	ID        string
	KeyName   string
	PublicKey string
	IBAN      string
	// AccountID, AccountScheme and AccountIssuer identify an account without an IBAN
	// (ISO 20022 Othr), registered by RegisterOperatorAccount; Clearing is its bank's
	// clearing system member id, SYSTEM:MEMBER.
	AccountID     string
	AccountScheme string
	AccountIssuer string
	Clearing      string
	BIC           string
	Holder        string
	Currency      string
	Rate          string
	Cap           string
	Resume        string
}

// NewCmdOperator is `chipmint operator`: financial operators and their bank accounts.
func NewCmdOperator(g *Globals) *cobra.Command {
	cmd := &cobra.Command{Use: "operator", Short: "Register, update and revoke operators, run an operator's bank gateway, list its exceptions"}
	o := &OperatorRegisterOptions{}
	reg := &cobra.Command{
		Use:   "register",
		Short: "Register an operator and its bank account (a controlled action: proposed when the issuers' threshold is above 1)",
		Args:  cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if o.Resume == "" {
				return nil
			}
			return resumeAlone(cmd, "from", "id", "operator-key", "public-key", "iban", "account-id", "account-scheme",
				"account-issuer", "clearing", "bic", "holder", "currency", "rate", "cap")
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return runOperatorRegister(cmd, g, o) },
	}
	f := reg.Flags()
	f.StringVar(&o.From, "from", "", "issuer key that signs")
	f.StringVar(&o.ID, "id", "", "operator id: lower-case letters, digits and '-'")
	f.StringVar(&o.KeyName, "operator-key", "", "the operator's key, by name in this keystore or as a pkcs11: URI")
	f.StringVar(&o.PublicKey, "public-key", "", "the operator's ed25519 public key in base64 (instead of --operator-key)")
	f.StringVar(&o.IBAN, "iban", "", "the operator's bank account IBAN (or --account-id)")
	f.StringVar(&o.AccountID, "account-id", "", "the account's identification at a bank without IBANs, e.g. its account number (instead of --iban)")
	f.StringVar(&o.AccountScheme, "account-scheme", "", "the scheme of --account-id: an ISO 20022 code (BBAN, AIIN, CUID, UPIC) or a proprietary scheme's name")
	f.StringVar(&o.AccountIssuer, "account-issuer", "", "who issued --account-id (optional)")
	f.StringVar(&o.Clearing, "clearing", "", "the bank's clearing system member id with --account-id, e.g. CNAPS:102100099996 (optional)")
	f.StringVar(&o.BIC, "bic", "", "the bank's BIC (required with --iban, optional with --account-id)")
	f.StringVar(&o.Holder, "holder", "", "the account holder's name")
	f.StringVar(&o.Currency, "currency", "EUR", "the account's ISO 4217 currency")
	f.StringVar(&o.Rate, "rate", "1", "chips per unit of currency, e.g. 1 or 0.5")
	f.StringVar(&o.Cap, "cap", "", "most chips outstanding through this operator")
	f.StringVar(&o.Resume, "resume", "", "send the kept registration with this transaction hash again, the same bytes")
	for _, name := range []string{"id", "holder", "cap"} {
		_ = reg.MarkFlagRequired(name)
	}
	list := &cobra.Command{
		Use: "list", Short: "List the registered operators", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runOperatorList(cmd, g) },
	}
	show := &cobra.Command{
		Use: "show ID", Short: "Show an operator: its account, rate, cap and chips", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runOperatorShow(cmd, g, args[0]) },
	}
	cmd.AddCommand(reg, list, show, newCmdOperatorUpdate(g), newCmdOperatorRevoke(g), newCmdOperatorRun(g), newCmdOperatorExceptions(g),
		newCmdOperatorRefund(g), newCmdOperatorCredits(g), newCmdOperatorPayments(g), newCmdOperatorCover(g))
	return cmd
}

// message is the registration the flags ask for: RegisterOperator for an account by
// IBAN, RegisterOperatorAccount for one by another identification.
func (o *OperatorRegisterOptions) message(g *Globals) (txn.Msg, error) {
	switch {
	case o.IBAN != "" && o.AccountID != "":
		return nil, usageError{fmt.Errorf("--iban and --account-id: give one, not both")}
	case o.IBAN == "" && o.AccountID == "":
		return nil, usageError{fmt.Errorf("--iban or --account-id: the operator's account is required")}
	case o.IBAN != "" && (o.AccountScheme != "" || o.AccountIssuer != "" || o.Clearing != ""):
		return nil, usageError{fmt.Errorf("--account-scheme, --account-issuer and --clearing go with --account-id, not --iban")}
	}
	pub, err := o.publicKey(g, "--operator-key")
	if err != nil {
		return nil, err
	}
	account, err := o.account()
	if err != nil {
		return nil, err
	}
	cur, err := fiat.ParseCurrency(o.Currency)
	if err != nil {
		return nil, usageError{fmt.Errorf("--currency: %w", err)}
	}
	account.Holder, account.Currency = o.Holder, cur.Code()
	rate, err := txn.ParseRate(o.Rate, cur)
	if err != nil {
		return nil, usageError{fmt.Errorf("--rate: %w", err)}
	}
	capChips, err := parseChips("--cap", o.Cap)
	if err != nil {
		return nil, err
	}
	if o.IBAN != "" {
		return &txn.RegisterOperator{
			ID: o.ID, Address: crypto.AddressOf(pub), PublicKey: pub,
			Account:  txn.BankAccount{IBAN: account.IBAN, BIC: account.BIC, Holder: account.Holder, Currency: account.Currency},
			Rate:     rate,
			CapChips: capChips,
		}, nil
	}
	return txn.NewRegisterOperatorAccount(o.ID, pub, account, rate, capChips), nil
}

// account reads the account's identification, BIC and clearing member id from the
// flags, in canonical form.
func (o *OperatorRegisterOptions) account() (txn.Account, error) {
	var a txn.Account
	if o.IBAN != "" {
		iban, err := fiat.ParseIBAN(o.IBAN)
		if err != nil {
			return a, usageError{fmt.Errorf("--iban: %w", err)}
		}
		if o.BIC == "" {
			return a, usageError{fmt.Errorf("--bic: the bank's BIC is required with --iban")}
		}
		a.IBAN = iban.String()
	} else {
		other, err := fiat.ParseOtherAccount(o.AccountID, o.AccountScheme, o.AccountIssuer)
		if err != nil {
			return a, usageError{fmt.Errorf("%s: %w", accountFlag(err), err)}
		}
		a.OtherID, a.Scheme, a.Issuer = other.ID, other.Scheme, other.Issuer
	}
	if o.BIC != "" {
		bic, err := fiat.ParseBIC(o.BIC)
		if err != nil {
			return a, usageError{fmt.Errorf("--bic: %w", err)}
		}
		a.BIC = bic.String()
	}
	if o.Clearing != "" {
		c, err := fiat.ParseClearingMember(o.Clearing)
		if err != nil {
			return a, usageError{fmt.Errorf("--clearing: %w", err)}
		}
		a.ClearingSystem, a.ClearingMember = c.System, c.Member
	}
	return a, nil
}

// accountFlag is the flag of the other identification's field that fiat refused.
func accountFlag(err error) string {
	var fe *fiat.FieldError
	if errors.As(err, &fe) {
		switch fe.Field {
		case "scheme":
			return "--account-scheme"
		case "issuer":
			return "--account-issuer"
		}
	}
	return "--account-id"
}

// registration is what people are told of a registration of either type.
func registration(msg txn.Msg) (id string, address crypto.Address, account txn.Account) {
	switch m := msg.(type) {
	case *txn.RegisterOperator:
		return m.ID, m.Address, m.Account.Account()
	case *txn.RegisterOperatorAccount:
		return m.ID, m.Address, m.Account
	}
	return "", crypto.Address{}, txn.Account{}
}

// publicKey is the key named by keyFlag (KeyName, in this keystore or on a token) or by
// --public-key (PublicKey): one of the two.
func (o *OperatorRegisterOptions) publicKey(g *Globals, keyFlag string) ([]byte, error) {
	switch {
	case o.KeyName != "" && o.PublicKey != "":
		return nil, usageError{fmt.Errorf("%s and --public-key: give one, not both", keyFlag)}
	case hsm.IsURI(o.KeyName):
		key, err := g.unlockFlag(keyFlag, o.KeyName)
		if err != nil {
			return nil, err
		}
		return crypto.PublicKeyOf(key)
	case o.KeyName != "":
		ks, err := g.keystore()
		if err != nil {
			return nil, err
		}
		k, err := ks.Show(o.KeyName)
		if err != nil {
			return nil, flagKeyError(keyFlag, err)
		}
		return k.PublicKey, nil
	case o.PublicKey != "":
		pub, err := base64.StdEncoding.DecodeString(o.PublicKey)
		if err != nil || len(pub) != crypto.PublicKeyBytes {
			return nil, usageError{fmt.Errorf("--public-key: want %d bytes in base64", crypto.PublicKeyBytes)}
		}
		return pub, nil
	}
	return nil, usageError{fmt.Errorf("%s or --public-key: the key is required", keyFlag)}
}

func runOperatorRegister(cmd *cobra.Command, g *Globals, o *OperatorRegisterOptions) error {
	ctx := cmd.Context()
	tx, res, c, err := g.controlledOrResumed(ctx, "operator register", signedFlags{From: o.From, Resume: o.Resume}, func() (txn.Msg, error) {
		return o.message(g)
	})
	if err != nil {
		return err
	}
	if id, ok := proposed(tx); ok {
		return g.emitProposed(ctx, c, id, res)
	}
	out := map[string]any{"operator": tx.Msg, "committed": res}
	id, addr, account := registration(tx.Msg)
	g.emit(out, func(w io.Writer) {
		fmt.Fprintf(w, "operator %s registered at height %d: %s, account %s (%s)\n",
			id, res.Height, addr, account, account.Currency)
	})
	return nil
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
			account := op.PaymentAccount()
			fmt.Fprintf(w, "%-12s %s  %s %s  outstanding %s of cap %s", op.ID, op.Address, account, account.Currency,
				formatChips(op.OutstandingChips()), formatChips(op.CapChips))
			if op.EscrowChips > 0 {
				fmt.Fprintf(w, "  escrow %s", formatChips(op.EscrowChips))
			}
			if op.ShortfallChips > 0 {
				fmt.Fprintf(w, "  SHORTFALL %s", formatChips(op.ShortfallChips))
			}
			fmt.Fprintln(w)
		}
	})
	return nil
}

func runOperatorShow(cmd *cobra.Command, g *Globals, id string) error {
	c, err := g.dial(cmd.Context())
	if err != nil {
		return err
	}
	op, err := readOperator(cmd.Context(), c, id)
	if err != nil {
		return err
	}
	g.emit(op, func(w io.Writer) {
		account := op.PaymentAccount()
		fmt.Fprintf(w, "operator     %s %s, registered at height %d\n", op.ID, op.Address, op.RegisteredHeight)
		fmt.Fprintf(w, "account      %s, %s (%s)\n", account.Holder, account, account.Currency)
		fmt.Fprintf(w, "rate         %s per %s\n", formatChips(op.Rate.Chips), formatMoney(op.Rate.Minor, account.Currency))
		fmt.Fprintf(w, "outstanding  %s of cap %s (issued %s, burned %s)\n", formatChips(op.OutstandingChips()), formatChips(op.CapChips),
			formatChips(op.IssuedChips), formatChips(op.BurnedChips))
		fmt.Fprintf(w, "escrow       %s: redeemed, waiting for their payouts\n", formatChips(op.EscrowChips))
		if op.ShortfallChips > 0 {
			fmt.Fprintf(w, "SHORTFALL    %s issued against payments the bank reversed\n", formatChips(op.ShortfallChips))
		}
		if op.CoveredChips > 0 {
			fmt.Fprintf(w, "covered      %s of its shortfall backed by its own money since\n", formatChips(op.CoveredChips))
		}
	})
	return nil
}
