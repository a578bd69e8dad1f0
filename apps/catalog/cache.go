package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"
)

const (
	redisTimeout    = 50 * time.Millisecond // dial, read and write
	redisBackoff    = time.Second           // after a failure, skip Redis for this long (readyz still probes it)
	nearMaxBytes    = 32 << 20              // bound of the in-process near cache
	lockKeyPrefix   = "cat:lock:"           // refresh locks: one replica refreshes a key that is about to expire
	defaultNearTTL  = time.Second
	nearTTLFraction = 10 // the near TTL is at most CACHE_TTL/10, so that it sits well inside the refresh window
)

// cache wraps Redis so that no Redis failure ever fails a request: callers fall back to PostgreSQL.
//
// A read goes near cache → Redis → PostgreSQL, and is protected against a stampede when a hot key
// expires under load:
//   - in process, every fill of a key (the Redis read and, on a miss, the PostgreSQL read) runs once
//     through a singleflight group: concurrent requests for the key wait for that one result;
//   - across replicas, a key is refreshed *before* it expires (early refresh): when a replica reads a
//     Redis copy with less than refreshAhead left, it takes a short Redis lock (SET NX PX) and, if it
//     got it, re-reads PostgreSQL in the background and re-sets the key, while every request keeps being
//     answered from the still-valid copy. Under steady traffic a hot key therefore never expires, and
//     PostgreSQL sees about one query per key per TTL for the whole fleet. This was chosen over a lock
//     that makes other replicas wait on a miss because waiting adds latency to every replica at every
//     expiry, and over serving stale values because the 60 s freshness bound must hold end to end: an
//     early refresh only ever makes a value younger. A key that expired anyway (no traffic, or Redis
//     down) costs at most one query per replica: the singleflight.
type cache struct {
	client       *redis.Client
	ttl          time.Duration
	nearTTL      time.Duration
	refreshAhead time.Duration
	near         *nearCache
	fills        singleflight.Group // near miss → Redis → PostgreSQL, one per key at a time
	loads        singleflight.Group // the PostgreSQL read and re-set of a key: a miss joins a running early refresh
	refreshes    singleflight.Group
	downUntil    atomic.Int64
	m            *metrics
	log          *slog.Logger
}

// nearTTLFor bounds the configured near TTL by CACHE_TTL/10 (and 0 turns the near cache off).
func nearTTLFor(configured, ttl time.Duration) time.Duration {
	if limit := ttl / nearTTLFraction; configured > limit {
		return limit
	}
	return configured
}

func newCache(url string, ttl, nearTTL time.Duration, m *metrics, log *slog.Logger) (*cache, error) {
	c := &cache{ttl: ttl, nearTTL: nearTTLFor(nearTTL, ttl), m: m, log: log, near: newNearCache(nearMaxBytes)}
	// A replica re-reads Redis at most every nearTTL, so the refresh window must be longer than that to
	// be noticed before the key expires; without a near cache every request sees the TTL, and a tenth of
	// it is early enough.
	c.refreshAhead = 2 * c.nearTTL
	if c.refreshAhead == 0 {
		c.refreshAhead = ttl / 10
	}
	if url == "" {
		return c, nil
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, errors.New("REDIS_URL is not a valid redis:// URL")
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = redisTimeout, redisTimeout, redisTimeout
	opt.MaxRetries = -1
	opt.DisableIdentity = true
	opt.ContextTimeoutEnabled = true
	// RESP2: the catalog uses no push notifications, and with RESP3 go-redis checks for pending push
	// notifications around every command (baseClient.processPendingPushNotificationWithReader returns
	// early only when Protocol != 3, redis.go in go-redis v9.23.0), which was 6 % of a cached read's CPU.
	opt.Protocol = 2
	redis.SetLogger(redisLogger{log})
	c.client = redis.NewClient(opt)
	return c, nil
}

// redisLogger turns go-redis' own diagnostics (plain text on stderr by default, e.g. "connection pool:
// failed to dial") into JSON warn lines of our logger — redacted, and with the trace ids of the request
// whose context go-redis passes.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client: "+fmt.Sprintf(format, v...))
}

func (c *cache) enabled() bool { return c.client != nil && c.ttl > 0 }

func (c *cache) available() bool {
	return c.enabled() && time.Now().UnixNano() >= c.downUntil.Load()
}

func (c *cache) failed(ctx context.Context, op string, err error) {
	c.m.redisErrors.Inc()
	c.downUntil.Store(time.Now().Add(redisBackoff).UnixNano())
	c.log.WarnContext(ctx, "redis call failed, falling back to postgres", "op", op, "error", err.Error())
}

// get returns (value, remaining TTL, hit, usable): usable is false when Redis could not be asked.
// GET and PTTL go in one pipeline (one round trip) so that the near cache can be bounded by the
// exact remaining Redis TTL, with no clock shared between hosts.
func (c *cache) get(ctx context.Context, key string) ([]byte, time.Duration, bool, bool) {
	if !c.available() {
		return nil, 0, false, false
	}
	pipe := c.client.Pipeline()
	getCmd := pipe.Get(ctx, key)
	ttlCmd := pipe.PTTL(ctx, key)
	_, err := pipe.Exec(ctx)
	if errors.Is(err, redis.Nil) {
		return nil, 0, false, true
	}
	if err != nil {
		c.failed(ctx, "get", err)
		return nil, 0, false, false
	}
	b, _ := getCmd.Bytes()
	// PTTL is -2 when the key expired between the two commands, -1 if it has no TTL (never set so by
	// the catalog): neither is kept in the near cache.
	return b, ttlCmd.Val(), true, true
}

