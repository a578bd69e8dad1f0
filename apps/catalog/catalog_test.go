package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestHealthz(t *testing.T) {
	a := startApp(t, true)
	st, body := a.get(t, "/healthz")
	if st != 200 || string(body) != `{"status":"ok"}` {
		t.Fatalf("%d %s", st, body)
	}
}

func TestReadyz(t *testing.T) {
	a := startApp(t, true)
	st, body := a.get(t, "/readyz")
	got := decode[map[string]any](t, body)
	checks := got["checks"].(map[string]any)
	if st != 200 || got["status"] != "ready" || checks["postgres"] != "ok" || checks["redis"] != "ok" {
		t.Fatalf("%d %s", st, body)
	}
}

func TestListProducts(t *testing.T) {
	a := startApp(t, true)
	st, body := a.get(t, "/v1/products")
	l := decode[productList](t, body)
	if st != 200 || l.Limit != 20 || l.Offset != 0 || len(l.Items) != 20 {
		t.Fatalf("%d limit=%d offset=%d items=%d", st, l.Limit, l.Offset, len(l.Items))
	}
	for i := 1; i < len(l.Items); i++ {
		if l.Items[i-1].SKU >= l.Items[i].SKU {
			t.Fatal("not sorted by sku")
		}
	}
	_, body = a.get(t, "/v1/products?limit=5&offset=5")
	page := decode[productList](t, body)
	if len(page.Items) != 5 || page.Items[0].SKU != l.Items[5].SKU || page.Items[4].SKU != l.Items[9].SKU {
		t.Fatalf("paging wrong: %s", body)
	}
	_, body = a.get(t, "/v1/products?limit=100")
	if n := len(decode[productList](t, body).Items); n < 30 {
		t.Fatalf("limit=100 gave %d", n)
	}
}

func TestListProductsBadParams(t *testing.T) {
	a := startApp(t, true)
	for _, q := range []string{"limit=0", "limit=101", "limit=-1", "offset=-1", "limit=abc", "offset=1.5", "limit="} {
		t.Run(q, func(t *testing.T) {
			st, body := a.get(t, "/v1/products?"+q)
			assertError(t, st, body, 400, "invalid_parameter")
		})
	}
}

func TestGetProduct(t *testing.T) {
	a := startApp(t, true)
	st, body := a.get(t, "/v1/products/DEMO-00003")
	p := decode[product](t, body)
	if st != 200 || p.SKU != "DEMO-00003" || p.Name != "Demo product 3" || p.PriceCents != 103 || p.UpdatedAt.IsZero() {
		t.Fatalf("%d %s", st, body)
	}
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	for _, k := range []string{"sku", "name", "description", "price_cents", "stock", "updated_at"} {
		if _, ok := raw[k]; !ok {
			t.Fatalf("missing %s", k)
		}
	}
}

func TestGetUnknownProduct404(t *testing.T) {
	a := startApp(t, true)
	st, body := a.get(t, "/v1/products/NOPE-404")
	assertError(t, st, body, 404, "product_not_found")
}

func TestGetMalformedSKU(t *testing.T) {
	a := startApp(t, true)
	for _, sku := range []string{"ab", "lower-case", "-LEADING", strings.Repeat("A", 33), "BAD_SKU", "X%20Y"} {
		t.Run(sku, func(t *testing.T) {
			st, body := a.get(t, "/v1/products/"+sku)
			assertError(t, st, body, 400, "invalid_sku")
		})
	}
}

func TestUnknownRouteAndWrongMethod(t *testing.T) {
	a := startApp(t, true)
	st, body := a.get(t, "/v1/nothing")
	assertError(t, st, body, 404, "not_found")
	st, body = a.get(t, "/api/products")
	assertError(t, st, body, 404, "not_found")
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		st, body = a.do(t, m, "/v1/products/DEMO-00001")
		assertError(t, st, body, 405, "method_not_allowed")
	}
	st, body = a.do(t, http.MethodPost, "/v1/products")
	assertError(t, st, body, 405, "method_not_allowed")
}

