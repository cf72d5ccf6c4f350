package store

import (
	"bytes"
	"sync"
)

// readCacheMax bounds the read cache of a DB, in keys.
const readCacheMax = 1 << 18

// readCache holds recently read and recently committed keys of a DB, present or absent:
// the ledger looks up a transaction's nonce and balances again in CheckTx, in the
// mempool's run after each block and in FinalizeBlock, and a pebble lookup in a large
// memtable costs microseconds.
//
// It is exact, never stale: every write of the DB goes through Commit, which updates the
// cache with the block's changes after pebble has them, or is a restore, which empties
// it. A read that misses asks pebble and fills the cache only if no commit or restore
// ran meanwhile (epoch), so a value read just before one can never be cached after it. Two generations of at most
// readCacheMax/2 keys each bound it. Safe for concurrent use.
type readCache struct {
	mu        sync.Mutex
	epoch     uint64
	cur, prev map[string]cached
}

type cached struct {
	value   []byte
	present bool
}

func newReadCache() *readCache {
	return &readCache{cur: make(map[string]cached)}
}

// get returns the cached state of key, and the epoch to fill it at after a miss.
func (c *readCache) get(key []byte) (v cached, hit bool, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cur[string(key)]; ok {
		return v, true, c.epoch
	}
	if v, ok := c.prev[string(key)]; ok {
		return v, true, c.epoch
	}
	return cached{}, false, c.epoch
}

// fill caches what pebble answered for key, unless a commit ran since epoch.
func (c *readCache) fill(key []byte, v cached, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch == epoch {
		c.put(string(key), v)
	}
}

// committed records a commit's writes and the DB's own records it wrote (the digest and
// the meta), once pebble holds them.
func (c *readCache) committed(changes, records []Change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, ch := range changes {
		c.put(string(ch.Key), cached{value: bytes.Clone(ch.Value), present: !ch.Deleted})
	}
	for _, r := range records {
		c.put(string(r.Key), cached{value: r.Value, present: true})
	}
}

// reset forgets everything, after a write that did not go through Commit (a restore).
func (c *readCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.cur, c.prev = make(map[string]cached), nil
}

func (c *readCache) put(key string, v cached) {
	if _, ok := c.cur[key]; !ok && len(c.cur) >= readCacheMax/2 {
		c.prev, c.cur = c.cur, make(map[string]cached, readCacheMax/2)
	}
	delete(c.prev, key)
	c.cur[key] = v
}
