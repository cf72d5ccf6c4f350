package cli

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

// outboxRecord is a signed transaction as the outbox keeps it, in
// <home>/outbox/<hash>.json: written, and synced, before the transaction is broadcast,
// so that whatever happens next the same bytes can be sent again.
type outboxRecord struct {
	Hash    string `json:"hash"`
	Command string `json:"command"`
	ChainID string `json:"chain_id"`
	Nonce   uint64 `json:"nonce,string"`
	// ValidUntil is the last height whose block may include the transaction.
	ValidUntil uint64 `json:"valid_until"`
	// OrderID is the order the transaction opens (a buy request) or is about.
	OrderID string    `json:"order_id,omitempty"`
	Created time.Time `json:"created"`
	// Tx is the signed transaction, base64 in the file.
	Tx []byte `json:"tx"`
}

// commandTypes are the commands that keep their transactions in the outbox, with the
// type of transaction each signs; a command of a controlled action signs its proposal
// instead when one issuer may not send it (see signs).
var commandTypes = map[string]txn.Type{
	"buy": txn.TypeBuyRequest, "confirm": txn.TypeConfirmPayment, "issue": txn.TypeIssue,
	"send": txn.TypeTransfer, "operator register": txn.TypeRegisterOperator, "reverse": txn.TypeReversePayment,
	"redeem": txn.TypeRedeem, "redemption reject": txn.TypeRejectRedemption, "redemption return": txn.TypeReturnPayout, "restore": txn.TypeRestoreRedemption,
	"cancel": txn.TypeCancelOrder, "accept": txn.TypeAcceptPartial, "hold": txn.TypeHoldOrder, "release": txn.TypeReleaseOrder,
	"pause": txn.TypePause, "unpause": txn.TypeUnpause, "freeze": txn.TypeFreeze, "unfreeze": txn.TypeUnfreeze,
	"operator update": txn.TypeUpdateOperator, "operator revoke": txn.TypeRevokeOperator,
	"issuer approve": txn.TypeApprove, "issuer add": txn.TypeAddIssuer, "issuer remove": txn.TypeRemoveIssuer,
	"issuer threshold": txn.TypeSetIssuerThreshold, "validator add": txn.TypeSetValidator, "validator remove": txn.TypeSetValidator,
	"auditor add": txn.TypeAddAuditor, "auditor remove": txn.TypeRemoveAuditor,
	"operator cover": txn.TypeCoverShortfall,
}

// outbox is the folder of a home where signed transactions wait for their block;
// done/ beneath it holds those the chain has answered (committed or rejected) or that
// expired. docs/decisions/0019-outbox.md says why.
type outbox struct {
	home string
	// warn receives what goes wrong after a transaction is committed, which must not
	// fail the command.
	warn io.Writer
}

func (g *Globals) outbox() outbox { return outbox{home: g.Home, warn: g.Err} }

func (o outbox) dir() string     { return filepath.Join(o.home, "outbox") }
func (o outbox) doneDir() string { return filepath.Join(o.dir(), "done") }

