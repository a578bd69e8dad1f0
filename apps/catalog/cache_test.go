package main

// Near cache, stampede protection and the access log, tested against the real process, PostgreSQL
// (queries counted by pg_stat_statements) and Redis.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// queryCalls is how many times PostgreSQL executed statements whose text contains fragment since the
// last pg_stat_statements_reset().
func queryCalls(t *testing.T, fragment string) int64 {
	t.Helper()
	var n int64
	if err := superConn(t).QueryRow(context.Background(),
		"SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements WHERE query LIKE '%' || $1 || '%' AND query NOT LIKE '%pg_stat_statements%'",
		fragment).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func resetQueryStats(t *testing.T) {
	t.Helper()
	if _, err := superConn(t).Exec(context.Background(), "SELECT pg_stat_statements_reset()"); err != nil {
		t.Fatal(err)
	}
}

const (
	listQueryFragment = "FROM products ORDER BY sku LIMIT"
	itemQueryFragment = "FROM products WHERE sku ="
)

// hammer sends GETs to every url from conns keep-alive connections for d and returns the number of
// responses and of non-2xx answers (transport errors count as non-2xx).
func hammer(t *testing.T, urls []string, conns int, d time.Duration) (total, bad int64) {
	t.Helper()
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for n := i; time.Now().Before(deadline); n++ {
				resp, err := client.Get(urls[n%len(urls)])
				atomic.AddInt64(&total, 1)
				if err != nil {
					atomic.AddInt64(&bad, 1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					atomic.AddInt64(&bad, 1)
				}
			}
		}(i)
	}
	wg.Wait()
	return total, bad
}

// Issue 19 item 2: 64 concurrent connections across several expiries of a 2 s TTL; PostgreSQL runs at
// most 2 list queries (and 2 item queries) per key per TTL window per replica — and about one per
// window, so the cache really is refreshed and not frozen.
func TestNoStampedeWhenHotKeysExpire(t *testing.T) {
	const ttl = 2 * time.Second
	const run = 8 * time.Second // 4 TTL windows
	for _, replicas := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d-replicas", replicas), func(t *testing.T) {
			var urls []string
			for i := 0; i < replicas; i++ {
				a := startApp(t, true, "CACHE_TTL_SECONDS=2")
				// a key per run, so the other subtest's Redis copies do not count here
				urls = append(urls, fmt.Sprintf("%s/v1/products?limit=7&offset=%d", a.base, 10+replicas),
					a.base+fmt.Sprintf("/v1/products/DEMO-%05d", 10+replicas))
			}
			resetQueryStats(t)
			total, bad := hammer(t, urls, 64, run)
			lists, items := queryCalls(t, listQueryFragment), queryCalls(t, itemQueryFragment)
			// A run that does not start on an expiry touches run/TTL + 1 TTL windows.
			windows := int64(run/ttl) + 1
			t.Logf("%d replicas, %d requests (%d non-2xx) over %d windows of %s: PostgreSQL ran %d list and %d item queries",
				replicas, total, bad, windows, ttl, lists, items)
			if bad != 0 {
				t.Errorf("%d non-2xx answers", bad)
			}
			if total < 1000 {
				t.Errorf("only %d requests: the load did not happen", total)
			}
			max := 2 * windows * int64(replicas)
			if lists > max || items > max {
				t.Errorf("stampede: %d list / %d item queries, at most %d allowed", lists, items, max)
			}
			if lists < windows-2 || items < windows-2 {
				t.Errorf("only %d list / %d item queries in %d windows: values not refreshed", lists, items, windows)
			}
		})
	}
}

