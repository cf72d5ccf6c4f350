package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/txn"
)

// CountersignedFile is the buyer's transaction carrying the receipt; anyone may submit it.
type CountersignedFile struct {
	ChainID string `json:"chain_id"`
	OrderID string `json:"order_id"`
	Tx      []byte `json:"tx"`
}

// ReceiptCreateOptions are the flags of `chipmint receipt create`.
type ReceiptCreateOptions struct {
	From      string
	Order     string
	Amount    string
	BankRef   string
	PayerIBAN string
	Out       string
}

// NewCmdReceipt is `chipmint receipt`: variant B, the receipt the buyer countersigns.
func NewCmdReceipt(g *Globals) *cobra.Command {
	cmd := &cobra.Command{Use: "receipt", Short: "Confirm a payment by a receipt the buyer countersigns"}
	o := &ReceiptCreateOptions{}
	create := &cobra.Command{
		Use: "create", Short: "Write a receipt for a received payment, signed by the operator", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runReceiptCreate(cmd, g, o) },
	}
	create.Flags().StringVar(&o.From, "from", "", "operator key that signs")
	create.Flags().StringVar(&o.Order, "order", "", "order id or RF payment reference")
	create.Flags().StringVar(&o.Amount, "amount", "", "amount received, e.g. 100.00")
	create.Flags().StringVar(&o.BankRef, "bank-ref", "", "the bank's reference of the credit")
	create.Flags().StringVar(&o.PayerIBAN, "payer-iban", "", "the IBAN the payment came from")
	create.Flags().StringVar(&o.Out, "out", "receipt.json", "file to write")
	var from, in, out string
	sign := &cobra.Command{
		Use: "sign", Short: "Check a receipt and countersign it as the buyer", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runReceiptSign(cmd, g, from, in, out) },
	}
	sign.Flags().StringVar(&from, "from", "", "buyer key that countersigns")
	sign.Flags().StringVar(&in, "in", "receipt.json", "receipt file from the operator")
	sign.Flags().StringVar(&out, "out", "receipt.signed.json", "file to write")
	var submitIn string
	sub := &cobra.Command{
		Use: "submit", Short: "Submit a countersigned receipt to the chain", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runReceiptSubmit(cmd, g, submitIn) },
	}
	sub.Flags().StringVar(&submitIn, "in", "receipt.signed.json", "countersigned receipt file")
	cmd.AddCommand(create, sign, sub)
	return cmd
}

func runReceiptCreate(cmd *cobra.Command, g *Globals, o *ReceiptCreateOptions) error {
	if o.Order == "" || o.Amount == "" || o.BankRef == "" || o.PayerIBAN == "" {
		return usageError{fmt.Errorf("--order, --amount, --bank-ref and --payer-iban are required")}
	}
	orderID, err := orderIDArg("--order", o.Order)
	if err != nil {
		return err
	}
	key, c, err := g.signer(cmd.Context(), o.From)
	if err != nil {
		return err
	}
	rf, err := createReceipt(cmd.Context(), c, key, orderID, o.Amount, o.BankRef, o.PayerIBAN)
	if err != nil {
		return err
	}
	if err := writeJSONFile(o.Out, rf); err != nil {
		return err
	}
	g.emit(map[string]any{"file": o.Out, "receipt": rf}, func(w io.Writer) {
		fmt.Fprintf(w, "receipt for order %s written to %s: %s for %s; send it to the buyer\n", rf.Receipt.OrderID, o.Out,
			formatMoney(rf.Receipt.AmountMinor, rf.Receipt.Currency), formatChips(rf.Receipt.Chips))
	})
	return nil
}