// send signs msg with key and a fresh nonce, keeps it in the outbox and broadcasts it
// (see deliver). A transaction that could not be kept is not sent.
func (o outbox) send(ctx context.Context, c *client.Client, command string, msg txn.Msg, key crypto.Signer) (*txn.Signed, client.Committed, error) {
	nonce, err := client.NewNonce()
	if err != nil {
		return nil, client.Committed{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	raw, err := c.Sign(ctx, msg, key, nonce)
	if err != nil {
		return nil, client.Committed{}, err
	}
	tx, err := txn.Parse(raw)
	if err != nil {
		return nil, client.Committed{}, fmt.Errorf("the signed transaction does not parse: %w", err)
	}
	rec := outboxRecord{
		Hash: fmt.Sprintf("%X", tx.Hash), Command: command, ChainID: c.ChainID(), Nonce: tx.Nonce,
		ValidUntil: tx.ValidUntil, OrderID: orderOf(tx), Created: time.Now().UTC(), Tx: raw,
	}
	if err := o.keep(rec); err != nil {
		return nil, client.Committed{}, fmt.Errorf("nothing was sent: %w", err)
	}
	res, err := o.deliver(ctx, c, rec, tx)
	return tx, res, err
}

// resume sends the kept transaction of command that ref names (its hash, or the order
// it is about) again: the same bytes, so the same nonce, which the chain accepts once.
// One the chain already has is reported as it was committed, or rejected; one that
// expired is an error saying so, and nothing is sent.
func (o outbox) resume(ctx context.Context, c *client.Client, command, ref string) (*txn.Signed, client.Committed, error) {
	rec, err := o.find(command, ref)
	if err != nil {
		return nil, client.Committed{}, err
	}
	tx, err := txn.Parse(rec.Tx)
	if err != nil || fmt.Sprintf("%X", tx.Hash) != rec.Hash || !signs(command, tx) {
		return nil, client.Committed{}, fmt.Errorf("%s is damaged: its transaction is not the %s %s", o.path(rec), commandTypes[command], rec.Hash)
	}
	if rec.ChainID != c.ChainID() {
		return nil, client.Committed{}, fmt.Errorf("transaction %s was signed for chain %q; the node runs %q", rec.Hash, rec.ChainID, c.ChainID())
	}
	ctx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	height, err := c.Height(ctx)
	if err != nil {
		return nil, client.Committed{}, err
	}
	if uint64(height) >= tx.ValidUntil {
		// No block to come may include it: whether one did is for the node's index to
		// say, once it has indexed every block up to valid_until.
		if err := waitHeight(ctx, c, tx.ValidUntil+settleBlocks); err != nil {
			return nil, client.Committed{}, fmt.Errorf("transaction %s: %w", rec.Hash, err)
		}
	}
	res, found, err := committed(ctx, c, tx)
	switch {
	case err != nil:
		return nil, client.Committed{}, err
	case found:
		o.finish(rec)
		return tx, res.committed, res.err
	case uint64(height) >= tx.ValidUntil:
		o.finish(rec)
		return nil, client.Committed{}, fmt.Errorf("%s, transaction %s, expired at height %d and was never committed: nothing was sent again, so nothing happened twice; run %s again to sign a new one",
			describe(tx), rec.Hash, tx.ValidUntil, o.hint(command))
	}
	res2, err := o.deliver(ctx, c, rec, tx)
	return tx, res2, err
}

// settleBlocks is how many blocks past a height the chain must be before the node's
// index is trusted to hold every transaction up to that height: it indexes a block
// after committing it, in the background.
const settleBlocks = 2

// waitHeight waits until the chain's latest height is at least h.
func waitHeight(ctx context.Context, c *client.Client, h uint64) error {
	for {
		height, err := c.Height(ctx)
		if err != nil {
			return err
		}
		if uint64(height) >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the chain did not reach height %d: %w", h, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// outcome is a transaction the node found in a block: committed, or rejected there.
type outcome struct {
	committed client.Committed
	err       error
}

// committed looks tx up among the committed transactions.
func committed(ctx context.Context, c *client.Client, tx *txn.Signed) (outcome, bool, error) {
	res, err := c.Tx(ctx, tx.Hash[:])
	switch {
	case errors.Is(err, client.ErrNotFound):
		return outcome{}, false, nil
	case err != nil:
		return outcome{}, false, err
	case res.Code != txn.OK:
		return outcome{err: &txn.Error{Code: res.Code, Reason: res.Log}}, true, nil
	}
	return outcome{committed: client.Committed{Hash: res.Hash, Height: res.Height, Nonce: tx.Nonce}}, true, nil
}

// deliver broadcasts a kept transaction and waits for its block. Once the chain has
// answered, committed or rejected, the record moves to done/; a transaction whose fate
// is unknown (not committed in time, the node unreachable) stays in the outbox and the
// error says how to look it up and send it again.
func (o outbox) deliver(ctx context.Context, c *client.Client, rec outboxRecord, tx *txn.Signed) (client.Committed, error) {
	res, err := c.Broadcast(ctx, rec.Tx)
	var rej *txn.Error
	switch {
	case err == nil:
	case errors.As(err, &rej) && rej.Code == txn.Replayed:
		// The node may refuse as a replay the very bytes it committed before.
		out, found, lookErr := committed(ctx, c, tx)
		if lookErr != nil || !found {
			return client.Committed{}, err
		}
		res, err = out.committed, out.err
	case errors.As(err, &rej):
	default:
		return client.Committed{}, o.notCommitted(tx, err, resumeArgs(rec.Command, rec.Hash, rec.OrderID))
	}
	o.finish(rec)
	return res, err
}

// notCommitted is the error of a transaction that may or may not reach a block: what it
// does, its hash, how to look it up, and the command (again) that sends the same bytes
// again.
func (o outbox) notCommitted(tx *txn.Signed, cause error, again string) error {
	what := "was not seen committed (" + cause.Error() + ") and may still be"
	switch {
	case errors.Is(cause, context.Canceled):
		what = "was not seen committed before the command was interrupted, and may still be"
	case errors.Is(cause, client.ErrNotCommitted):
		what = fmt.Sprintf("was not committed within %s and may still be", submitTimeout)
	}
	if _, ok := tx.Msg.(*txn.BuyRequest); ok {
		what += "; do not pay before the order is on the chain"
	}
	hash := fmt.Sprintf("%X", tx.Hash)
	return notCommittedError{
		msg: fmt.Sprintf("%s, transaction %s, %s. Look it up with %s, or send the same transaction again with %s: it keeps its nonce, so it cannot happen twice",
			describe(tx), hash, what, o.hint("tx "+hash), o.hint(again)),
		cause: cause,
	}
}

// notCommittedError is a transaction whose block the command did not see; it wraps the
// cause, such as client.ErrNotCommitted.
type notCommittedError struct {
	msg   string
	cause error
}

func (e notCommittedError) Error() string { return e.msg }
func (e notCommittedError) Unwrap() error { return e.cause }

// describe names tx by what it does once committed: for a buy request, the order it
// opens and the reference that pays it.
func describe(tx *txn.Signed) string {
	switch m := tx.Msg.(type) {
	case *txn.BuyRequest:
		id := txn.OrderID(tx.Sender, tx.Nonce)
		return fmt.Sprintf("the buy request for order %s (payment reference %s)", id, txn.PaymentReference(id))
	case *txn.ConfirmPayment:
		return fmt.Sprintf("the confirmation of order %s's payment", m.OrderID)
	case *txn.SubmitReceipt:
		return fmt.Sprintf("the receipt for order %s", m.Receipt.OrderID)
	case *txn.Issue:
		return fmt.Sprintf("the issue of %s for order %s", formatChips(m.Chips), m.OrderID)
	case *txn.Transfer:
		return fmt.Sprintf("the transfer of %s to %s", formatChips(m.AmountChips), m.To)
	case *txn.RegisterOperator:
		return fmt.Sprintf("the registration of operator %s", m.ID)
	case *txn.ReversePayment:
		return fmt.Sprintf("the reversal of the payment with bank reference %s", m.BankReference)
	case *txn.CoverShortfall:
		return fmt.Sprintf("the cover of the shortfall by the credit with bank reference %s", m.BankReference)
	case *txn.Redeem:
		return fmt.Sprintf("the redemption %s of %s through operator %s", txn.RedemptionID(tx.Sender, tx.Nonce), formatChips(m.AmountChips), m.Operator)
	case *txn.RejectRedemption:
		return fmt.Sprintf("the rejection of redemption %s", m.RedemptionID)
	case *txn.RestoreRedemption:
		return fmt.Sprintf("the restoration of redemption %s", m.RedemptionID)
	case *txn.CancelOrder:
		return fmt.Sprintf("the cancellation of order %s", m.OrderID)
	case *txn.AcceptPartial:
		return fmt.Sprintf("the acceptance of underpaid order %s", m.OrderID)
	case *txn.HoldOrder:
		return fmt.Sprintf("the hold of order %s", m.OrderID)
	case *txn.ReleaseOrder:
		return fmt.Sprintf("the release of order %s", m.OrderID)
	case *txn.Propose:
		return fmt.Sprintf("%s, proposal %s", summary(m), txn.ProposalID(tx.Sender, tx.Nonce))
	}
	return summary(tx.Msg)
}

// orderOf is the order a transaction opens or is about, if any.
func orderOf(tx *txn.Signed) string {
	switch m := tx.Msg.(type) {
	case *txn.BuyRequest:
		return txn.OrderID(tx.Sender, tx.Nonce)
	case *txn.ConfirmPayment:
		return m.OrderID
	case *txn.SubmitReceipt:
		return m.Receipt.OrderID
	case *txn.Issue:
		return m.OrderID
	case *txn.CancelOrder:
		return m.OrderID
	case *txn.AcceptPartial:
		return m.OrderID
	case *txn.HoldOrder:
		return m.OrderID
	case *txn.ReleaseOrder:
		return m.OrderID
	case *txn.Propose:
		// The proposal of an Issue is about its order.
		if action, err := m.Message(); err == nil {
			if issue, ok := action.(*txn.Issue); ok {
				return issue.OrderID
			}
		}
	}
	return ""
}

// resumeArgs are the arguments that resume a kept transaction: a buy by the order it
// opens, which the buyer knows it by, anything else by its hash.
func resumeArgs(command, hash, orderID string) string {
	if command == "buy" {
		return command + " --resume " + orderID
	}
	return command + " --resume " + hash
}

// hint is a chipmint command line for this home.
func (o outbox) hint(args string) string {
	if o.home != defaultHome() {
		return fmt.Sprintf("\"chipmint --home %s %s\"", o.home, args)
	}
	return fmt.Sprintf("\"chipmint %s\"", args)
}

// keep writes rec durably: to a temporary file, synced, renamed to <hash>.json, and the
// folder synced, so that after a crash the record is whole or absent.
func (o outbox) keep(rec outboxRecord) error {
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.dir(), 0o700); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	f, err := os.CreateTemp(o.dir(), rec.Hash+".*.tmp")
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(o.dir(), rec.Hash+".json"))
	}
	if err != nil {
		return errors.Join(fmt.Errorf("outbox: keep %s: %w", rec.Hash, err), os.Remove(f.Name()))
	}
	return syncDir(o.dir())
}

// finish moves a record the chain has answered to done/. It runs after the answer is
// known, so a failure is only told: the record stays, and a resume finds it answered.
func (o outbox) finish(rec outboxRecord) {
	from := filepath.Join(o.dir(), rec.Hash+".json")
	if _, err := os.Stat(from); errors.Is(err, fs.ErrNotExist) {
		return
	}
	err := os.MkdirAll(o.doneDir(), 0o700)
	if err == nil {
		err = os.Rename(from, filepath.Join(o.doneDir(), rec.Hash+".json"))
	}
	if err == nil {
		err = errors.Join(syncDir(o.doneDir()), syncDir(o.dir()))
	}
	if err != nil {
		fmt.Fprintf(o.warn, "warning: outbox: %s stays in %s: %v\n", rec.Hash, o.dir(), err)
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return errors.Join(d.Sync(), d.Close())
}

// path is where rec is kept.
func (o outbox) path(rec outboxRecord) string {
	if p := filepath.Join(o.dir(), rec.Hash+".json"); fileExists(p) {
		return p
	}
	return filepath.Join(o.doneDir(), rec.Hash+".json")
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// lookup finds the record of a transaction hash in the outbox or in done/.
func (o outbox) lookup(hash string) (outboxRecord, bool, error) {
	for _, dir := range []string{o.dir(), o.doneDir()} {
		b, err := os.ReadFile(filepath.Join(dir, hash+".json"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return outboxRecord{}, false, fmt.Errorf("outbox: %w", err)
		}
		var rec outboxRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return outboxRecord{}, false, fmt.Errorf("outbox: %s: %w", filepath.Join(dir, hash+".json"), err)
		}
		return rec, true, nil
	}
	return outboxRecord{}, false, nil
}

// find is the record of command that ref names: a transaction hash, or an order id,
// preferring among the records about one order those the chain has not answered yet.
func (o outbox) find(command, ref string) (outboxRecord, error) {
	if hash, ok := parseTxHash(ref); ok {
		rec, found, err := o.lookup(hash)
		switch {
		case err != nil:
			return outboxRecord{}, err
		case !found:
			return outboxRecord{}, fmt.Errorf("--resume: no transaction %s in %s", hash, o.dir())
		case rec.Command != command:
			return outboxRecord{}, usageError{fmt.Errorf("--resume: transaction %s was signed by \"chipmint %s\": resume it with %s", hash, rec.Command, o.hint(resumeArgs(rec.Command, hash, rec.OrderID)))}
		}
		return rec, nil
	}
	if !slices.Contains([]string{"buy", "confirm", "issue", "cancel", "accept", "hold", "release"}, command) {
		return outboxRecord{}, usageError{fmt.Errorf("--resume: want the hash of a transaction (64 hexadecimal digits), got %q", ref)}
	}
	id, err := txn.ParseOrderID(ref)
	if err != nil {
		return outboxRecord{}, usageError{fmt.Errorf("--resume: want an order id, its RF reference or a transaction hash: %w", err)}
	}
	var pending, done []outboxRecord
	for _, dir := range []string{o.dir(), o.doneDir()} {
		recs, err := o.scan(dir)
		if err != nil {
			return outboxRecord{}, err
		}
		for _, rec := range recs {
			if rec.Command == command && rec.OrderID == id {
				if dir == o.dir() {
					pending = append(pending, rec)
				} else {
					done = append(done, rec)
				}
			}
		}
	}
	candidates := pending
	if len(candidates) == 0 {
		candidates = done
	}
	switch len(candidates) {
	case 0:
		return outboxRecord{}, fmt.Errorf("--resume: no transaction of \"chipmint %s\" for order %s in %s", command, id, o.dir())
	case 1:
		return candidates[0], nil
	}
	hashes := make([]string, len(candidates))
	for i, rec := range candidates {
		hashes[i] = rec.Hash
	}
	return outboxRecord{}, usageError{fmt.Errorf("--resume: %d transactions of \"chipmint %s\" for order %s; name one by its hash: %s",
		len(candidates), command, id, strings.Join(hashes, ", "))}
}

// scan reads the records of one folder.
func (o outbox) scan(dir string) ([]outboxRecord, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	var recs []outboxRecord
	for _, e := range entries {
		hash, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		var rec outboxRecord
		if err := json.Unmarshal(b, &rec); err != nil || rec.Hash != hash {
			return nil, fmt.Errorf("outbox: %s is not a kept transaction", filepath.Join(dir, e.Name()))
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// parseTxHash reads a transaction hash, 32 bytes in hexadecimal of either case, into
// the upper-case form the outbox and the node's answers use.
func parseTxHash(s string) (string, bool) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return "", false
	}
	return strings.ToUpper(s), true
}
