module github.com/shop-platform/bench/otlp-sink

go 1.26.0
