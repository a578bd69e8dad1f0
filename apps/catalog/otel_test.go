package main

// Tracing, end to end with the real wire format: the app process exports to a local OTLP/HTTP
// receiver that decodes the real protobuf (go.opentelemetry.io/proto/otlp, collector trace v1
// ExportTraceServiceRequest), and the spans, their links and the log lines are checked.

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

type gotSpan struct {
	*tracepb.Span
	scope    string
	resource map[string]string
}

func (s gotSpan) attr(key string) (string, bool) {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return anyValue(kv.Value), true
		}
	}
	return "", false
}

func anyValue(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return fmt.Sprint(x.IntValue)
	case *commonpb.AnyValue_BoolValue:
		return fmt.Sprint(x.BoolValue)
	case *commonpb.AnyValue_DoubleValue:
		return fmt.Sprint(x.DoubleValue)
	default:
		return v.String()
	}
}

// otlpReceiver is a minimal OTLP/HTTP traces endpoint (POST /v1/traces, application/x-protobuf,
// optionally gzip) that keeps every span it decodes.
type otlpReceiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	spans    []gotSpan
	requests int
	bad      []string
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	r := &otlpReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(r.handle))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *otlpReceiver) handle(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" {
		r.bad = append(r.bad, req.Method+" "+req.URL.Path+" "+req.Header.Get("Content-Type"))
		http.Error(w, "unexpected request", http.StatusBadRequest)
		return
	}
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	raw, _ := io.ReadAll(body)
	var msg coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(raw, &msg); err != nil {
		r.bad = append(r.bad, "undecodable: "+err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, rs := range msg.ResourceSpans {
		res := map[string]string{}
		for _, kv := range rs.GetResource().GetAttributes() {
			res[kv.Key] = anyValue(kv.Value)
		}
		for _, ss := range rs.ScopeSpans {
			for _, sp := range ss.Spans {
				r.spans = append(r.spans, gotSpan{Span: sp, scope: ss.GetScope().GetName(), resource: res})
			}
		}
	}
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (r *otlpReceiver) trace(traceID []byte) []gotSpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []gotSpan
	for _, s := range r.spans {
		if bytes.Equal(s.TraceId, traceID) {
			out = append(out, s)
		}
	}
	return out
}

func (r *otlpReceiver) count() (requests, spans int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, len(r.spans)
}

func (r *otlpReceiver) endpoint() string { return r.srv.URL }

// tracedGet sends a GET with the given W3C traceparent (and tracestate, when not empty).
func tracedGet(t *testing.T, a *appProc, path, traceparent, tracestate string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.base+path, nil)
	if traceparent != "" {
		req.Header.Set("traceparent", traceparent)
	}
	if tracestate != "" {
		req.Header.Set("tracestate", tracestate)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func newIDs(t *testing.T) (traceID, parentID []byte, traceparent string) {
	t.Helper()
	traceID, _ = hex.DecodeString(token())
	parentID, _ = hex.DecodeString(token()[:16])
	return traceID, parentID, fmt.Sprintf("00-%x-%x-01", traceID, parentID)
}

// logLines returns the app's JSON log lines matching every key/value of want.
func logLines(t *testing.T, a *appProc, want map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(a.logs(t)), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		ok := true
		for k, v := range want {
			if e[k] != v {
				ok = false
			}
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}

func tracingEnv(endpoint string) []string {
	return []string{
		"OTEL_EXPORTER_OTLP_ENDPOINT=" + endpoint,
		"OTEL_SERVICE_NAME=catalog-under-test",
		"OTEL_RESOURCE_ATTRIBUTES=deployment.environment.name=test,service.version=1.2.3",
		"OTEL_TRACES_SAMPLER=parentbased_always_on",
		"OTEL_BSP_SCHEDULE_DELAY=50", // ms: export quickly
	}
}

func waitSpans(t *testing.T, rcv *otlpReceiver, traceID []byte, pred func([]gotSpan) bool) []gotSpan {
	t.Helper()
	var spans []gotSpan
	waitFor(t, 10*time.Second, fmt.Sprintf("spans of trace %x", traceID), func() bool {
		spans = rcv.trace(traceID)
		return pred(spans)
	})
	return spans
}

func byKind(spans []gotSpan, kind tracepb.Span_SpanKind) []gotSpan {
	var out []gotSpan
	for _, s := range spans {
		if s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

func wantAttr(t *testing.T, s gotSpan, key, value string) {
	t.Helper()
	if got, ok := s.attr(key); !ok || got != value {
		t.Errorf("span %q: %s = %q (present %v), want %q", s.Name, key, got, ok, value)
	}
}

func TestTracesWithDatabaseAndCacheChildSpans(t *testing.T) {
	rcv := newOTLPReceiver(t)
	a := startApp(t, true, tracingEnv(rcv.endpoint())...)
	sku := newProduct(t, "traced")
	path := "/v1/products/" + sku
	traceID, parentID, traceparent := newIDs(t)

	// 1. a cold key: SERVER span, Redis pipeline (GET+PTTL miss), PostgreSQL query, Redis SET.
	if st := tracedGet(t, a, path, traceparent, "vendor=abc"); st != 200 {
		t.Fatal(st)
	}
	spans := waitSpans(t, rcv, traceID, func(s []gotSpan) bool {
		return len(byKind(s, tracepb.Span_SPAN_KIND_SERVER)) == 1 && len(byKind(s, tracepb.Span_SPAN_KIND_CLIENT)) >= 3
	})
	server := byKind(spans, tracepb.Span_SPAN_KIND_SERVER)[0]
	if server.Name != "GET /v1/products/{sku}" {
		t.Errorf("server span name %q", server.Name)
	}
	if !bytes.Equal(server.ParentSpanId, parentID) {
		t.Errorf("server span parent %x, want the incoming parent %x", server.ParentSpanId, parentID)
	}
	if server.TraceState != "vendor=abc" {
		t.Errorf("tracestate %q not propagated", server.TraceState)
	}
	if server.scope != "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp" {
		t.Errorf("server span scope %q", server.scope)
	}
	// semconv v1.43.0 (otelhttp v0.72.0) plus our http.route and cache source
	for k, v := range map[string]string{"http.request.method": "GET", "http.route": "/v1/products/{sku}",
		"http.response.status_code": "200", "url.path": path, "url.scheme": "http", "server.address": "127.0.0.1",
		"catalog.cache.source": "postgres"} {
		wantAttr(t, server, k, v)
	}
	for k, v := range map[string]string{"service.name": "catalog-under-test", "deployment.environment.name": "test",
		"service.version": "1.2.3", "telemetry.sdk.language": "go", "telemetry.sdk.name": "opentelemetry"} {
		if server.resource[k] != v {
			t.Errorf("resource %s = %q, want %q", k, server.resource[k], v)
		}
	}

	var pg, redisSpans []gotSpan
	for _, s := range byKind(spans, tracepb.Span_SPAN_KIND_CLIENT) {
		switch s.scope {
		case "github.com/exaring/otelpgx":
			pg = append(pg, s)
		case "github.com/redis/go-redis/extra/redisotel":
			redisSpans = append(redisSpans, s)
		default:
			t.Errorf("unexpected client span %q from %q", s.Name, s.scope)
		}
	}
	within := func(s gotSpan) {
		if s.StartTimeUnixNano < server.StartTimeUnixNano || s.EndTimeUnixNano > server.EndTimeUnixNano {
			t.Errorf("span %q is not inside the server span", s.Name)
		}
	}
	var query *gotSpan
	for i, s := range pg {
		if q, _ := s.attr("db.query.text"); strings.Contains(q, "FROM products WHERE sku = $1") {
			query = &pg[i]
		}
	}
	if query == nil {
		t.Fatalf("no PostgreSQL query span among %d otelpgx spans", len(pg))
	}
	if !bytes.Equal(query.ParentSpanId, server.SpanId) {
		t.Errorf("query span parent %x, want the server span %x", query.ParentSpanId, server.SpanId)
	}
	within(*query)
	// semconv v1.40.0 (otelpgx v0.13.0)
	for k, v := range map[string]string{"db.system.name": "postgresql", "db.namespace": "shop", "db.operation.name": "SELECT",
		"server.address": "127.0.0.1"} {
		wantAttr(t, *query, k, v)
	}
	if query.Name != "SELECT" {
		t.Errorf("query span name %q", query.Name)
	}
	names := map[string]bool{}
	for _, s := range redisSpans {
		names[s.Name] = true
		if !bytes.Equal(s.ParentSpanId, server.SpanId) {
			t.Errorf("redis span %q parent %x, want the server span %x", s.Name, s.ParentSpanId, server.SpanId)
		}
		within(s)
		// semconv v1.24.0 (redisotel v9.23.0)
		wantAttr(t, s, "db.system", "redis")
		wantAttr(t, s, "db.connection_string", fmt.Sprintf("redis://127.0.0.1:%d", env.redisPort))
	}
	if !names["redis.pipeline get pttl"] || !names["set"] {
		t.Errorf("redis spans %v, want the GET+PTTL pipeline and the SET", names)
	}
	for _, s := range spans {
		for _, kv := range s.Attributes {
			for _, secret := range []string{env.redisPassword, env.roPassword, env.pgPassword} {
				if strings.Contains(anyValue(kv.Value), secret) {
					t.Fatalf("secret in span %q attribute %s", s.Name, kv.Key)
				}
			}
		}
	}

	// The access line of that request carries the trace and server span ids.
	var lines []map[string]any
	waitFor(t, 5*time.Second, "access line", func() bool {
		lines = logLines(t, a, map[string]any{"msg": "request", "path": path})
		return len(lines) == 1
	})
	if lines[0]["trace_id"] != hex.EncodeToString(traceID) || lines[0]["span_id"] != hex.EncodeToString(server.SpanId) {
		t.Errorf("log line ids %v/%v, want %x/%x", lines[0]["trace_id"], lines[0]["span_id"], traceID, server.SpanId)
	}

	// 2. the same key again: answered from the near cache, a server span with no children.
	traceID2, _, traceparent2 := newIDs(t)
	tracedGet(t, a, path, traceparent2, "")
	waitSpans(t, rcv, traceID2, func(s []gotSpan) bool { return len(s) >= 1 })
	time.Sleep(200 * time.Millisecond)
	spans2 := rcv.trace(traceID2)
	if len(spans2) != 1 {
		t.Errorf("near-cache hit: %d spans, want only the server span", len(spans2))
	}
	wantAttr(t, spans2[0], "catalog.cache.source", "near")

	// 3. no incoming context: a new root span, and the log line names its trace.
	tracedGet(t, a, "/v1/products?limit=3&offset=1", "", "")
	var root gotSpan
	waitFor(t, 10*time.Second, "root span", func() bool {
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		for _, s := range rcv.spans {
			if s.Name == "GET /v1/products" && len(s.ParentSpanId) == 0 {
				root = s
				return true
			}
		}
		return false
	})
	lines = logLines(t, a, map[string]any{"msg": "request", "route": "/v1/products"})
	if len(lines) == 0 || lines[len(lines)-1]["trace_id"] != hex.EncodeToString(root.TraceId) {
		t.Errorf("root request log line %v, want trace_id %x", lines, root.TraceId)
	}

	// 4. an unsampled incoming trace (flags 00, parent-based sampler): nothing exported, but the log
	// line still names the trace so it can be found from the caller's side.
	traceID3, parent3, _ := newIDs(t)
	tracedGet(t, a, "/v1/products/DEMO-00009", fmt.Sprintf("00-%x-%x-00", traceID3, parent3), "")
	// 5. probes and the scrape are not traced.
	a.get(t, "/healthz")
	a.get(t, "/metrics")
	time.Sleep(500 * time.Millisecond)
	if n := len(rcv.trace(traceID3)); n != 0 {
		t.Errorf("unsampled trace exported %d spans", n)
	}
	lines = logLines(t, a, map[string]any{"msg": "request", "path": "/v1/products/DEMO-00009"})
	if len(lines) != 1 || lines[0]["trace_id"] != hex.EncodeToString(traceID3) {
		t.Errorf("unsampled request log line %v", lines)
	}
	rcv.mu.Lock()
	for _, s := range rcv.spans {
		if strings.Contains(s.Name, "/healthz") || strings.Contains(s.Name, "/metrics") {
			t.Errorf("probe traced: %q", s.Name)
		}
	}
	if len(rcv.bad) != 0 {
		t.Errorf("receiver got malformed requests: %v", rcv.bad)
	}
	rcv.mu.Unlock()
	if warn := logLines(t, a, map[string]any{"level": "warn"}); len(warn) != 0 {
		t.Errorf("warnings while tracing: %v", warn)
	}
}

// The app's own lines logged while serving a traced request (here: Redis is down, the read falls
// back to PostgreSQL) carry the request's trace_id and span_id too.
func TestAppLogLinesOfATracedRequestCarryTraceID(t *testing.T) {
	restoreServers(t)
	rcv := newOTLPReceiver(t)
	a := startApp(t, true, tracingEnv(rcv.endpoint())...)
	if err := env.redisStop(); err != nil {
		t.Fatal(err)
	}
	traceID, _, traceparent := newIDs(t)
	if st := tracedGet(t, a, "/v1/products/DEMO-00011", traceparent, ""); st != 200 {
		t.Fatal(st)
	}
	var lines []map[string]any
	waitFor(t, 5*time.Second, "redis fallback line", func() bool {
		lines = logLines(t, a, map[string]any{"msg": "redis call failed, falling back to postgres"})
		return len(lines) > 0
	})
	spans := waitSpans(t, rcv, traceID, func(s []gotSpan) bool { return len(byKind(s, tracepb.Span_SPAN_KIND_SERVER)) == 1 })
	server := byKind(spans, tracepb.Span_SPAN_KIND_SERVER)[0]
	if lines[0]["trace_id"] != hex.EncodeToString(traceID) || lines[0]["span_id"] != hex.EncodeToString(server.SpanId) {
		t.Fatalf("fallback line %v, want trace %x span %x", lines[0], traceID, server.SpanId)
	}
	// the failed Redis call is an error span under the server span
	failed := false
	for _, s := range byKind(spans, tracepb.Span_SPAN_KIND_CLIENT) {
		if s.scope == "github.com/redis/go-redis/extra/redisotel" && s.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR &&
			bytes.Equal(s.ParentSpanId, server.SpanId) {
			failed = true
		}
	}
	if !failed {
		t.Error("no error span for the failed Redis call")
	}
}

// Without an endpoint (or with tracing switched off by the standard variables) nothing is exported,
// nothing is logged about it, and the log lines have no trace ids: the app runs as it did before.
func TestNoEndpointMeansNoTracing(t *testing.T) {
	// The SDK's default endpoint is localhost:4318: listen there when we can, to catch any export.
	var defaultPort *otlpReceiver
	if l, err := net.Listen("tcp", "127.0.0.1:4318"); err == nil {
		defaultPort = &otlpReceiver{}
		defaultPort.srv = httptest.NewUnstartedServer(http.HandlerFunc(defaultPort.handle))
		defaultPort.srv.Listener.Close()
		defaultPort.srv.Listener = l
		defaultPort.srv.Start()
		t.Cleanup(defaultPort.srv.Close)
	} else {
		t.Logf("127.0.0.1:4318 is taken (%v): the default-endpoint check is left to the configured receivers", err)
	}
	rcv := newOTLPReceiver(t)
	cases := map[string][]string{
		"no OTEL variables":             {"OTEL_SERVICE_NAME=catalog", "OTEL_TRACES_SAMPLER=always_on"},
		"OTEL_SDK_DISABLED=true":        append(tracingEnv(rcv.endpoint()), "OTEL_SDK_DISABLED=true"),
		"OTEL_TRACES_EXPORTER=none":     append(tracingEnv(rcv.endpoint()), "OTEL_TRACES_EXPORTER=none"),
		"empty endpoint (unset in k8s)": {"OTEL_EXPORTER_OTLP_ENDPOINT=", "OTEL_BSP_SCHEDULE_DELAY=50"},
	}
	for name, extra := range cases {
		t.Run(name, func(t *testing.T) {
			a := startApp(t, true, extra...)
			_, _, traceparent := newIDs(t)
			for i := 0; i < 5; i++ {
				if st := tracedGet(t, a, "/v1/products/DEMO-00012", traceparent, ""); st != 200 {
					t.Fatal(st)
				}
			}
			time.Sleep(400 * time.Millisecond)
			if req, n := rcv.count(); req != 0 || n != 0 {
				t.Errorf("exported %d spans in %d requests", n, req)
			}
			if defaultPort != nil {
				if req, _ := defaultPort.count(); req != 0 {
					t.Errorf("exported to the default endpoint localhost:4318 (%d requests)", req)
				}
			}
			for _, l := range logLines(t, a, map[string]any{}) {
				if l["level"] != "info" {
					t.Errorf("unexpected %v line: %v", l["level"], l)
				}
				if _, ok := l["trace_id"]; ok {
					t.Errorf("trace_id logged with tracing off: %v", l)
				}
			}
			if start := logLines(t, a, map[string]any{"msg": "starting catalog"}); len(start) != 1 || start[0]["tracing"] != false {
				t.Errorf("start line %v, want tracing=false", start)
			}
		})
	}
}

// Head sampling as the platform configures it below 100 % (config appTraceRecordPercent:
// parentbased_traceidratio with the ratio as OTEL_TRACES_SAMPLER_ARG): ratio 0 records no new trace,
// ratio 1 every one. The later value of a variable wins (exec.Cmd keeps the last duplicate).
func TestHeadSamplingRatioFromEnv(t *testing.T) {
	for _, c := range []struct {
		arg    string
		export bool
	}{{"0", false}, {"1", true}} {
		t.Run("ratio "+c.arg, func(t *testing.T) {
			rcv := newOTLPReceiver(t)
			env := append(tracingEnv(rcv.endpoint()), "OTEL_TRACES_SAMPLER=parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG="+c.arg)
			a := startApp(t, true, env...)
			for i := 0; i < 5; i++ {
				if st, _ := a.get(t, "/v1/products/DEMO-00013"); st != 200 {
					t.Fatal(st)
				}
			}
			if c.export {
				waitFor(t, 10*time.Second, "spans exported", func() bool { _, n := rcv.count(); return n > 0 })
				return
			}
			time.Sleep(500 * time.Millisecond)
			if req, n := rcv.count(); req != 0 || n != 0 {
				t.Errorf("ratio 0 exported %d spans in %d requests", n, req)
			}
		})
	}
}

func TestUnsupportedOTLPProtocolFailsClearly(t *testing.T) {
	cmd := exec.Command(binPath, "serve")
	cmd.Env = []string{"DATABASE_URL=" + env.catalogURL, "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:1",
		"OTEL_EXPORTER_OTLP_PROTOCOL=grpc"}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported") {
		t.Fatalf("%v %s", err, out)
	}
}