// createReceipt builds and signs the receipt for a payment the operator received.
func createReceipt(ctx context.Context, c *client.Client, key crypto.Signer, orderID, amount, bankRef, payerIBAN string) (txn.ReceiptFile, error) {
	order, err := c.Order(ctx, orderID)
	if err != nil {
		return txn.ReceiptFile{}, fmt.Errorf("--order: %w", err)
	}
	op, err := c.Operator(ctx, order.Operator)
	if err != nil {
		return txn.ReceiptFile{}, err
	}
	addr, err := crypto.AddressOfSigner(key)
	if err != nil {
		return txn.ReceiptFile{}, err
	}
	if addr != op.Address {
		return txn.ReceiptFile{}, usageError{fmt.Errorf("--from: the key is not operator %s's", op.ID)}
	}
	iban, err := fiat.ParseIBAN(payerIBAN)
	if err != nil {
		return txn.ReceiptFile{}, usageError{fmt.Errorf("--payer-iban: %w", err)}
	}
	payer, err := txn.NewAccountOpening(txn.Account{IBAN: iban.String()})
	if err != nil {
		return txn.ReceiptFile{}, err
	}
	amountMinor, err := parseMoney(amount, order.Currency)
	if err != nil {
		return txn.ReceiptFile{}, err
	}
	r, err := txn.NewReceipt(order, op, amountMinor, bankRef, payer)
	if err != nil {
		return txn.ReceiptFile{}, usageError{fmt.Errorf("--amount: %w", err)}
	}
	return txn.IssueReceipt(c.ChainID(), r, payer, key)
}

func runReceiptSign(cmd *cobra.Command, g *Globals, from, in, out string) error {
	b, err := readFile("--in", in)
	if err != nil {
		return err
	}
	var rf txn.ReceiptFile
	if err := json.Unmarshal(b, &rf); err != nil {
		return fmt.Errorf("--in %s: not a receipt file: %w", in, err)
	}
	key, c, err := g.signer(cmd.Context(), from)
	if err != nil {
		return err
	}
	raw, err := countersign(cmd.Context(), c, key, rf)
	if err != nil {
		return err
	}
	cf := CountersignedFile{ChainID: rf.ChainID, OrderID: rf.Receipt.OrderID, Tx: raw}
	if err := writeJSONFile(out, cf); err != nil {
		return err
	}
	tx, err := txn.Parse(raw)
	if err != nil {
		return err
	}
	until := submitUntil(cmd.Context(), c, tx.ValidUntil)
	g.emit(map[string]any{"file": out, "order_id": cf.OrderID, "submit_until": until}, func(w io.Writer) {
		fmt.Fprintf(w, "receipt for order %s countersigned: %s for %s; written to %s\n", rf.Receipt.OrderID,
			formatMoney(rf.Receipt.AmountMinor, rf.Receipt.Currency), formatChips(rf.Receipt.Chips), out)
		fmt.Fprintf(w, "submit it with chipmint receipt submit --in %s: %s; after that, sign it again\n", out, until.submittable())
	})
	return nil
}

// countersign is the wallet's check and signature of a receipt; a receipt for another
// buyer is the --from key's mistake.
func countersign(ctx context.Context, c *client.Client, key crypto.Signer, rf txn.ReceiptFile) ([]byte, error) {
	raw, err := c.Countersign(ctx, rf, key)
	if errors.Is(err, client.ErrReceiptBuyer) {
		return nil, usageError{fmt.Errorf("--from: %w", err)}
	}
	return raw, err
}

func runReceiptSubmit(cmd *cobra.Command, g *Globals, in string) error {
	b, err := readFile("--in", in)
	if err != nil {
		return err
	}
	var cf CountersignedFile
	if err := json.Unmarshal(b, &cf); err != nil || len(cf.Tx) == 0 {
		return fmt.Errorf("--in %s: not a countersigned receipt file", in)
	}
	tx, err := txn.Parse(cf.Tx)
	if err != nil {
		return fmt.Errorf("--in %s: %w", in, err)
	}
	c, err := g.dial(cmd.Context())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), submitTimeout)
	defer cancel()
	res, err := c.Broadcast(ctx, cf.Tx)
	var rej *txn.Error
	switch {
	case errors.As(err, &rej) && rej.Code == txn.Expired:
		return txn.Errorf(rej.Code, "%s: the countersigned receipt could be submitted up to height %d; sign it again with chipmint receipt sign", rej.Reason, tx.ValidUntil)
	case errors.As(err, &rej):
		return err
	case err != nil:
		// The file holds the same bytes for as long as it is kept: submitting it again is
		// the resume.
		return g.outbox().notCommitted(tx, err, "receipt submit --in "+in)
	}
	order, err := c.Order(ctx, cf.OrderID)
	if err != nil {
		return err
	}
	g.emit(map[string]any{"order": order, "committed": res}, func(w io.Writer) {
		fmt.Fprintf(w, "order %s paid by receipt: %s owed (height %d)\n", order.ID, formatChips(order.Chips), res.Height)
	})
	return nil
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
