# tinyboard: `make run` starts the board on http://localhost:8080/board,
# `make test` runs every check, `make bench` measures.

GO ?= go

.PHONY: run test fmt-check vet staticcheck gotest bench

run:
	$(GO) run ./localdev

test: fmt-check vet staticcheck gotest

fmt-check:
	@out="$$(gofmt -l .)"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

gotest:
	$(GO) test -race -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
