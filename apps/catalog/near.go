package main

import (
	"sync"
	"time"
)

// nearCache is the in-process layer in front of Redis: a hot key is answered from memory for at most
// nearTTL, and never past the moment its Redis copy expires (the caller passes the remaining Redis
// TTL), so a value is never served later than CACHE_TTL_SECONDS after the PostgreSQL read that
// produced it — the same freshness bound as Redis alone. It saves the Redis round trip that the
// profile showed to be the largest part of a cached read (docs/benchmarks.md).
//
// It is bounded: at maxEntries, expired entries are swept and, if it is still full, new keys are
// simply not kept in memory (they are still served through Redis).
type nearCache struct {
	mu         sync.RWMutex
	entries    map[string]nearEntry
	maxEntries int
	base       time.Time // monotonic origin: expiries are nanoseconds since base
	lastSweep  int64     // a full map is swept at most every sweepEvery, so a flood of new keys stays O(1)
}

const sweepEvery = int64(100 * time.Millisecond)

type nearEntry struct {
	body    []byte
	expires int64
}

func newNearCache(maxEntries int) *nearCache {
	return &nearCache{entries: make(map[string]nearEntry), maxEntries: maxEntries, base: time.Now()}
}

func (n *nearCache) now() int64 { return int64(time.Since(n.base)) }

func (n *nearCache) get(key string) ([]byte, bool) {
	n.mu.RLock()
	e, ok := n.entries[key]
	n.mu.RUnlock()
	if !ok || n.now() >= e.expires {
		return nil, false
	}
	return e.body, true
}

// put keeps body for ttl (the caller has already bounded it by the Redis TTL); ttl <= 0 keeps nothing.
func (n *nearCache) put(key string, body []byte, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	now := n.now()
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, exists := n.entries[key]; !exists && len(n.entries) >= n.maxEntries {
		if now-n.lastSweep >= sweepEvery {
			n.lastSweep = now
			for k, e := range n.entries {
				if now >= e.expires {
					delete(n.entries, k)
				}
			}
		}
		if len(n.entries) >= n.maxEntries {
			return
		}
	}
	n.entries[key] = nearEntry{body: body, expires: now + int64(ttl)}
}
