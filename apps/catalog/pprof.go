//go:build pprof

// Benchmark-only build (go build -tags pprof): serves net/http/pprof on CATALOG_PPROF_ADDR (e.g.
// 127.0.0.1:6060) so bench/catalog.sh can take CPU profiles under wrk load. The production image is
// built without the tag, so it has no profiling endpoint at all.
package main

import (
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/* on http.DefaultServeMux
	"os"
)

func init() {
	if addr := os.Getenv("CATALOG_PPROF_ADDR"); addr != "" {
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
}
