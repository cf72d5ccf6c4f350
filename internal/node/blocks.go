package node

import (
	"fmt"

	cfg "github.com/cometbft/cometbft/config"
	cmtstore "github.com/cometbft/cometbft/store"
)

// EachBlockTx calls fn with every transaction of every block a stopped node's home
// keeps, in order: what anyone who holds a copy of the chain can read. It holds the
// home's lock while it reads.
func EachBlockTx(home string, fn func(height int64, tx []byte) error) error {
	conf, err := LoadConfig(home)
	if err != nil {
		return err
	}
	lock, err := lockHome(home)
	if err != nil {
		return err
	}
	defer lock.Close()
	db, err := dbProvider(&cfg.DBContext{ID: "blockstore", Config: conf})
	if err != nil {
		return fmt.Errorf("node: open the block store: %w", err)
	}
	bs := cmtstore.NewBlockStore(db)
	defer bs.Close()
	for h := bs.Base(); h > 0 && h <= bs.Height(); h++ {
		b := bs.LoadBlock(h)
		if b == nil {
			return fmt.Errorf("node: block %d is missing from the store", h)
		}
		for _, tx := range b.Txs {
			if err := fn(h, tx); err != nil {
				return err
			}
		}
	}
	return nil
}
