package main

// The catalog is tested as a real process (bin built here, run with "serve") against a real
// PostgreSQL 15 and Redis started by apps/testing/servers.sh, through a read-only role.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

var (
	binPath    string
	serversSh  string
	env        *testServers
	httpClient = &http.Client{Timeout: 15 * time.Second}
)

type testServers struct {
	pgDir, redisDir                       string
	pgPort, redisPort                     int
	pgPassword, redisPassword, roPassword string
	superURL, catalogURL, redisURL        string
}

func token() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (s *testServers) run(args ...string) error {
	cmd := exec.Command(serversSh, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

func (s *testServers) pgStart() error {
	return s.run("pg-start", s.pgDir, strconv.Itoa(s.pgPort), s.pgPassword)
}
func (s *testServers) pgStop() error { return s.run("pg-stop", s.pgDir) }
func (s *testServers) redisStart() error {
	return s.run("redis-start", s.redisDir, strconv.Itoa(s.redisPort), s.redisPassword)
}
func (s *testServers) redisStop() error { return s.run("redis-stop", s.redisDir) }

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	wd, _ := os.Getwd()
	serversSh = filepath.Join(wd, "..", "testing", "servers.sh")
	base := os.Getenv("SHOP_TEST_TMP")
	binDir, err := os.MkdirTemp(base, "cat-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(binDir)
	binPath = filepath.Join(binDir, "catalog")
	build := exec.Command("go", "build", "-o", binPath, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		return 1
	}
	s := &testServers{pgPort: freePort(), redisPort: freePort(), pgPassword: token(), redisPassword: token(), roPassword: token()}
	if s.pgDir, err = os.MkdirTemp(base, "cat-pg-"); err != nil {
		return 1
	}
	if s.redisDir, err = os.MkdirTemp(base, "cat-redis-"); err != nil {
		return 1
	}
	defer func() {
		_ = s.pgStop()
		_ = s.redisStop()
		os.RemoveAll(s.pgDir)
		os.RemoveAll(s.redisDir)
	}()
	s.superURL = fmt.Sprintf("postgresql://postgres:%s@127.0.0.1:%d/shop", s.pgPassword, s.pgPort)
	s.catalogURL = fmt.Sprintf("postgresql://catalog_ro:%s@127.0.0.1:%d/shop", s.roPassword, s.pgPort)
	s.redisURL = fmt.Sprintf("redis://:%s@127.0.0.1:%d/0", s.redisPassword, s.redisPort)
	if err := s.pgStart(); err != nil {
		fmt.Fprintln(os.Stderr, "postgres:", err)
		return 1
	}
	if err := s.redisStart(); err != nil {
		fmt.Fprintln(os.Stderr, "redis:", err)
		return 1
	}
	if err := setupSchema(s); err != nil {
		fmt.Fprintln(os.Stderr, "schema:", err)
		return 1
	}
	env = s
	return m.Run()
}

// setupSchema applies the storefront's migrations (it owns the schema), seeds demo products and
// creates the read-only role the catalog uses in the cluster.
func setupSchema(s *testServers) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.superURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	files, _ := filepath.Glob(filepath.Join("..", "storefront", "storefront", "migrations", "*.sql"))
	if len(files) == 0 {
		return fmt.Errorf("no migrations found")
	}
	sort.Strings(files)
	for _, f := range files {
		sql, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, string(sql)); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	for i := 1; i <= 30; i++ {
		if _, err := conn.Exec(ctx, `INSERT INTO products (sku, name, description, price_cents, stock)
			VALUES ($1, $2, $3, $4, 100)`, fmt.Sprintf("DEMO-%05d", i), fmt.Sprintf("Demo product %d", i),
			"demo", 100+i); err != nil {
			return err
		}
	}
	for _, q := range []string{
		"CREATE ROLE catalog_ro LOGIN PASSWORD '" + s.roPassword + "'",
		"GRANT CONNECT ON DATABASE shop TO catalog_ro",
		"GRANT USAGE ON SCHEMA public TO catalog_ro",
		"GRANT SELECT ON products TO catalog_ro",
		// servers.sh preloads the library; the stampede tests count the catalog's queries with it.
		"CREATE EXTENSION IF NOT EXISTS pg_stat_statements",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// ---- the app process -----------------------------------------------------------------------

type appProc struct {
	cmd     *exec.Cmd
	base    string
	logPath string
	done    chan error
}

func startApp(t *testing.T, waitReady bool, extra ...string) *appProc {
	t.Helper()
	port := freePort()
	logPath := filepath.Join(t.TempDir(), "catalog.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, "serve")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+env.catalogURL, "REDIS_URL="+env.redisURL, "PORT="+strconv.Itoa(port),
		"HOST=127.0.0.1", "LOG_LEVEL=info", "CACHE_TTL_SECONDS=60")
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := &appProc{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), logPath: logPath, done: make(chan error, 1)}
	go func() { a.done <- cmd.Wait(); logFile.Close() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-a.done:
		case <-time.After(12 * time.Second):
			_ = cmd.Process.Kill()
			<-a.done
		}
	})
	waitFor(t, 15*time.Second, "healthz", func() bool { st, _ := a.get(t, "/healthz"); return st == 200 })
	if waitReady {
		waitFor(t, 15*time.Second, "readyz", func() bool { st, _ := a.get(t, "/readyz"); return st == 200 })
	}
	return a
}

func (a *appProc) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	return a.do(t, http.MethodGet, path)
}

func (a *appProc) do(t *testing.T, method, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, a.base+path, nil)
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (a *appProc) metric(t *testing.T, name string) float64 {
	t.Helper()
	_, body := a.get(t, "/metrics")
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, name+" ") {
			v, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return v
		}
	}
	return 0
}

func (a *appProc) logs(t *testing.T) string {
	b, _ := os.ReadFile(a.logPath)
	return string(b)
}

func waitFor(t *testing.T, d time.Duration, what string, pred func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if pred() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return v
}

func assertError(t *testing.T, status int, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	e := decode[errorBody](t, body)
	if e.Error.Code == "" || e.Error.Message == "" || (wantCode != "" && e.Error.Code != wantCode) {
		t.Fatalf("bad error envelope: %s", body)
	}
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	if len(raw) != 1 {
		t.Fatalf("extra top-level keys: %s", body)
	}
}

func superConn(t *testing.T) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), env.superURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	opt, _ := redis.ParseURL(env.redisURL)
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// newProduct inserts a product only the calling test uses.
func newProduct(t *testing.T, name string) string {
	t.Helper()
	sku := "T-" + strings.ToUpper(token()[:12])
	if _, err := superConn(t).Exec(context.Background(),
		"INSERT INTO products (sku, name, description, price_cents, stock) VALUES ($1, $2, '', 5, 5)", sku, name); err != nil {
		t.Fatal(err)
	}
	return sku
}

// restoreServers makes sure a test that stops PostgreSQL or Redis leaves them running.
func restoreServers(t *testing.T) {
	t.Cleanup(func() {
		if _, err := os.Stat(filepath.Join(env.pgDir, "data", "postmaster.pid")); err != nil {
			_ = env.pgStart()
		}
		if _, err := os.Stat(filepath.Join(env.redisDir, "redis.pid")); err != nil {
			_ = env.redisStart()
		}
	})
}

var execCommand = exec.Command