func TestItemCachedWithTTLAndNotReadFromPostgres(t *testing.T) {
	a := startApp(t, true)
	sku := newProduct(t, "original")
	rdb := redisClient(t)
	_, first := a.get(t, "/v1/products/"+sku)
	ttl, err := rdb.PTTL(context.Background(), "cat:product:"+sku).Result()
	if err != nil || ttl < 55*time.Second || ttl > 60*time.Second {
		t.Fatalf("PTTL %v %v", ttl, err)
	}
	hits := a.metric(t, "shop_cache_hits_total")
	if _, err := superConn(t).Exec(context.Background(), "UPDATE products SET name = 'changed' WHERE sku = $1", sku); err != nil {
		t.Fatal(err)
	}
	_, again := a.get(t, "/v1/products/"+sku)
	if string(again) != string(first) || !strings.Contains(string(again), `"name":"original"`) {
		t.Fatalf("second read inside the TTL was not served from Redis: %s", again)
	}
	if a.metric(t, "shop_cache_hits_total") != hits+1 {
		t.Fatal("cache hit not counted")
	}
}

func TestListCachedWithTTL(t *testing.T) {
	a := startApp(t, true)
	rdb := redisClient(t)
	_, first := a.get(t, "/v1/products?limit=4&offset=2")
	ttl, _ := rdb.PTTL(context.Background(), "cat:products:4:2").Result()
	if ttl < 55*time.Second || ttl > 60*time.Second {
		t.Fatalf("PTTL %v", ttl)
	}
	l := decode[productList](t, first)
	if _, err := superConn(t).Exec(context.Background(), "UPDATE products SET name = name || '!' WHERE sku = $1", l.Items[0].SKU); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = superConn(t).Exec(context.Background(), "UPDATE products SET name = rtrim(name, '!') WHERE sku = $1", l.Items[0].SKU)
	})
	if _, again := a.get(t, "/v1/products?limit=4&offset=2"); string(again) != string(first) {
		t.Fatal("list not served from cache")
	}
}

func TestRealExpiryWithShortTTL(t *testing.T) {
	a := startApp(t, true, "CACHE_TTL_SECONDS=1")
	sku := newProduct(t, "old")
	a.get(t, "/v1/products/"+sku)
	if _, err := superConn(t).Exec(context.Background(), "UPDATE products SET name = 'new' WHERE sku = $1", sku); err != nil {
		t.Fatal(err)
	}
	if _, b := a.get(t, "/v1/products/"+sku); !strings.Contains(string(b), `"old"`) {
		t.Fatalf("expected cached value: %s", b)
	}
	time.Sleep(1200 * time.Millisecond)
	if _, b := a.get(t, "/v1/products/"+sku); !strings.Contains(string(b), `"new"`) {
		t.Fatalf("expected fresh value after expiry: %s", b)
	}
}

func TestTTLZeroDisablesCache(t *testing.T) {
	a := startApp(t, true, "CACHE_TTL_SECONDS=0")
	sku := newProduct(t, "a")
	a.get(t, "/v1/products/"+sku)
	if n, _ := redisClient(t).Exists(context.Background(), "cat:product:"+sku).Result(); n != 0 {
		t.Fatal("cached although CACHE_TTL_SECONDS=0")
	}
	_, _ = superConn(t).Exec(context.Background(), "UPDATE products SET name = 'b' WHERE sku = $1", sku)
	if _, b := a.get(t, "/v1/products/"+sku); !strings.Contains(string(b), `"name":"b"`) {
		t.Fatalf("stale: %s", b)
	}
}

func TestMetricsContract(t *testing.T) {
	a := startApp(t, true)
	a.get(t, "/v1/products/DEMO-00001")
	a.get(t, "/v1/products/DEMO-00001")
	_, body := a.get(t, "/metrics")
	text := string(body)
	for _, name := range []string{"shop_http_requests_total", "shop_http_request_duration_seconds_bucket",
		"shop_cache_hits_total", "shop_cache_misses_total", "shop_redis_errors_total", "shop_db_pool_connections",
		"shop_db_pool_max_connections", "shop_db_errors_total"} {
		if !strings.Contains(text, "\n"+name) {
			t.Errorf("missing %s", name)
		}
	}
	for _, s := range []string{`shop_http_requests_total{method="GET",route="/v1/products/{sku}",status="200"} 2`,
		`shop_db_pool_connections{state="in_use"}`, `shop_db_pool_connections{state="idle"}`,
		`shop_db_pool_max_connections 10`, `le="0.005"`, `le="2.5"`, `le="5"`} {
		if !strings.Contains(text, s) {
			t.Errorf("missing %s", s)
		}
	}
	if strings.Contains(text, "DEMO-00001") {
		t.Error("raw path in labels")
	}
	if a.metric(t, "shop_cache_hits_total") < 1 || a.metric(t, "shop_cache_misses_total") < 1 {
		t.Error("cache counters not moving")
	}
}

