package abciapp

import (
	"context"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"
)

// Info reports the last committed height and app hash, from which CometBFT decides
// which blocks to replay after a restart.
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	committed := a.lastCommitted()
	return &abci.ResponseInfo{
		Data:             "chipmint",
		Version:          "chipmint/" + strconv.FormatUint(Version, 10),
		AppVersion:       Version,
		LastBlockHeight:  committed.Height,
		LastBlockAppHash: committed.AppHash,
	}, nil
}