// A cold key under concurrent load is read from PostgreSQL once, not once per waiting request.
func TestColdKeyUnderConcurrencyIsReadOnce(t *testing.T) {
	a := startApp(t, true)
	if err := redisClient(t).Del(context.Background(), "cat:products:9:4").Err(); err != nil {
		t.Fatal(err)
	}
	resetQueryStats(t)
	var wg sync.WaitGroup
	start := make(chan struct{})
	var bad atomic.Int64
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if st, _ := a.get(t, "/v1/products?limit=9&offset=4"); st != 200 {
				bad.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := queryCalls(t, listQueryFragment); n != 1 || bad.Load() != 0 {
		t.Fatalf("64 concurrent requests on a cold key: %d PostgreSQL queries (want 1), %d failed", n, bad.Load())
	}
}

// The near cache answers hot keys from memory, but never past its own TTL nor past the moment the
// Redis copy it came from expires: the CACHE_TTL_SECONDS freshness bound holds end to end.
func TestNearCacheIsBoundedByRedisTTL(t *testing.T) {
	a := startApp(t, true, "CACHE_TTL_SECONDS=10", "CACHE_NEAR_TTL_MS=1000")
	ctx := context.Background()
	rdb := redisClient(t)
	sku := newProduct(t, "real")
	key := "cat:product:" + sku
	// Another replica "holds the refresh lock", so no early refresh replaces the planted copies.
	if err := rdb.Set(ctx, lockKeyPrefix+key, "1", 10*time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	plant := func(name string, ttl time.Duration) time.Time {
		body := fmt.Sprintf(`{"sku":%q,"name":%q,"description":"","price_cents":5,"stock":5,"updated_at":"2026-01-01T00:00:00Z"}`, sku, name)
		if err := rdb.Set(ctx, key, body, ttl).Err(); err != nil {
			t.Fatal(err)
		}
		return time.Now()
	}
	name := func() string { _, b := a.get(t, "/v1/products/"+sku); return decode[product](t, b).Name }

	// 1. the near cache is really there: with the Redis copy deleted it still answers …
	plant("planted-1", 5*time.Second)
	if n := name(); n != "planted-1" {
		t.Fatalf("not read from Redis: %s", n)
	}
	if err := rdb.Del(ctx, key).Err(); err != nil {
		t.Fatal(err)
	}
	if n := name(); n != "planted-1" {
		t.Fatalf("near cache did not answer: %s", n)
	}
	// … for its own TTL (1 s) only, although the Redis copy had 5 s to live.
	time.Sleep(1100 * time.Millisecond)
	if n := name(); n != "real" {
		t.Fatalf("near cache outlived its TTL: %s", n)
	}

	// 2. a copy with 300 ms left in Redis is not kept in memory for the full near TTL.
	time.Sleep(1100 * time.Millisecond) // the "real" near entry expires
	set := plant("planted-2", 300*time.Millisecond)
	seen := 0
	for time.Since(set) < 1500*time.Millisecond {
		sent := time.Now()
		n := name()
		if n == "planted-2" {
			seen++
			if sent.Sub(set) > 300*time.Millisecond+5*time.Millisecond {
				t.Fatalf("served a copy %s after its Redis TTL (300 ms) had run out", sent.Sub(set))
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if seen == 0 {
		t.Fatal("the planted copy was never served")
	}
}

// Every request is counted as a hit (near cache, Redis, or another request's fill it waited for) or a
// miss (it ran the PostgreSQL query); near-cache hits count, so the hit-ratio alert sees real hits.
func TestNearCacheHitsAreCountedAsHits(t *testing.T) {
	a := startApp(t, true)
	sku := newProduct(t, "x")
	misses, hits := a.metric(t, "shop_cache_misses_total"), a.metric(t, "shop_cache_hits_total")
	for i := 0; i < 5; i++ {
		a.get(t, "/v1/products/"+sku)
	}
	if m, h := a.metric(t, "shop_cache_misses_total"), a.metric(t, "shop_cache_hits_total"); m != misses+1 || h != hits+4 {
		t.Fatalf("misses %v→%v hits %v→%v, want +1/+4", misses, m, hits, h)
	}
}

func TestMadeUpMethodsDoNotCreateSeries(t *testing.T) {
	a := startApp(t, true)
	for _, m := range []string{"FOO", "BAR", "BAZ"} {
		st, body := a.do(t, m, "/v1/products/DEMO-00001")
		assertError(t, st, body, 405, "method_not_allowed")
	}
	_, body := a.get(t, "/metrics")
	if strings.Contains(string(body), `method="FOO"`) ||
		!strings.Contains(string(body), `shop_http_requests_total{method="other",route="unmatched",status="405"} 3`) {
		t.Fatalf("unknown methods not folded into method=\"other\":\n%s", grepLines(string(body), "shop_http_requests_total"))
	}
}

func grepLines(text, fragment string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, fragment) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// The hand-encoded access line is valid JSON for any path a client can send, with the same escaping
// as log/slog.
func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	cases := []string{"", "plain", `q"uote`, `back\slash`, "nl\nline", "tab\t", "\x00\x01\x1f", "é—ü", "\u2028\u2029",
		"bad\xffutf8", "\xc3", "/v1/products/<script>&"}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 5000; i++ {
		b := make([]byte, r.Intn(40))
		r.Read(b)
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		enc := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("%q encoded to invalid JSON %s: %v", s, enc, err)
		}
		want := "" // each invalid byte becomes one U+FFFD, as in slog
		for i := 0; i < len(s); {
			c, size := utf8.DecodeRuneInString(s[i:])
			want += string(c)
			i += size
		}
		if back != want {
			t.Fatalf("%q round-tripped to %q", s, back)
		}
	}
}

func TestAccessLogLinesAreJSONForHostilePaths(t *testing.T) {
	a := startApp(t, true)
	for _, p := range []string{"/v1/products/%22%5C%0A", "/v1/%ff%fe", "/v1/products/%E2%80%A8"} {
		a.get(t, p)
	}
	time.Sleep(50 * time.Millisecond)
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(a.logs(t)), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		if e["msg"] == "request" && strings.HasPrefix(e["path"].(string), "/v1/") && e["path"] != "/v1/products/DEMO-00001" {
			n++
		}
	}
	if n < 3 {
		t.Fatalf("%d request lines for the 3 hostile paths:\n%s", n, a.logs(t))
	}
}

// lineWriter: concurrent writers, a slow sink; every line arrives whole, once, and Close flushes all.
func TestLineWriterKeepsLinesWholeAndFlushesOnClose(t *testing.T) {
	sink := &slowSink{}
	w := newLineWriter(sink)
	var wg sync.WaitGroup
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				fmt.Fprintf(w, "{\"g\":%d,\"i\":%d,\"pad\":%q}\n", g, i, strings.Repeat("x", i%200))
			}
		}(g)
	}
	wg.Wait()
	w.Close()
	lines := bytes.Split(bytes.TrimSuffix(sink.buf.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != 20*500 {
		t.Fatalf("%d lines, want %d", len(lines), 20*500)
	}
	seen := map[[2]int]bool{}
	for _, l := range lines {
		var e struct{ G, I int }
		if err := json.Unmarshal(l, &e); err != nil {
			t.Fatalf("torn line %q", l)
		}
		seen[[2]int{e.G, e.I}] = true
	}
	if len(seen) != 20*500 {
		t.Fatalf("%d distinct lines", len(seen))
	}
	if sink.writes.Load() >= 20*500 {
		t.Fatalf("%d writes for %d lines: no batching", sink.writes.Load(), len(lines))
	}
	fmt.Fprintln(w, `{"after":"close"}`)
	if !bytes.HasSuffix(sink.buf.Bytes(), []byte("{\"after\":\"close\"}\n")) {
		t.Fatal("write after Close lost")
	}
}

type slowSink struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes atomic.Int64
}