// monitoring/app-metrics.txt lists every shop_* metric an alert rule or dashboard reads (a
// monitoring test keeps it equal to what they reference): after real traffic, each is exported.
func TestExportsEveryMetricTheMonitoringUses(t *testing.T) {
	raw, err := os.ReadFile("../../monitoring/app-metrics.txt")
	if err != nil {
		t.Fatal(err)
	}
	listed := strings.Fields(string(raw))
	if len(listed) < 5 {
		t.Fatalf("only %d metrics listed", len(listed))
	}
	a := startApp(t, true)
	a.get(t, "/v1/products?limit=2")
	a.get(t, "/v1/products/DEMO-00003")
	a.get(t, "/v1/products/DEMO-00003")
	_, body := a.get(t, "/metrics")
	exported := map[string]bool{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		exported[strings.FieldsFunc(line, func(r rune) bool { return r == '{' || r == ' ' })[0]] = true
	}
	for _, name := range listed {
		if !exported[name] && !exported[name+"_bucket"] {
			t.Errorf("%s is used by monitoring/ but not exported", name)
		}
	}
}

func TestStructuredLogsWithoutSecrets(t *testing.T) {
	a := startApp(t, true)
	a.get(t, "/v1/products/DEMO-00002")
	time.Sleep(50 * time.Millisecond)
	logs := a.logs(t)
	found := false
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		if e["msg"] == "request" && e["route"] == "/v1/products/{sku}" && e["method"] == "GET" && e["status"] == float64(200) {
			if _, ok := e["duration_ms"].(float64); ok {
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("no request line: %s", logs)
	}
	for _, secret := range []string{env.roPassword, env.redisPassword, env.pgPassword} {
		if strings.Contains(logs, secret) {
			t.Fatal("secret in logs")
		}
	}
	if !strings.Contains(logs, "catalog_ro:***@") {
		t.Fatal("masked database URL not logged at start")
	}
}

func TestRedisKilledMidTestThenRecovers(t *testing.T) {
	restoreServers(t)
	a := startApp(t, true)
	a.get(t, "/v1/products/DEMO-00004")
	before := a.metric(t, "shop_redis_errors_total")
	if err := env.redisStop(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		start := time.Now()
		if st, body := a.get(t, "/v1/products/DEMO-00004"); st != 200 || !strings.Contains(string(body), "DEMO-00004") {
			t.Fatalf("%d %s", st, body)
		}
		if time.Since(start) > time.Second {
			t.Fatal("slow fallback")
		}
		if st, _ := a.get(t, "/v1/products?limit=3"); st != 200 {
			t.Fatal(st)
		}
	}
	st, body := a.get(t, "/readyz")
	if st != 200 || string(body) != `{"checks":{"postgres":"ok","redis":"error"},"status":"degraded"}` {
		t.Fatalf("%d %s", st, body)
	}
	if a.metric(t, "shop_redis_errors_total") <= before {
		t.Fatal("redis errors not counted")
	}
	if err := env.redisStart(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "ready again", func() bool {
		_, b := a.get(t, "/readyz")
		return strings.Contains(string(b), `"status":"ready"`)
	})
	a.get(t, "/v1/products/DEMO-00004")
	hits := a.metric(t, "shop_cache_hits_total")
	a.get(t, "/v1/products/DEMO-00004")
	if a.metric(t, "shop_cache_hits_total") != hits+1 {
		t.Fatal("not caching again after Redis came back")
	}
}

func TestStartsWithRedisDown(t *testing.T) {
	restoreServers(t)
	if err := env.redisStop(); err != nil {
		t.Fatal(err)
	}
	a := startApp(t, true)
	if st, _ := a.get(t, "/v1/products/DEMO-00001"); st != 200 {
		t.Fatal(st)
	}
	if err := env.redisStart(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "redis reconnect", func() bool {
		_, b := a.get(t, "/readyz")
		return strings.Contains(string(b), `"status":"ready"`)
	})
}

func TestPostgresStoppedThenRestarted(t *testing.T) {
	restoreServers(t)
	a := startApp(t, true)
	_, cached := a.get(t, "/v1/products/DEMO-00005")
	before := a.metric(t, "shop_db_errors_total")
	if err := env.pgStop(); err != nil {
		t.Fatal(err)
	}
	st, body := a.get(t, "/readyz")
	if st != 503 || !strings.Contains(string(body), `"status":"unready"`) || !strings.Contains(string(body), `"postgres":"error"`) {
		t.Fatalf("%d %s", st, body)
	}
	st, body = a.get(t, "/v1/products/DEMO-00006")
	assertError(t, st, body, 503, "database_unavailable")
	if _, b := a.get(t, "/v1/products/DEMO-00005"); string(b) != string(cached) {
		t.Fatal("cached item not served while PostgreSQL is down")
	}
	if a.metric(t, "shop_db_errors_total") < before+1 {
		t.Fatal("db errors not counted")
	}
	if st, _ := a.get(t, "/healthz"); st != 200 {
		t.Fatal("healthz failed")
	}
	if err := env.pgStart(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "postgres recovery", func() bool { st, _ := a.get(t, "/readyz"); return st == 200 })
	if st, _ := a.get(t, "/v1/products/DEMO-00006"); st != 200 {
		t.Fatal(st)
	}
}

func TestStartsWithPostgresDown(t *testing.T) {
	restoreServers(t)
	if err := env.pgStop(); err != nil {
		t.Fatal(err)
	}
	a := startApp(t, false)
	if st, _ := a.get(t, "/readyz"); st != 503 {
		t.Fatal(st)
	}
	if err := env.pgStart(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "postgres at startup", func() bool { st, _ := a.get(t, "/readyz"); return st == 200 })
	if st, _ := a.get(t, "/v1/products/DEMO-00007"); st != 200 {
		t.Fatal(st)
	}
}

func TestGracefulShutdownFinishesInFlightRequest(t *testing.T) {
	a := startApp(t, true, "CACHE_TTL_SECONDS=0")
	ctx := context.Background()
	locker := superConn(t)
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE products IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var st int
	var body []byte
	wg.Add(1)
	go func() { defer wg.Done(); st, body = a.get(t, "/v1/products/DEMO-00008") }()
	time.Sleep(700 * time.Millisecond)
	sigterm := time.Now()
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if s, _ := a.get(t, "/healthz"); s != 0 {
		t.Fatalf("still accepting new requests after SIGTERM (status %d)", s)
	}
	_ = tx.Rollback(ctx) // release the lock: the in-flight request can finish
	wg.Wait()
	if st != 200 || !strings.Contains(string(body), "DEMO-00008") {
		t.Fatalf("in-flight request: %d %s", st, body)
	}
	select {
	case err := <-a.done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
		a.done <- nil // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("did not exit within 10 s")
	}
	if time.Since(sigterm) > 10*time.Second {
		t.Fatal("exit took longer than 10 s")
	}
}

func TestMissingConfigFailsClearly(t *testing.T) {
	cmd := execCommand(binPath, "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "DATABASE_URL is required") {
		t.Fatalf("%v %s", err, out)
	}
}

func TestHealthcheckCommand(t *testing.T) {
	a := startApp(t, true)
	port := strings.TrimPrefix(a.base, "http://127.0.0.1:")
	cmd := execCommand(binPath, "healthcheck")
	cmd.Env = []string{"PORT=" + port}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("healthcheck against a live app failed: %v %s", err, out)
	}
	cmd = execCommand(binPath, "healthcheck")
	cmd.Env = []string{"PORT=1"}
	if err := cmd.Run(); err == nil {
		t.Fatal("healthcheck succeeded against a closed port")
	}
}
