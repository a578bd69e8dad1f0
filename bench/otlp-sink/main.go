// OTLP/HTTP traces sink for bench/catalog.sh: accepts POST /v1/traces and answers 200 with an empty
// ExportTraceServiceResponse (an empty protobuf message is zero bytes), so the benchmark measures the
// app's cost of tracing and exporting, not a collector's. Counts the requests and bytes it received.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
)

func main() {
	var requests, bytes atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		requests.Add(1)
		bytes.Add(n)
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "%d %d\n", requests.Load(), bytes.Load())
	})
	_ = http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), mux)
}
