"""OpenTelemetry tracing, configured only by the standard OTEL_* environment variables.

Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, and off when
OTEL_SDK_DISABLED=true: then nothing of the SDK is imported, no middleware is added and no library is
patched, so the request path is exactly the untraced one.

When on (each uvicorn worker sets it up for itself; behaviour checked in the pinned packages' sources:
opentelemetry-sdk 1.45.1 sdk/trace/sampling.py _get_from_env_or_default, opentelemetry-exporter-otlp-proto-http
1.45.1 exporter/otlp/proto/http/_common/__init__.py _resolve_endpoint, fastapi 0.165.0 fastapi/telemetry/_asgi.py
_legacy_otel):
- spans go through a BatchSpanProcessor (OTEL_BSP_* tune it) to the OTLP/HTTP protobuf exporter, which
  reads OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces), OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION;
- the sampler comes from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (SDK default: parentbased_always_on);
- the resource from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (service.name defaults to "storefront");
- incoming W3C `traceparent`/`tracestate` are honoured (OTEL_PROPAGATORS, default tracecontext,baggage),
  and every response carries the server span's context in a `traceresponse` header (W3C Trace Context
  Level 2) so a caller can find the trace;
- HTTP server spans come from opentelemetry-instrumentation-fastapi (the probes /healthz, /readyz and
  /metrics are excluded unless OTEL_PYTHON_FASTAPI_EXCLUDED_URLS says otherwise), PostgreSQL client spans
  from opentelemetry-instrumentation-psycopg (the statement text with its %s placeholders, never the
  parameters), Redis client spans from opentelemetry-instrumentation-redis (the command with its arguments
  replaced by "?", so cached bodies and the AUTH password stay out of traces: 0.66b1,
  opentelemetry/instrumentation/redis/util.py, _format_command_args); ASGI receive/send sub-spans are left out;
- every log line written inside a span carries trace_id and span_id (storefront/logs.py).
"""
from __future__ import annotations

import contextlib
import logging
import os

log = logging.getLogger("storefront.tracing")

DEFAULT_EXCLUDED_URLS = "/healthz,/readyz,/metrics"

_provider = None


def wanted() -> bool:
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def setup() -> bool:
    """Install the tracer provider and patch psycopg and redis; True when tracing is on."""
    global _provider
    if not wanted():
        return False
    if _provider is not None:
        return True
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.propagators import TraceResponsePropagator, set_global_response_propagator
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from . import logs

    # Resource.create() merges OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME; attributes passed to it would
    # override them, so the default name is applied only when neither set one
    # (opentelemetry-sdk 1.45.1, opentelemetry/sdk/resources/__init__.py, Resource.create).
    resource = Resource.create()
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: "storefront"}))
    provider = TracerProvider(resource=resource)  # sampler from OTEL_TRACES_SAMPLER(_ARG)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    set_global_response_propagator(TraceResponsePropagator())
    # The pool opens its connections through psycopg.AsyncConnection.connect, which this wraps: it must run
    # before the first connection is made. enable_commenter stays off: a traceparent comment would make every
    # statement text unique (no prepared statements, one pg_stat_statements text per request).
    PsycopgInstrumentor().instrument(tracer_provider=provider, enable_commenter=False)
    RedisInstrumentor().instrument(tracer_provider=provider)
    _provider = provider

    def current_ids():
        ctx = trace.get_current_span().get_span_context()
        if not ctx.is_valid:
            return None
        return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")

    logs.trace_ids = current_ids
    log.info("tracing on", extra={"fields": {"service_name": resource.attributes.get(SERVICE_NAME),
                                             "sampler": os.environ.get("OTEL_TRACES_SAMPLER", "parentbased_always_on")}})
    return True


def quiet():
    """A context in which instrumented libraries make no spans (the pool's per-checkout liveness check)."""
    if _provider is None:
        return contextlib.nullcontext()
    from opentelemetry.instrumentation.utils import suppress_instrumentation

    return suppress_instrumentation()


def instrument_app(app) -> None:
    """HTTP server spans for the FastAPI app (when tracing is on)."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    excluded = os.environ.get("OTEL_PYTHON_FASTAPI_EXCLUDED_URLS", DEFAULT_EXCLUDED_URLS)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=_provider, excluded_urls=excluded,
                                       exclude_spans=["receive", "send"])


def shutdown() -> None:
    """Flush the spans still queued (lifespan shutdown, within the SIGTERM grace)."""
    if _provider is not None:
        try:
            _provider.shutdown()
        except Exception:  # noqa: BLE001 - exporting is best effort, never a reason to fail shutdown
            log.warning("tracing shutdown failed", exc_info=True)
