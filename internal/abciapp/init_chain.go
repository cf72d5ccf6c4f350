package abciapp

import (
	"context"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
)

// InitChain writes the genesis state: the issuers. A genesis without issuers stops the
// node here rather than start a chain that can never mint.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	if req.ChainId != a.chainID {
		return nil, fmt.Errorf("abciapp: genesis chain id %q, app configured for %q", req.ChainId, a.chainID)
	}
	g, err := ledger.ParseGenesis(req.AppStateBytes)
	if err != nil {
		return nil, fmt.Errorf("abciapp: init chain: %w", err)
	}
	genesis := store.NewOverlay(a.db)
	if err := ledger.InitGenesis(genesis, g); err != nil {
		return nil, fmt.Errorf("abciapp: init chain: %w", err)
	}
	changes := genesis.Changes()
	meta := store.Meta{Height: req.InitialHeight - 1, AppHash: store.AppHash(nil, req.InitialHeight-1, changes)}
	if err := a.db.Commit(changes, meta); err != nil {
		return nil, err
	}
	a.setCommitted(meta)
	a.params = ledger.GetParams(a.db)
	return &abci.ResponseInitChain{AppHash: meta.AppHash}, nil
}
