package main

// OpenTelemetry tracing, configured only by the standard OTEL_* environment variables.
//
// Tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (and
// neither OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none). Otherwise nothing is set up at all —
// no exporter, no SDK, no otelhttp wrapper, no pgx tracer, no Redis hook — so the process runs exactly
// as without tracing (benchmarked in docs/benchmarks.md).
//
// When on, everything else is read by the SDK itself from the environment (pinned versions in go.mod):
//   - exporter: OTLP over HTTP/protobuf (otlptracehttp v1.47.0 reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT,
//     _HEADERS, _TIMEOUT, _COMPRESSION, _CERTIFICATE, _CLIENT_CERTIFICATE/_KEY, _INSECURE; see
//     https://github.com/open-telemetry/opentelemetry-go/blob/v1.47.0/exporters/otlp/otlptrace/otlptracehttp/internal/otlpconfig/envconfig.go)
//   - sampler: OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, default parentbased_always_on
//     (https://github.com/open-telemetry/opentelemetry-go/blob/v1.47.0/sdk/trace/sampler_env.go)
//   - batching: OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE, …
//   - resource: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (resource.WithFromEnv), over the default
//     service.name "catalog" (later detectors win: resource.detect in sdk v1.47.0 resource/auto.go).
//
// Propagation is W3C Trace Context + Baggage (traceparent/tracestate in; the same propagator is the
// global one for anything that makes outgoing calls). OTEL_PROPAGATORS is not read: the collector and
// every app of the platform speak W3C. The gRPC OTLP protocol is not compiled in (it would add gRPC to
// a scratch image for nothing: the collector's OTLP receiver takes HTTP on 4318), so
// OTEL_EXPORTER_OTLP_PROTOCOL=grpc is refused at start instead of being silently ignored.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/exaring/otelpgx"
	"github.com/go-logr/logr"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// tracing is nil when tracing is off.
type tracing struct {
	tp *sdktrace.TracerProvider
}

// tracingWanted reads the switches of the OTel SDK environment specification (OTEL_SDK_DISABLED,
// OTEL_TRACES_EXPORTER) plus the endpoint: without an endpoint we export nothing rather than to the
// SDK's default localhost:4318, where nothing listens in a pod.
func tracingWanted() (bool, error) {
	if strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true") {
		return false, nil
	}
	switch exp := strings.ToLower(strings.TrimSpace(os.Getenv("OTEL_TRACES_EXPORTER"))); exp {
	case "none":
		return false, nil
	case "", "otlp":
	default:
		return false, fmt.Errorf("OTEL_TRACES_EXPORTER=%s is not supported (otlp or none)", exp)
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if p := strings.TrimSpace(os.Getenv(name)); p != "" && p != "http/protobuf" && p != "http/json" {
			return false, fmt.Errorf("%s=%s is not supported (http/protobuf or http/json, port 4318)", name, p)
		}
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "", nil
}

// setupTracing installs the SDK as the global tracer provider when tracing is wanted.
func setupTracing(ctx context.Context, log *slog.Logger) (*tracing, error) {
	on, err := tracingWanted()
	if err != nil || !on {
		return nil, err
	}
	// SDK and exporter errors (collector unreachable, …) become JSON log lines, not stderr text.
	otel.SetLogger(logr.FromSlogHandler(log.Handler()))
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("opentelemetry error", "error", err.Error())
	}))
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("otlp trace exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(applicationName)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES override the default above
		resource.WithTelemetrySDK(),
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("otel resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return &tracing{tp: tp}, nil
}

func (t *tracing) shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.tp.Shutdown(ctx)
}

// pgTracer is the pgx tracer for the pool: one CLIENT span per query (named by the SQL operation,
// attributes of semconv v1.40.0 as emitted by otelpgx v0.13.0: db.system.name, db.namespace,
// db.query.text with $n placeholders — never the parameter values — server.address/port).
func (t *tracing) pgTracer() pgx.QueryTracer {
	return otelpgx.NewTracer(otelpgx.WithTracerProvider(t.tp))
}

// instrumentRedis adds the redisotel hooks: one CLIENT span per command or pipeline (semconv v1.24.0 as
// emitted by redisotel v9.23.0: db.system=redis, db.connection_string without credentials,
// server.address/port). The statement attribute is off: it would carry the cached response bodies;
// AUTH is never traced (redisotel.DefaultCommandFilter). The caller lookup is off: runtime.Caller on
// every command is pure overhead here.
func (t *tracing) instrumentRedis(c *redis.Client) error {
	return redisotel.InstrumentTracing(c, redisotel.WithTracerProvider(t.tp),
		redisotel.WithDBStatement(false), redisotel.WithCallerEnabled(false))
}

// untracedPaths are the probes and the scrape: they would be most of the spans and tell nothing.
var untracedPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// wrapHandler puts the otelhttp server middleware (semconv v1.43.0 as emitted by otelhttp v0.72.0) in
// front of h: it extracts the incoming traceparent/tracestate, starts the SERVER span named
// "{method} {route}" (r.Pattern, set by the ServeMux) and ends it after the response.
func (t *tracing) wrapHandler(h http.Handler) http.Handler {
	return otelhttp.NewHandler(h, "catalog",
		otelhttp.WithTracerProvider(t.tp),
		otelhttp.WithPropagators(otel.GetTextMapPropagator()),
		otelhttp.WithFilter(func(r *http.Request) bool { return !untracedPaths[r.URL.Path] }),
	)
}

// setRoute adds http.route to the server span: otelhttp only knows the pattern after routing, when it
// renames the span, and does not add the attribute then.
func setRoute(ctx context.Context, route string) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(semconv.HTTPRoute(route))
	}
}

// ---- trace ids in log lines ------------------------------------------------------------------------

// traceHandler adds trace_id and span_id to every record logged with the context of a traced request
// (slog's *Context methods), so the app's own lines (Redis fallbacks, database errors) join the trace
// like the access line does.
type traceHandler struct{ slog.Handler }

func (h traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceHandler{h.Handler.WithAttrs(attrs)}
}

func (h traceHandler) WithGroup(name string) slog.Handler {
	return traceHandler{h.Handler.WithGroup(name)}
}

// shutdownGrace bounds the final span flush at SIGTERM, inside the 10 s the pod gets.
const shutdownGrace = time.Second