func (s *slowSink) Write(p []byte) (int, error) {
	time.Sleep(200 * time.Microsecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes.Add(1)
	return s.buf.Write(p)
}

// The process's last lines (written at SIGTERM) reach the log: main closes the line writer.
func TestLastLogLinesFlushedAtShutdown(t *testing.T) {
	a := startApp(t, true)
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-a.done
	a.done <- nil
	if !strings.Contains(a.logs(t), `"msg":"stopped"`) {
		t.Fatalf("no final line:\n%s", a.logs(t))
	}
}

// The near cache is bounded in bytes and sweeps expired entries to make room.
func TestNearCacheBoundedInBytes(t *testing.T) {
	n := newNearCache(10_000)
	body := make([]byte, 1000)
	for i := 0; i < 50; i++ {
		n.put(fmt.Sprintf("k%d", i), body, time.Hour)
	}
	if n.bytes > 10_000 || len(n.entries) != 9 {
		t.Fatalf("%d bytes in %d entries, bound 10000", n.bytes, len(n.entries))
	}
	if _, ok := n.get("k49"); ok {
		t.Fatal("a key past the bound was kept")
	}
	n.put("k0", body, time.Hour) // replacing an entry does not double-count it
	if n.bytes != 9*size("k0", body) {
		t.Fatalf("%d bytes after a replace", n.bytes)
	}
	m := newNearCache(10_000)
	for i := 0; i < 9; i++ {
		m.put(fmt.Sprintf("e%d", i), body, time.Millisecond)
	}
	time.Sleep(5 * time.Millisecond)
	m.put("fresh", body, time.Hour) // full of expired entries: swept, then kept
	if _, ok := m.get("fresh"); !ok || len(m.entries) != 1 {
		t.Fatalf("expired entries not swept: %d entries", len(m.entries))
	}
}
