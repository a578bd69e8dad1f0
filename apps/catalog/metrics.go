package main

import (
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metric names and labels are a contract with the alert rules (docs/contracts.md §2).
type metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	cacheHits   prometheus.Counter
	cacheMisses prometheus.Counter
	redisErrors prometheus.Counter
	dbErrors    prometheus.Counter
	series      sync.Map // routeKey -> *routeSeries
}

type poolCollector struct {
	pool  *pgxpool.Pool
	conns *prometheus.Desc
	max   *prometheus.Desc
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.conns; ch <- c.max }

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(s.AcquiredConns()), "in_use")
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.MaxConns()))
}

func newMetrics(pool *pgxpool.Pool) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shop_http_requests_total", Help: "Requests served.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "shop_http_request_duration_seconds", Help: "Request latency.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		cacheHits:   prometheus.NewCounter(prometheus.CounterOpts{Name: "shop_cache_hits_total", Help: "Reads answered from Redis."}),
		cacheMisses: prometheus.NewCounter(prometheus.CounterOpts{Name: "shop_cache_misses_total", Help: "Reads that went to PostgreSQL because the key was absent."}),
		redisErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "shop_redis_errors_total", Help: "Redis calls that failed or timed out."}),
		dbErrors:    prometheus.NewCounter(prometheus.CounterOpts{Name: "shop_db_errors_total", Help: "PostgreSQL calls that failed (the request answered 503)."}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.cacheHits, m.cacheMisses, m.redisErrors, m.dbErrors,
		&poolCollector{
			pool:  pool,
			conns: prometheus.NewDesc("shop_db_pool_connections", "Connections in the pool.", []string{"state"}, nil),
			max:   prometheus.NewDesc("shop_db_pool_max_connections", "The pool's maximum size.", nil, nil),
		},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// routeKey identifies one shop_http_* series; observe keeps the resolved children per key so a request
// costs one sync.Map load instead of two label hashes and lookups in the vectors (the label values are
// a small fixed set: route templates, methods, status codes).
type routeKey struct {
	route, method string
	status        int
}

type routeSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// knownMethods bounds the method label: any other token a client sends is counted as "other", so
// neither the series nor this map can be grown without bound by requests with made-up methods.
var knownMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true,
	"DELETE": true, "OPTIONS": true, "CONNECT": true, "TRACE": true}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	if !knownMethods[method] {
		method = "other"
	}
	k := routeKey{route, method, status}
	v, ok := m.series.Load(k)
	if !ok {
		v, _ = m.series.LoadOrStore(k, &routeSeries{
			requests: m.requests.WithLabelValues(route, method, strconv.Itoa(status)),
			duration: m.duration.WithLabelValues(route, method),
		})
	}
	s := v.(*routeSeries)
	s.requests.Inc()
	s.duration.Observe(d.Seconds())
}
