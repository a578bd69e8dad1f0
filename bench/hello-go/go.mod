module shop-platform/bench/hello-go

go 1.26
