package cli

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// NewCmdTx is `chipmint tx`: what became of a transaction, by its hash.
func NewCmdTx(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "tx HASH",
		Short: "Show whether a transaction is committed, and with what result; or what the outbox keeps of it",
		Args:  cobra.ExactArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return runTx(cmd, g, args[0]) },
	}
}

// txView is a transaction's status. Status is "committed" (at Height, with Code: ok, or
// the rejection the block recorded) or "not_found": the node has no such transaction in
// a block, or not yet.
type txView struct {
	Hash     string  `json:"hash"`
	Status   string  `json:"status"`
	Height   int64   `json:"height,omitempty"`
	Code     *uint32 `json:"code,omitempty"`
	CodeName string  `json:"code_name,omitempty"`
	Log      string  `json:"log,omitempty"`
	Type     string  `json:"type,omitempty"`
	Nonce    uint64  `json:"nonce,omitempty,string"`
	// Outbox is what this home keeps of the transaction, if it signed it.
	Outbox *txOutboxView `json:"outbox,omitempty"`
}

// txOutboxView is a transaction kept in the outbox: the command that signed it, the
// order it is about, until which height it may be committed and whether that is past.
type txOutboxView struct {
	Command    string `json:"command"`
	OrderID    string `json:"order_id,omitempty"`
	ValidUntil uint64 `json:"valid_until"`
	Expired    bool   `json:"expired"`
	Path       string `json:"path"`
}

func runTx(cmd *cobra.Command, g *Globals, arg string) error {
	hash, ok := parseTxHash(arg)
	if !ok {
		return usageError{fmt.Errorf("HASH: want the 64 hexadecimal digits of a transaction's hash, got %q", arg)}
	}
	ob := g.outbox()
	rec, kept, err := ob.lookup(hash)
	if err != nil {
		return err
	}
	c, err := g.dial(cmd.Context())
	if err != nil {
		return err
	}
	raw, _ := hex.DecodeString(hash)
	v := txView{Hash: hash, Status: "not_found"}
	res, err := c.Tx(cmd.Context(), raw)
	switch {
	case err == nil:
		code := uint32(res.Code)
		v.Status, v.Height, v.Code, v.CodeName, v.Log = "committed", res.Height, &code, res.Code.String(), res.Log
		if tx, err := txn.Parse(res.Tx); err == nil {
			v.Type, v.Nonce = tx.Type.String(), tx.Nonce
		}
	case !errors.Is(err, client.ErrNotFound):
		return err
	}
	if kept {
		height, err := c.Height(cmd.Context())
		if err != nil {
			return err
		}
		v.Outbox = &txOutboxView{Command: rec.Command, OrderID: rec.OrderID, ValidUntil: rec.ValidUntil,
			Expired: uint64(height) >= rec.ValidUntil, Path: ob.path(rec)}
		if tx, err := txn.Parse(rec.Tx); err == nil && v.Type == "" {
			v.Type, v.Nonce = tx.Type.String(), tx.Nonce
		}
	}
	g.emit(v, func(w io.Writer) { printTx(w, ob, v) })
	return nil
}

func printTx(w io.Writer, ob outbox, v txView) {
	switch {
	case v.Status == "committed" && *v.Code == uint32(txn.OK):
		fmt.Fprintf(w, "transaction %s: committed at height %d: %s (code 0)\n", v.Hash, v.Height, v.CodeName)
	case v.Status == "committed":
		fmt.Fprintf(w, "transaction %s: committed at height %d, rejected there: %s (code %d): %s\n", v.Hash, v.Height, v.CodeName, *v.Code, v.Log)
	default:
		fmt.Fprintf(w, "transaction %s: not found on the node (yet)\n", v.Hash)
	}
	if v.Type != "" {
		fmt.Fprintf(w, "type        %s, nonce %d\n", v.Type, v.Nonce)
	}
	o := v.Outbox
	if o == nil {
		return
	}
	if o.OrderID != "" {
		fmt.Fprintf(w, "order       %s\n", o.OrderID)
	}
	fmt.Fprintf(w, "kept        by \"chipmint %s\" in %s\n", o.Command, o.Path)
	switch {
	case v.Status == "committed":
	case o.Expired:
		fmt.Fprintf(w, "expired     at height %d: it can no longer be committed\n", o.ValidUntil)
	default:
		fmt.Fprintf(w, "valid until height %d: send it again with %s\n", o.ValidUntil, ob.hint(resumeArgs(o.Command, v.Hash, o.OrderID)))
	}
}
