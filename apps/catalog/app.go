package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

var skuPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,31}$`)

const (
	dbTimeout       = 5 * time.Second
	readyDBTimeout  = time.Second
	productColumns  = "sku, name, description, price_cents, stock, updated_at"
	defaultLimit    = 20
	maxLimit        = 100
	maxOffset       = 1_000_000
	productKeyFmt   = "cat:product:%s"
	listKeyFmt      = "cat:products:%d:%d"
	applicationName = "catalog"
)

type product struct {
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	PriceCents  int64     `json:"price_cents"`
	Stock       int64     `json:"stock"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type productList struct {
	Items  []product `json:"items"`
	Limit  int       `json:"limit"`
	Offset int       `json:"offset"`
	Count  int       `json:"count"`
}

// cacheSourceKey says on the server span where the body came from: near, redis, shared (waited for
// another request's fill of the key), postgres.
const cacheSourceKey = attribute.Key("catalog.cache.source")

type app struct {
	pool   *pgxpool.Pool
	cache  *cache
	m      *metrics
	log    *slog.Logger
	access *accessLog
	traced bool // tracing is on: spans get the route and cache source, log lines the trace ids
	mux    *http.ServeMux
}

func newApp(cfg Config, log *slog.Logger, tr *tracing) (*app, error) {
	pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, errors.New("DATABASE_URL is not a valid PostgreSQL URL")
	}
	pcfg.MaxConns = cfg.DBPoolMax
	pcfg.MinConns = 0 // connect lazily: the app starts while PostgreSQL is down
	pcfg.HealthCheckPeriod = 5 * time.Second
	pcfg.ConnConfig.ConnectTimeout = 3 * time.Second
	pcfg.ConnConfig.RuntimeParams["application_name"] = applicationName
	pcfg.ConnConfig.RuntimeParams["statement_timeout"] = "15000"
	pcfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	if tr != nil {
		pcfg.ConnConfig.Tracer = tr.pgTracer()
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres pool: %w", err)
	}
	m := newMetrics(pool)
	c, err := newCache(cfg.RedisURL, cfg.CacheTTL, cfg.NearTTL, m, log)
	if err != nil {
		pool.Close()
		return nil, err
	}
	if tr != nil && c.client != nil {
		if err := tr.instrumentRedis(c.client); err != nil {
			pool.Close()
			return nil, err
		}
	}
	a := &app{pool: pool, cache: c, m: m, log: log, access: cfg.access, traced: tr != nil, mux: http.NewServeMux()}
	if a.access == nil {
		a.access = newAccessLog(os.Stdout, cfg.LogLevel)
	}
	a.mux.HandleFunc("GET /healthz", a.healthz)
	a.mux.HandleFunc("GET /readyz", a.readyz)
	a.mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	a.mux.HandleFunc("GET /v1/products", a.listProducts)
	a.mux.HandleFunc("GET /v1/products/{sku}", a.getProduct)
	return a, nil
}

func (a *app) Close() {
	a.pool.Close()
	a.cache.close()
}

// ---- plumbing ------------------------------------------------------------------------------

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// discardWriter captures what ServeMux's own 404/405 handlers would send, so we can answer JSON.
type discardWriter struct {
	header http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(code int)        { d.status = code }

// Handler routes with Go 1.22 patterns, answers unknown routes and wrong methods with the JSON error
// envelope, and records one log line and the shop_http_* metrics per request.
func (a *app) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h, pattern := a.mux.Handler(r)
		route := "unmatched"
		sw := &statusWriter{ResponseWriter: w}
		if pattern == "" {
			d := &discardWriter{header: http.Header{}}
			h.ServeHTTP(d, r)
			switch d.status {
			case http.StatusMethodNotAllowed:
				if allow := d.header.Get("Allow"); allow != "" {
					sw.Header().Set("Allow", allow)
				}
				writeError(sw, http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed")
			case http.StatusNotFound, 0:
				writeError(sw, http.StatusNotFound, "not_found", "route not found")
			default:
				writeError(sw, d.status, "bad_request", http.StatusText(d.status))
			}
		} else {
			if i := strings.IndexByte(pattern, ' '); i >= 0 {
				route = pattern[i+1:]
			} else {
				route = pattern
			}
			if a.traced {
				setRoute(r.Context(), route)
			}
			func() {
				defer func() {
					if p := recover(); p != nil {
						if p == http.ErrAbortHandler {
							panic(p)
						}
						a.log.ErrorContext(r.Context(), "panic in handler", "panic", fmt.Sprint(p))
						writeError(sw, http.StatusInternalServerError, "internal_error", "internal error")
					}
				}()
				a.mux.ServeHTTP(sw, r) // ServeHTTP (not h) so that r.PathValue is populated
			}()
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		end := time.Now()
		d := end.Sub(start)
		a.m.observe(route, r.Method, sw.status, d)
		e := accessEntry{end: end, method: r.Method, route: route, path: r.URL.Path, status: sw.status, duration: d}
		if a.traced {
			if sc := trace.SpanContextFromContext(r.Context()); sc.IsValid() {
				e.traced, e.traceID, e.spanID = true, sc.TraceID(), sc.SpanID()
			}
		}
		a.access.log(&e)
	})
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	var b errorBody
	b.Error.Code, b.Error.Message = code, message
	body, _ := json.Marshal(b)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (a *app) dbError(w http.ResponseWriter, r *http.Request, err error) {
	a.m.dbErrors.Inc()
	a.log.WarnContext(r.Context(), "postgres call failed", "error", err.Error())
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusServiceUnavailable, "database_unavailable", "the database is unavailable, retry later")
}

