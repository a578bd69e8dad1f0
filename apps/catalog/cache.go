package main

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	redisTimeout = 50 * time.Millisecond // dial, read and write
	redisBackoff = time.Second           // after a failure, skip Redis for this long (readyz still probes it)
)

// cache wraps Redis so that no Redis failure ever fails a request: callers fall back to PostgreSQL.
type cache struct {
	client    *redis.Client
	ttl       time.Duration
	downUntil atomic.Int64
	m         *metrics
	log       *slog.Logger
}

func newCache(url string, ttl time.Duration, m *metrics, log *slog.Logger) (*cache, error) {
	c := &cache{ttl: ttl, m: m, log: log}
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
	c.client = redis.NewClient(opt)
	return c, nil
}

func (c *cache) enabled() bool { return c.client != nil && c.ttl > 0 }

func (c *cache) available() bool {
	return c.enabled() && time.Now().UnixNano() >= c.downUntil.Load()
}

func (c *cache) failed(op string, err error) {
	c.m.redisErrors.Inc()
	c.downUntil.Store(time.Now().Add(redisBackoff).UnixNano())
	c.log.Warn("redis call failed, falling back to postgres", "op", op, "error", err.Error())
}

// get returns (value, hit, usable): usable is false when Redis could not be asked.
func (c *cache) get(ctx context.Context, key string) ([]byte, bool, bool) {
	if !c.available() {
		return nil, false, false
	}
	b, err := c.client.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, true
	}
	if err != nil {
		c.failed("get", err)
		return nil, false, false
	}
	return b, true, true
}

func (c *cache) set(ctx context.Context, key string, value []byte) {
	if !c.available() {
		return
	}
	if err := c.client.Set(ctx, key, value, c.ttl).Err(); err != nil {
		c.failed("set", err)
	}
}

func (c *cache) ping(ctx context.Context) bool {
	if c.client == nil {
		return false
	}
	if err := c.client.Ping(ctx).Err(); err != nil {
		c.failed("ping", err)
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
