package main

import (
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/trace"
)

var urlPassword = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*):([^@/\s]+)@`)

// maskURL replaces the password of any URL in s with ***.
func maskURL(s string) string { return urlPassword.ReplaceAllString(s, "$1:***@") }

func secretsOf(urls ...string) []string {
	var out []string
	for _, u := range urls {
		p, err := url.Parse(u)
		if err != nil || p.User == nil {
			continue
		}
		if pw, ok := p.User.Password(); ok && len(pw) >= 3 {
			out = append(out, pw)
		}
	}
	return out
}

// newLogger returns a JSON logger whose string values never contain a known secret or a URL password.
func newLogger(w io.Writer, level string, secrets []string) *slog.Logger {
	return buildLogger(w, level, secrets)
}

func buildLogger(w io.Writer, level string, secrets []string) *slog.Logger {
	var lvl slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lvl = slog.LevelDebug
	case "warn", "warning":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	default:
		lvl = slog.LevelInfo
	}
	redact := func(s string) string {
		s = maskURL(s)
		for _, sec := range secrets {
			s = strings.ReplaceAll(s, sec, "***")
		}
		return s
	}
	return slog.New(traceHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: lvl,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 {
				switch a.Key {
				case slog.TimeKey:
					a.Key = "ts"
				case slog.LevelKey:
					return slog.String("level", strings.ToLower(a.Value.String()))
				}
			}
			if a.Value.Kind() == slog.KindString {
				a.Value = slog.StringValue(redact(a.Value.String()))
			}
			return a
		},
	})})
}

// ---- the per-request access line -----------------------------------------------------------------

// accessLog writes the one JSON line per request. The profile of a cached read showed slog's generic
// Record/attribute machinery at ~11 % of the CPU (docs/benchmarks.md), so this line is encoded by hand
// with the same keys and formats as the slog JSON handler (ts RFC 3339 with nanoseconds, level, msg,
// then the fields), into a pooled buffer, and handed to the writer in one Write call (one whole line).
type accessLog struct {
	w       io.Writer
	enabled bool // LOG_LEVEL debug or info
}

func newAccessLog(w io.Writer, level string) *accessLog {
	l := strings.ToLower(level)
	return &accessLog{w: w, enabled: !(l == "warn" || l == "warning" || l == "error")}
}

var lineBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// accessEntry is one request's fields; the trace ids are written only when traced (a valid span context).
type accessEntry struct {
	end           time.Time
	method, route string
	path          string
	status        int
	duration      time.Duration
	traced        bool // the request has a valid span context: its ids go into the line
	traceID       trace.TraceID
	spanID        trace.SpanID
}

func (l *accessLog) log(e *accessEntry) {
	if !l.enabled {
		return
	}
	bp := lineBufs.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, `{"ts":"`...)
	b = e.end.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"info","msg":"request","method":`...)
	b = appendJSONString(b, e.method)
	b = append(b, `,"route":`...)
	b = appendJSONString(b, e.route)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, e.path)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(e.status), 10)
	b = append(b, `,"duration_ms":`...)
	b = strconv.AppendFloat(b, float64(e.duration.Microseconds())/1000, 'f', -1, 64)
	if e.traced {
		b = append(b, `,"trace_id":"`...)
		b = hex.AppendEncode(b, e.traceID[:])
		b = append(b, `","span_id":"`...)
		b = hex.AppendEncode(b, e.spanID[:])
		b = append(b, '"')
	}
	b = append(b, "}\n"...)
	_, _ = l.w.Write(b)
	*bp = b
	lineBufs.Put(bp)
}

// appendJSONString appends s as a JSON string with the escaping rules of log/slog's JSON handler
// (appendEscapedJSONString in go1.26 src/log/slog/json_handler.go): ", \ and control characters
// escaped, invalid UTF-8 replaced by \ufffd, U+2028/U+2029 escaped; the path is client input.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// ---- one writer for every log line -----------------------------------------------------------------

// lineWriter batches whole log lines onto the real writer (stdout) from one goroutine: each Write
// appends a complete line to a buffer and wakes the flusher, which writes everything queued so far in
// one system call. Lines are never split or reordered, an idle process writes each line at once (no
// timer, no added delay), and under load many lines share one write(2) — group commit. The buffer is
// bounded: past maxPending bytes a Write waits for the flusher (back-pressure, never a dropped line).
// Close flushes what is left; main calls it before exiting.
type lineWriter struct {
	mu      sync.Mutex
	cond    *sync.Cond
	pending []byte
	spare   []byte
	out     io.Writer
	closed  bool
	wake    chan struct{}
	done    chan struct{}
}

const maxPending = 1 << 20

func newLineWriter(out io.Writer) *lineWriter {
	w := &lineWriter{out: out, wake: make(chan struct{}, 1), done: make(chan struct{})}
	w.cond = sync.NewCond(&w.mu)
	go w.loop()
	return w
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	for len(w.pending) > maxPending && !w.closed {
		w.cond.Wait()
	}
	if w.closed {
		w.mu.Unlock()
		return w.out.Write(p)
	}
	w.pending = append(w.pending, p...)
	select { // non-blocking and under mu, so it never races with Close closing the channel
	case w.wake <- struct{}{}:
	default:
	}
	w.mu.Unlock()
	return len(p), nil
}

func (w *lineWriter) loop() {
	defer close(w.done)
	for range w.wake {
		w.flush()
	}
	w.flush()
}

func (w *lineWriter) flush() {
	w.mu.Lock()
	b := w.pending
	w.pending = w.spare[:0]
	w.cond.Broadcast()
	w.mu.Unlock()
	if len(b) > 0 {
		_, _ = w.out.Write(b)
	}
	w.mu.Lock()
	w.spare = b
	w.mu.Unlock()
}

// Close writes every queued line; later Writes go straight to the underlying writer.
func (w *lineWriter) Close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	w.cond.Broadcast()
	close(w.wake)
	w.mu.Unlock()
	<-w.done
}
