package crypto

import "sync"

// keyCacheMax bounds each cache of what was worked out from public keys.
const keyCacheMax = 1 << 14

// keyCache keeps what was worked out from public keys (a decompressed point, a key's
// strength): the same accounts sign again and again. Two generations of at most
// keyCacheMax/2 keys each; safe for concurrent use.
type keyCache[V any] struct {
	mu        sync.Mutex
	cur, prev map[[PublicKeyBytes]byte]V
}

// get returns what was kept for pub, or works it out with work and keeps it; what work
// reports as not ok is not kept.
func (c *keyCache[V]) get(pub []byte, work func([]byte) (V, bool)) (V, bool) {
	k := [PublicKeyBytes]byte(pub)
	c.mu.Lock()
	v, ok := c.cur[k]
	if !ok {
		v, ok = c.prev[k]
	}
	c.mu.Unlock()
	if ok {
		return v, true
	}
	if v, ok = work(pub); !ok {
		return v, false
	}
	c.mu.Lock()
	if c.cur == nil || len(c.cur) >= keyCacheMax/2 {
		c.prev, c.cur = c.cur, make(map[[PublicKeyBytes]byte]V)
	}
	c.cur[k] = v
	c.mu.Unlock()
	return v, true
}
