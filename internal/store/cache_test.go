package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// The cache must answer what pebble holds, after any sequence of commits and reads,
// including reads racing with commits.
func TestReadCacheStaysExact(t *testing.T) {
	db, _ := openDB(t)
	rng := rand.New(rand.NewPCG(3, 4))
	model := map[string][]byte{}
	key := func() []byte { return []byte(fmt.Sprintf("k/%03d", rng.IntN(200))) }
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(r), 9))
			for {
				select {
				case <-stop:
					return
				default:
					db.Get([]byte(fmt.Sprintf("k/%03d", rng.IntN(200))))
				}
			}
		})
	}
	for height := int64(1); height <= 300; height++ {
		var changes []Change
		for range rng.IntN(20) {
			k := key()
			if rng.IntN(4) == 0 {
				changes = append(changes, Change{Key: k, Deleted: true})
				delete(model, string(k))
			} else {
				v := []byte(fmt.Sprint(height, rng.Int()))
				changes = append(changes, Change{Key: k, Value: v})
				model[string(k)] = bytes.Clone(v)
			}
			db.Get(key()) // a read between commits fills the cache
		}
		changes = dedupe(changes)
		mustCommit(t, db, changes, height)
		for _, c := range changes {
			for i := range c.Value {
				c.Value[i] = 'x' // the caller reuses its buffers: the cache keeps its own copy
			}
		}
	}
	close(stop)
	wg.Wait()
	for i := range 200 {
		k := []byte(fmt.Sprintf("k/%03d", i))
		got, ok := db.Get(k)
		want, wantOK := model[string(k)]
		if ok != wantOK || !bytes.Equal(got, want) {
			t.Errorf("%s: Get = %q %v, want %q %v", k, got, ok, want, wantOK)
		}
		if pebbleSays := db.read(k); pebbleSays.present != wantOK || !bytes.Equal(pebbleSays.value, want) {
			t.Errorf("%s: pebble holds %q %v, want %q %v", k, pebbleSays.value, pebbleSays.present, want, wantOK)
		}
	}
	if got := db.Meta().Height; got != 300 {
		t.Errorf("meta height %d, want 300", got)
	}
}

// dedupe keeps the last change of each key, as an overlay's Changes would.
func dedupe(changes []Change) []Change {
	last := map[string]int{}
	for i, c := range changes {
		last[string(c.Key)] = i
	}
	var out []Change
	for i, c := range changes {
		if last[string(c.Key)] == i {
			out = append(out, c)
		}
	}
	return out
}

func TestReadCacheIsBounded(t *testing.T) {
	c := newReadCache()
	for i := range readCacheMax + 10 {
		c.put(fmt.Sprint(i), cached{present: true})
	}
	if n := len(c.cur) + len(c.prev); n > readCacheMax {
		t.Errorf("cache holds %d keys, more than %d", n, readCacheMax)
	}
}
