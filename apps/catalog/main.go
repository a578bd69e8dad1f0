// Command catalog is the read-only product catalog API of shop-platform.
//
//	catalog serve      (wrapped by ./run serve; the container's entry point runs the same)
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// Config comes only from the environment.
type Config struct {
	DatabaseURL     string
	RedisURL        string
	CacheTTL        time.Duration
	NearTTL         time.Duration
	Port            int
	Host            string
	LogLevel        string
	DBPoolMax       int32
	ShutdownTimeout time.Duration
	access          *accessLog
}

func envInt(name string, def, min, max int) (int, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("%s must be an integer in [%d, %d]", name, min, max)
	}
	return n, nil
}

func loadConfig() (Config, error) {
	c := Config{
		DatabaseURL: os.Getenv("DATABASE_URL"),
		RedisURL:    os.Getenv("REDIS_URL"),
		Host:        os.Getenv("HOST"),
		LogLevel:    os.Getenv("LOG_LEVEL"),
	}
	if c.DatabaseURL == "" {
		return c, errors.New("DATABASE_URL is required")
	}
	ttl, err := envInt("CACHE_TTL_SECONDS", 60, 0, 86400)
	if err != nil {
		return c, err
	}
	c.CacheTTL = time.Duration(ttl) * time.Second
	near, err := envInt("CACHE_NEAR_TTL_MS", int(defaultNearTTL/time.Millisecond), 0, 60_000)
	if err != nil {
		return c, err
	}
	c.NearTTL = time.Duration(near) * time.Millisecond
	if c.Port, err = envInt("PORT", 8080, 1, 65535); err != nil {
		return c, err
	}
	pool, err := envInt("DB_POOL_MAX", 10, 1, 200)
	if err != nil {
		return c, err
	}
	c.DBPoolMax = int32(pool)
	st, err := envInt("SHUTDOWN_TIMEOUT_SECONDS", 8, 1, 60)
	if err != nil {
		return c, err
	}
	c.ShutdownTimeout = time.Duration(st) * time.Second
	if _, err := tracingWanted(); err != nil {
		return c, err
	}
	return c, nil
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck())
	}
	if len(os.Args) < 2 || os.Args[1] != "serve" {
		fmt.Fprintln(os.Stderr, "usage: catalog serve | catalog healthcheck")
		os.Exit(2)
	}
	cfg, err := loadConfig()
	if err != nil {
		fmt.Fprintf(os.Stderr, "{\"level\":\"error\",\"msg\":\"invalid configuration: %s\"}\n", err)
		os.Exit(2)
	}
	// Every log line (the app's and the per-request access lines) goes through one lineWriter, so
	// lines stay whole and in order while sharing write(2) calls under load.
	out := newLineWriter(os.Stdout)
	logger := newLogger(out, cfg.LogLevel, secretsOf(cfg.DatabaseURL, cfg.RedisURL))
	slog.SetDefault(logger)
	cfg.access = newAccessLog(out, cfg.LogLevel)
	err = serve(cfg, logger)
	if err != nil {
		logger.Error("server failed", "error", err.Error())
	}
	out.Close()
	if err != nil {
		os.Exit(1)
	}
}

func serve(cfg Config, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	tr, err := setupTracing(ctx, logger)
	if err != nil {
		return err
	}
	// Queued spans are flushed for at most shutdownGrace, inside the 10 s the pod gets after SIGTERM;
	// the defer covers the error returns below (a second Shutdown is a no-op).
	flushSpans := func() {
		tctx, tcancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer tcancel()
		if err := tr.shutdown(tctx); err != nil {
			logger.Warn("flushing spans at shutdown failed", "error", err.Error())
		}
	}
	defer flushSpans()
	app, err := newApp(cfg, logger, tr)
	if err != nil {
		return err
	}
	defer app.Close()
	handler := app.Handler()
	if tr != nil {
		handler = tr.wrapHandler(handler)
	}

	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	logger.Info("starting catalog", "addr", addr, "database_url", maskURL(cfg.DatabaseURL),
		"redis_url", maskURL(cfg.RedisURL), "cache_ttl_seconds", int(cfg.CacheTTL.Seconds()),
		"near_cache_ttl_ms", app.cache.nearTTL.Milliseconds(), "gomaxprocs", runtime.GOMAXPROCS(0), "tracing", tr != nil)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: no new connections, finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("shutdown timed out", "error", err.Error())
	}
	flushSpans()
	logger.Info("stopped")
	return nil
}

// healthcheck probes this process's own /healthz (for container HEALTHCHECKs: the image has no shell).
func healthcheck() int {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://127.0.0.1:" + port + "/healthz")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}
