package main

import (
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
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
	return buildLogger(w, level, secrets, true)
}

// newRequestLogger is the per-request access logger: its fields (method, route, path, status,
// duration) come from request metadata only, so it skips the redaction pass, which would cost more
// than the rest of a cached request.
func newRequestLogger(w io.Writer, level string) *slog.Logger {
	return buildLogger(w, level, nil, false)
}

func buildLogger(w io.Writer, level string, secrets []string, redactValues bool) *slog.Logger {
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
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
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
			if redactValues && a.Value.Kind() == slog.KindString {
				a.Value = slog.StringValue(redact(a.Value.String()))
			}
			return a
		},
	}))
}
