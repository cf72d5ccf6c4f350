package bench

import (
	"fmt"
	"io"
	"path/filepath"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/abci/example/kvstore"
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/system"
)

// The applications a run can measure: chipmint, or one of its baselines.
const (
	AppChipmint = "chipmint"
	// AppKVStore is CometBFT's example kvstore, which checks no signature: the engine's
	// ceiling.
	AppKVStore = "kvstore"
	// AppSigned is SignedApp, which checks one Ed25519 signature per transaction and
	// nothing else: the ceiling of an application that must verify what it commits.
	AppSigned = "signed"
)

// Baselines are the applications chipmint can be compared with.
var Baselines = []string{AppKVStore, AppSigned}

// baseline is an application run in chipmint's place, on the same node configuration,
// with the same load generator and follower, under a load of its own of the size of
// chipmint's transfers.
type baseline struct {
	app system.NewApp
	// txs builds count distinct transactions of size bytes each, signed, if the
	// application wants them signed, by keys different keys in turn.
	txs func(count, size, keys int) ([][]byte, error)
}

var baselines = map[string]baseline{
	AppKVStore: {
		app: kvstoreApp,
		txs: func(count, size, _ int) ([][]byte, error) { return kvstoreTxs(count, size), nil },
	},
	AppSigned: {
		app: func(string) (abci.Application, io.Closer, error) { return NewSignedApp(), nil, nil },
		txs: signedTxs,
	},
}

// kvstoreApp is CometBFT's example kvstore on pebble, with chipmint's pebble options.
func kvstoreApp(home string) (abci.Application, io.Closer, error) {
	db, err := dbm.NewPebbleDBWithOpts("kvstore", filepath.Join(home, "data"), store.PebbleOptions())
	if err != nil {
		return nil, nil, fmt.Errorf("bench: kvstore state: %w", err)
	}
	return kvstore.NewApplication(db), db, nil
}
