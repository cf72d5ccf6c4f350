package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"sync"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
)

// transferBytes is the size of a chipmint transfer as the bench signs it.
func transferBytes(t *testing.T) int {
	t.Helper()
	sample, err := sampleTransfer()
	if err != nil {
		t.Fatal(err)
	}
	return len(sample)
}

func checkTx(t *testing.T, app *SignedApp, tx []byte) *abci.ResponseCheckTx {
	t.Helper()
	res, err := app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func finalize(t *testing.T, app *SignedApp, height int64, txs ...[]byte) *abci.ResponseFinalizeBlock {
	t.Helper()
	res, err := app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: height, Txs: txs})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.TxResults) != len(txs) {
		t.Fatalf("%d results for %d transactions", len(res.TxResults), len(txs))
	}
	return res
}

// tampered returns a copy of tx with one bit of byte i flipped.
func tampered(tx []byte, i int) []byte {
	b := bytes.Clone(tx)
	b[i] ^= 1
	return b
}

func TestSignedAppRefusesWhatDoesNotVerify(t *testing.T) {
	size := transferBytes(t)
	good := signTx(newKey(), []byte("payload"), size)
	bad := map[string][]byte{
		"signature altered": tampered(good, size-1),
		"payload altered":   tampered(good, 40),
		"key altered":       tampered(good, 0),
		"another key":       append(bytes.Clone(signTx(newKey(), nil, size)[:32]), good[32:]...),
		"too short":         good[:95],
		"empty":             nil,
	}
	app := NewSignedApp()
	if res := checkTx(t, app, good); res.Code != abci.CodeTypeOK {
		t.Fatalf("CheckTx of a good transaction: code %d (%s)", res.Code, res.Log)
	}
	for name, tx := range bad {
		if res := checkTx(t, app, tx); res.Code != SignedCodeBadSignature || res.Codespace != SignedCodespace {
			t.Errorf("CheckTx, %s: code %d in %q, want %d in %q", name, res.Code, res.Codespace, SignedCodeBadSignature, SignedCodespace)
		}
	}
	// A block may hold what this node never checked: a proposer's, or one refused here.
	block := [][]byte{good, bad["signature altered"], bad["payload altered"], bad["another key"], bad["too short"]}
	res := finalize(t, app, 1, block...)
	if r := res.TxResults[0]; r.Code != abci.CodeTypeOK {
		t.Errorf("FinalizeBlock, the good transaction: code %d (%s)", r.Code, r.Log)
	}
	for i, r := range res.TxResults[1:] {
		if r.Code != SignedCodeBadSignature || r.Codespace != SignedCodespace {
			t.Errorf("FinalizeBlock, bad transaction %d: code %d in %q, want %d in %q", i+1, r.Code, r.Codespace, SignedCodeBadSignature, SignedCodespace)
		}
	}
	if want := binary.BigEndian.AppendUint64(nil, 1); !bytes.Equal(res.AppHash, want) {
		t.Errorf("app hash %x, want %x: one transaction committed", res.AppHash, want)
	}
}