// ---- probes ------------------------------------------------------------------------------------

func (a *app) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
}

func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyDBTimeout)
	defer cancel()
	pgOK := a.pool.Ping(ctx) == nil
	redisOK := a.cache.ping(r.Context())
	state := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "error"
	}
	body := map[string]any{"checks": map[string]string{"postgres": state(pgOK), "redis": state(redisOK)}}
	status := http.StatusOK
	switch {
	case !pgOK:
		body["status"], status = "unready", http.StatusServiceUnavailable
	case !redisOK:
		body["status"] = "degraded"
	default:
		body["status"] = "ready"
	}
	b, _ := json.Marshal(body)
	writeJSON(w, status, b)
}

// ---- products ----------------------------------------------------------------------------------

func queryInt(r *http.Request, name string, def, min, max int) (int, error) {
	q := r.URL.Query()
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("%s must be an integer between %d and %d", name, min, max)
	}
	return n, nil
}

// cached answers from the near cache or Redis when it can; otherwise load() reads PostgreSQL and the
// result is cached (cache.read: one fill per key at a time, early refresh before expiry).
func (a *app) cached(w http.ResponseWriter, r *http.Request, key string, load loader) {
	body, src, err := a.cache.read(r.Context(), key, load)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		writeError(w, http.StatusNotFound, "product_not_found", "no product with sku "+r.PathValue("sku"))
		return
	case err != nil:
		a.dbError(w, r, err)
		return
	case src.hit():
		a.m.cacheHits.Inc()
	case src == fromDB:
		a.m.cacheMisses.Inc()
	}
	if a.traced {
		if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
			span.SetAttributes(cacheSourceKey.String(src.String()))
		}
	}
	writeJSON(w, http.StatusOK, body)
}

func (a *app) listProducts(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", defaultLimit, 1, maxLimit)
	if err == nil {
		var offset int
		offset, err = queryInt(r, "offset", 0, 0, maxOffset)
		if err == nil {
			a.cached(w, r, fmt.Sprintf(listKeyFmt, limit, offset), func(ctx context.Context) ([]byte, error) {
				rows, err := a.pool.Query(ctx, "SELECT "+productColumns+" FROM products ORDER BY sku LIMIT $1 OFFSET $2", limit, offset)
				if err != nil {
					return nil, err
				}
				items, err := pgx.CollectRows(rows, pgx.RowToStructByPos[product])
				if err != nil {
					return nil, err
				}
				if items == nil {
					items = []product{}
				}
				return json.Marshal(productList{Items: items, Limit: limit, Offset: offset, Count: len(items)})
			})
			return
		}
	}
	writeError(w, http.StatusBadRequest, "invalid_parameter", err.Error())
}

func (a *app) getProduct(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	if !skuPattern.MatchString(sku) {
		writeError(w, http.StatusBadRequest, "invalid_sku", "sku must match ^[A-Z0-9][A-Z0-9-]{2,31}$")
		return
	}
	a.cached(w, r, fmt.Sprintf(productKeyFmt, sku), func(ctx context.Context) ([]byte, error) {
		rows, err := a.pool.Query(ctx, "SELECT "+productColumns+" FROM products WHERE sku = $1", sku)
		if err != nil {
			return nil, err
		}
		p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[product])
		if err != nil {
			return nil, err
		}
		return json.Marshal(p)
	})
}
