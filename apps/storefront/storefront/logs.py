"""Structured JSON logging with secret redaction."""
from __future__ import annotations

import asyncio
import atexit
import logging
import re
import sys
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import orjson

_URL_PASSWORD = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@")
_KV_PASSWORD = re.compile(r"(?i)(password\s*=\s*)(\S+)")


def mask_url(url: str) -> str:
    """Return url with any password replaced by ***."""
    return _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", url)


def secrets_of(*urls_or_tokens: str) -> list[str]:
    out: list[str] = []
    for value in urls_or_tokens:
        if not value:
            continue
        if "://" in value:
            try:
                pw = urlsplit(value).password
            except ValueError:
                pw = None
            if pw:
                out.append(pw)
        else:
            out.append(value)
    return [s for s in out if len(s) >= 3]


class Redactor(logging.Filter):
    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = secrets

    def redact(self, text: str) -> str:
        text = _KV_PASSWORD.sub(r"\1***", mask_url(text))
        for s in self.secrets:
            text = text.replace(s, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "safe", False):  # per-request lines: fixed fields built from request metadata only
            return True
        record.msg = self.redact(record.getMessage())
        record.args = None
        fields = getattr(record, "fields", None)
        if fields:
            record.fields = {k: self.redact(v) if isinstance(v, str) else v for k, v in fields.items()}
        return True


class LineWriter:
    """Writes whole JSON lines to stdout. Inside the event loop, the lines of one loop iteration are joined
    and written with one write() at the end of the iteration (call_soon) instead of one syscall per line;
    outside a loop (migrate, seed, shutdown) a line is written at once. Every line stays one line."""

    def __init__(self, stream=None):
        self.stream = stream
        self._pending: list[bytes] = []
        self._scheduled = False

    def write(self, line: bytes) -> None:
        self._pending.append(line)
        if self._scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._scheduled = True
        loop.call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        stream = self.stream or sys.stdout.buffer
        try:
            stream.write(data)
            stream.flush()
        except (OSError, ValueError):  # stdout closed: nothing sensible left to do with a log line
            pass


WRITER = LineWriter()
atexit.register(WRITER.flush)

# Set by tracing.setup() when OpenTelemetry is on: returns (trace_id, span_id) as hex of the current span,
# or None outside a recorded span. None here means tracing is off and costs nothing per line.
trace_ids: Callable[[], tuple[str, str] | None] | None = None

_ts_second = -1
_ts_prefix = ""


def timestamp(created: float) -> str:
    """RFC 3339 UTC with milliseconds; the seconds part is formatted once per second."""
    global _ts_second, _ts_prefix
    second = int(created)
    if second != _ts_second:
        _ts_second, _ts_prefix = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
    return f"{_ts_prefix}.{int((created - second) * 1000):03d}Z"


def _dumps(entry: dict) -> bytes:
    return orjson.dumps(entry, default=str, option=orjson.OPT_APPEND_NEWLINE)


class JsonFormatter(logging.Formatter):
    def entry(self, record: logging.LogRecord) -> dict:
        entry = {
            "ts": timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if trace_ids is not None and (ids := trace_ids()) is not None:
            entry["trace_id"], entry["span_id"] = ids
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return entry

    def format(self, record: logging.LogRecord) -> str:
        return _dumps(self.entry(record)).decode().rstrip("\n")


class JsonLineHandler(logging.Handler):
    def __init__(self, writer: LineWriter):
        super().__init__()
        self.writer = writer
        self.formatter = JsonFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.writer.write(_dumps(self.formatter.entry(record)))
        except Exception:  # noqa: BLE001 - logging must never fail a request
            self.handleError(record)


REQUEST_LOGGER = logging.getLogger("storefront.http")


def request_line(method: str, route: str, path: str, status: int, duration_ms: float) -> None:
    """The one JSON line per request, without a LogRecord: same shape as JsonFormatter's lines
    (its fields are request metadata only, so the redaction pass is not needed)."""
    if not REQUEST_LOGGER.isEnabledFor(logging.INFO):
        return
    entry = {"ts": timestamp(time.time()), "level": "info", "logger": "storefront.http", "msg": "request"}
    if trace_ids is not None and (ids := trace_ids()) is not None:
        entry["trace_id"], entry["span_id"] = ids
    entry["method"], entry["route"], entry["path"], entry["status"], entry["duration_ms"] = (
        method, route, path, status, duration_ms)
    WRITER.write(_dumps(entry))


def setup_logging(level: str, secrets: list[str]) -> None:
    # No caller lookup (a stack walk per record), thread or process names: the lines do not carry them.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    handler = JsonLineHandler(WRITER)
    handler.addFilter(Redactor(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