func TestSignedAppCommitsWhatVerifies(t *testing.T) {
	size := transferBytes(t)
	key := newKey()
	checked := signTx(key, []byte("checked"), size)
	unchecked := signTx(key, []byte("never checked here"), size)
	app := NewSignedApp()
	if res := checkTx(t, app, checked); res.Code != abci.CodeTypeOK {
		t.Fatalf("CheckTx: code %d (%s)", res.Code, res.Log)
	}
	first := finalize(t, app, 1, checked, unchecked)
	for i, r := range first.TxResults {
		if r.Code != abci.CodeTypeOK {
			t.Errorf("FinalizeBlock, transaction %d: code %d (%s)", i, r.Code, r.Log)
		}
	}
	// What a block held is no longer kept as verified: a copy of it is verified again.
	if len(app.verified) != 0 || len(app.older) != 0 {
		t.Errorf("%d and %d transactions kept as verified after their block, want none", len(app.verified), len(app.older))
	}
	second := finalize(t, app, 2, signTx(key, []byte("third"), size))
	if second.TxResults[0].Code != abci.CodeTypeOK {
		t.Errorf("second block: code %d", second.TxResults[0].Code)
	}
	if bytes.Equal(first.AppHash, second.AppHash) {
		t.Errorf("app hash %x did not change with a committed transaction", second.AppHash)
	}
	info, err := app.Info(context.Background(), &abci.RequestInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if info.LastBlockHeight != 2 || !bytes.Equal(info.LastBlockAppHash, second.AppHash) {
		t.Errorf("Info: height %d, hash %x; want 2, %x", info.LastBlockHeight, info.LastBlockAppHash, second.AppHash)
	}
}

// The signed baseline's load: distinct transactions of the size asked for, each of which
// the application admits, signed by the number of keys asked for.
func TestSignedTxs(t *testing.T) {
	size := transferBytes(t)
	txs, err := signedTxs(50, size, 7)
	if err != nil {
		t.Fatal(err)
	}
	app := NewSignedApp()
	distinct, keys := map[string]bool{}, map[string]bool{}
	for i, tx := range txs {
		if len(tx) != size {
			t.Fatalf("transaction %d is %d bytes, want %d", i, len(tx), size)
		}
		if res := checkTx(t, app, tx); res.Code != abci.CodeTypeOK {
			t.Fatalf("transaction %d: code %d (%s)", i, res.Code, res.Log)
		}
		distinct[string(tx)], keys[string(tx[:32])] = true, true
	}
	if len(distinct) != len(txs) || len(keys) != 7 {
		t.Errorf("%d distinct transactions of %d, %d keys of 7", len(distinct), len(txs), len(keys))
	}
	if _, err := signedTxs(1, signedTxMin-1, 1); err == nil {
		t.Errorf("transactions of %d bytes: no error, want one (at least %d)", signedTxMin-1, signedTxMin)
	}
}

func TestConfigChecksTheBaselines(t *testing.T) {
	valid := Config{Workload: WorkloadTransfer, Clients: 1, Batch: 1, InFlight: 1, Duration: 1, Accounts: 2, Buyers: 1}
	for _, app := range append([]string{AppChipmint}, Baselines...) {
		c := valid
		c.App = app
		if err := c.check(); err != nil {
			t.Errorf("%s: %v", app, err)
		}
		c.Workload = WorkloadPurchase
		if err := c.check(); (err == nil) != (app == AppChipmint) {
			t.Errorf("%s with purchases: error %v", app, err)
		}
	}
	for _, app := range []string{"", "redis"} {
		c := valid
		c.App = app
		if c.check() == nil {
			t.Errorf("application %q: no error", app)
		}
	}
	c := valid
	c.App, c.NodeURL, c.Issuer = AppSigned, "http://127.0.0.1:1", newKey()
	if c.check() == nil {
		t.Errorf("the signed baseline on a running network: no error")
	}
}

// CheckTx runs beside FinalizeBlock, without a lock around the application: whichever
// comes first, each transaction is admitted and committed.
func TestSignedAppConcurrentCalls(t *testing.T) {
	txs, err := signedTxs(400, transferBytes(t), 10)
	if err != nil {
		t.Fatal(err)
	}
	app := NewSignedApp()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for _, tx := range txs[w*100 : (w+1)*100] {
				res, err := app.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
				if err != nil || res.Code != abci.CodeTypeOK {
					t.Errorf("CheckTx: %v, %+v", err, res)
				}
			}
		})
	}
	for h := range int64(8) {
		res := finalize(t, app, h+1, txs[h*50:(h+1)*50]...)
		for _, r := range res.TxResults {
			if r.Code != abci.CodeTypeOK {
				t.Errorf("FinalizeBlock: code %d (%s)", r.Code, r.Log)
			}
		}
	}
	wg.Wait()
	if app.committed != uint64(len(txs)) {
		t.Errorf("%d committed, want %d", app.committed, len(txs))
	}
}
