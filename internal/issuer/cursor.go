package issuer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sync"
)

// The service follows the chain's committed blocks from a cursor (decision 0035): the
// last height whose paid orders it took in hand, and those of them it is not done with
// (an issue waiting for its block or failing, a proposal waiting for the issuers'
// approvals). Every paid order not yet issued is either among them or paid in a block
// above the cursor, which the service reads next: a restart takes up the orders and
// reads the blocks after the cursor, and never the whole list of paid orders again.
// Without a cursor (the first start, another chain, a node that no longer holds the
// blocks after it), the service reads the list of paid orders once and starts from the
// height it read it at.

// cursorState is the cursor as its file holds it.
type cursorState struct {
	ChainID string `json:"chain_id"`
	// Height is the last height whose paid orders the service took in hand; 0 is none.
	Height int64 `json:"height"`
	// Pending are the paid orders the service is not done with, by id, with their chips.
	Pending map[string]uint64 `json:"pending"`
}

// cursor is the service's cursor, kept in a file when it has one.
type cursor struct {
	file   string
	mu     sync.Mutex
	loaded bool
	st     cursorState
	// changed says the cursor moved since it was last saved.
	changed bool
}

// load reads the file once. A cursor of another chain, or none, starts at no height.
func (c *cursor) load(chainID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded {
		return nil
	}
	var st cursorState
	if c.file != "" {
		b, err := os.ReadFile(c.file)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("issuer: cursor: %w", err)
		default:
			if err := json.Unmarshal(b, &st); err != nil {
				return fmt.Errorf("issuer: cursor: %s: %w", c.file, err)
			}
		}
	}
	if st.ChainID != chainID || st.Pending == nil {
		st = cursorState{ChainID: chainID, Pending: map[string]uint64{}}
	}
	c.st, c.loaded = st, true
	return nil
}

// height is the last height taken in hand, 0 for none.
func (c *cursor) height() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st.Height
}

// take adds paid orders to the pending ones.
func (c *cursor) take(orders map[string]uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	maps.Copy(c.st.Pending, orders)
	c.changed = c.changed || len(orders) > 0
}

// advance moves the cursor to height, once the paid orders of every block up to it
// are pending.
func (c *cursor) advance(height int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if height != c.st.Height {
		c.st.Height, c.changed = height, true
	}
}

// done forgets a pending order: issued, or no longer paid.
func (c *cursor) done(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.st.Pending[id]; ok {
		delete(c.st.Pending, id)
		c.changed = true
	}
}

// pending lists the pending orders.
func (c *cursor) pending() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.st.Pending)
}

// save writes the cursor, if it moved, whole: a temporary file, synced, renamed over
// it.
func (c *cursor) save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.changed || c.file == "" {
		return nil
	}
	if err := writeJSONFile(c.file, c.st); err != nil {
		return fmt.Errorf("issuer: cursor: %w", err)
	}
	c.changed = false
	return nil
}

// writeJSONFile writes v to file whole: a temporary file, synced, renamed over it.
func writeJSONFile(file string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), file)
	}
	if err != nil {
		return errors.Join(err, os.Remove(f.Name()))
	}
	return nil
}