func (c *cache) set(ctx context.Context, key string, value []byte) {
	if !c.available() {
		return
	}
	if err := c.client.Set(ctx, key, value, c.ttl).Err(); err != nil {
		c.failed(ctx, "set", err)
	}
}

// lock takes the refresh lock of key for the refresh window (SET NX PX): the replica that gets it
// refreshes, the others keep serving the current copy. It is never released early: once the key is
// re-set its TTL is far from the window, and if the holder dies the key simply expires.
func (c *cache) lock(ctx context.Context, key string) bool {
	if !c.available() {
		return false
	}
	err := c.client.SetArgs(ctx, lockKeyPrefix+key, "1", redis.SetArgs{Mode: "NX", TTL: c.refreshAhead}).Err()
	if errors.Is(err, redis.Nil) {
		return false
	}
	if err != nil {
		c.failed(ctx, "lock", err)
		return false
	}
	return true
}

func (c *cache) ping(ctx context.Context) bool {
	if c.client == nil {
		return false
	}
	if err := c.client.Ping(ctx).Err(); err != nil {
		c.failed(ctx, "ping", err)
		return false
	}
	c.downUntil.Store(0)
	return true
}

func (c *cache) close() {
	if c.client != nil {
		_ = c.client.Close()
	}
}

// loader reads PostgreSQL and returns the response body to cache.
type loader func(ctx context.Context) ([]byte, error)

// source says where a read's body came from, for the hit/miss counters.
type source int

const (
	fromNear   source = iota // the in-process near cache
	fromRedis                // Redis (this request's fill)
	fromShared               // another request's fill of the same key, which this request waited for
	fromDB                   // this request ran the PostgreSQL query (a miss)
	fromDBOnly               // Redis unusable (down or caching off): PostgreSQL, not counted as a miss
)

// hit is true for the sources counted in shop_cache_hits_total.
func (s source) hit() bool { return s == fromNear || s == fromRedis || s == fromShared }

var sourceNames = [...]string{"near", "redis", "shared", "postgres", "postgres"}

func (s source) String() string { return sourceNames[s] }

// read answers key from the near cache, Redis or PostgreSQL (see the type comment).
func (c *cache) read(ctx context.Context, key string, load loader) ([]byte, source, error) {
	if !c.enabled() {
		ctx, cancel := context.WithTimeout(ctx, dbTimeout)
		defer cancel()
		b, err := load(ctx)
		return b, fromDBOnly, err
	}
	if b, ok := c.near.get(key); ok {
		return b, fromNear, nil
	}
	leader := false
	v, err, _ := c.fills.Do(key, func() (any, error) {
		leader = true
		return c.fill(ctx, key, load)
	})
	if err != nil {
		return nil, fromDBOnly, err
	}
	f := v.(filled)
	if !leader {
		return f.body, fromShared, nil
	}
	return f.body, f.src, nil
}

type filled struct {
	body []byte
	src  source
}

// fill runs once per key at a time (singleflight); it uses the leader's request context, whose
// cancellation is dropped so that one client going away does not fail the requests waiting on it.
func (c *cache) fill(reqCtx context.Context, key string, load loader) (filled, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(reqCtx), dbTimeout)
	defer cancel()
	// The previous fill of this key may have finished between our near-cache miss and now.
	if b, ok := c.near.get(key); ok {
		return filled{b, fromNear}, nil
	}
	b, pttl, hit, usable := c.get(ctx, key)
	if hit {
		c.near.put(key, b, min(c.nearTTL, pttl))
		if pttl >= 0 && pttl < c.refreshAhead {
			c.refreshInBackground(reqCtx, key, load)
		}
		return filled{b, fromRedis}, nil
	}
	body, ran, err := c.loadAndStore(ctx, key, load, usable)
	switch {
	case err != nil:
		return filled{}, err
	case !ran:
		return filled{body, fromShared}, nil // an early refresh of this key was already reading it
	case !usable:
		return filled{body, fromDBOnly}, nil
	}
	return filled{body, fromDB}, nil
}

// loadAndStore reads key from PostgreSQL and stores it (Redis when usable, near cache), once per key at
// a time: a miss that happens while an early refresh of the same key is still reading (the Redis copy
// expired under it) waits for that read instead of running a second query. ran is false when this
// caller got another caller's result.
func (c *cache) loadAndStore(ctx context.Context, key string, load loader, usable bool) ([]byte, bool, error) {
	ran := false
	v, err, _ := c.loads.Do(key, func() (any, error) {
		ran = true
		body, err := load(ctx)
		if err != nil {
			return nil, err
		}
		if usable {
			c.set(ctx, key, body)
		}
		c.near.put(key, body, c.nearTTL)
		return body, nil
	})
	if err != nil {
		return nil, ran, err
	}
	return v.([]byte), ran, nil
}

// refreshInBackground re-reads key from PostgreSQL before its Redis copy expires, once per replica
// (singleflight) and once per fleet (the Redis lock). Failures are left to the normal miss path.
func (c *cache) refreshInBackground(reqCtx context.Context, key string, load loader) {
	base := context.WithoutCancel(reqCtx)
	go c.refreshes.Do(key, func() (any, error) {
		ctx, cancel := context.WithTimeout(base, dbTimeout)
		defer cancel()
		if !c.lock(ctx, key) {
			return nil, nil
		}
		if _, _, err := c.loadAndStore(ctx, key, load, true); err != nil {
			c.log.WarnContext(ctx, "early cache refresh failed", "key", key, "error", err.Error())
		}
		return nil, nil
	})
}
