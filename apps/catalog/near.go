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
// It is bounded in bytes (a list page of 100 products is ~20 KiB, an item ~200 B): when a new body
// does not fit, expired entries are swept and, if it still does not fit, the key is simply not kept
// in memory (it is still served through Redis).
type nearCache struct {
	mu        sync.RWMutex
	entries   map[string]nearEntry
	bytes     int
	maxBytes  int
	base      time.Time // monotonic origin: expiries are nanoseconds since base
	lastSweep int64     // a full cache is swept at most every sweepEvery, so a flood of new keys stays cheap
}

const sweepEvery = int64(100 * time.Millisecond)

type nearEntry struct {
	body    []byte
	expires int64
}

func newNearCache(maxBytes int) *nearCache {
	return &nearCache{entries: make(map[string]nearEntry), maxBytes: maxBytes, base: time.Now(), lastSweep: -sweepEvery}
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

// size counts a body plus a rough per-entry overhead (key, map slot), so many tiny entries are bounded too.
func size(key string, body []byte) int { return len(key) + len(body) + 64 }

// put keeps body for ttl (the caller has already bounded it by the Redis TTL); ttl <= 0 keeps nothing.
func (n *nearCache) put(key string, body []byte, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	now := n.now()
	n.mu.Lock()
	defer n.mu.Unlock()
	if old, ok := n.entries[key]; ok {
		n.bytes -= size(key, old.body)
		delete(n.entries, key)
	}
	need := size(key, body)
	if n.bytes+need > n.maxBytes && now-n.lastSweep >= sweepEvery {
		n.lastSweep = now
		for k, e := range n.entries {
			if now >= e.expires {
				n.bytes -= size(k, e.body)
				delete(n.entries, k)
			}
		}
	}
	if n.bytes+need > n.maxBytes {
		return
	}
	n.entries[key] = nearEntry{body: body, expires: now + int64(ttl)}
	n.bytes += need
}
