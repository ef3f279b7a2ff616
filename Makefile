# tinyboard: `make run` starts the board on http://localhost:8080/board,
# `make test` runs every check, `make bench` measures.

GO ?= go
GOARCH ?= arm64
# How a Lambda bootstrap is built: static, stripped, no RPC shim.
LAMBDA_BUILD = CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build -tags lambda.norpc -trimpath -ldflags "-s -w"

.PHONY: FORCE run run-dynamodb dynamodb-local test test-tools fmt-check tidy-check vet staticcheck gotest bench build build-BoardFunction build-StaticFunction build-PurgeFunction sam-build local-api deploy fuzz soak

# localdev on ADDR until Ctrl-C. It is built, then run in the terminal's
# foreground (infra/foreground), so a clean stop ends make with status 0.
ADDR ?= localhost:8080
run: bin/localdev
	@infra/foreground bin/localdev -addr $(ADDR)

# localdev with messages in DynamoDB: by default the local server that
# `make dynamodb-local` starts, with the table created when missing.
DYNAMODB_ENDPOINT ?= http://127.0.0.1:8000
run-dynamodb: bin/localdev
	@DYNAMODB_ENDPOINT=$(DYNAMODB_ENDPOINT) infra/foreground bin/localdev -addr $(ADDR) -store dynamodb -create-table

# Always rebuilt (go build is quick when nothing changed).
bin/localdev: FORCE
	$(GO) build -o $@ ./localdev

FORCE:

# dynalite, a DynamoDB-compatible server, on 127.0.0.1:8000 (DYNAMODB_HOST
# and DYNAMODB_PORT change that), keeping its data in infra/dynamodb-local/data.
DYNAMODB_HOST ?= 127.0.0.1
DYNAMODB_PORT ?= 8000
dynamodb-local:
	cd infra/dynamodb-local && { [ -d node_modules/dynalite ] || npm ci --no-audit --no-fund; } && \
	node node_modules/dynalite/cli.js --host $(DYNAMODB_HOST) --port $(DYNAMODB_PORT) --path data

# make test ends with one line naming every test that was skipped because
# something outside Go is missing, and how to install it; with CI=true a
# skipped test fails the run.
test: test-tools fmt-check tidy-check vet staticcheck gotest

# Chromium (through apt, as root) and dynalite (npm ci), where missing.
test-tools:
	@infra/install-test-tools

fmt-check:
	@out="$$(gofmt -l .)"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# go.mod and go.sum must be what `go mod tidy` would write.
tidy-check:
	@$(GO) mod tidy -diff || { echo "go.mod or go.sum is not tidy: run go mod tidy"; exit 1; }

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

gotest:
	@echo "$(GO) test -race -count=1 ./..."; skips="$$(mktemp)"; \
	TESTENV_SKIP_LOG="$$skips" $(GO) test -race -count=1 ./...; status=$$?; \
	$(GO) run ./internal/testenv/skipsummary "$$skips" || status=1; \
	if [ "$$CI" = true ] && [ -s "$$skips" ]; then status=1; fi; \
	rm -f "$$skips"; exit $$status

# Each fuzz target for FUZZTIME (make test runs their seed corpora).
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzCleanText$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s ./internal/board/
	$(GO) test -run '^$$' -fuzz '^FuzzParseCursor$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s ./internal/board/
	$(GO) test -run '^$$' -fuzz '^FuzzBoardPost$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s ./internal/web/
	$(GO) test -run '^$$' -fuzz '^FuzzBoardGet$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s ./internal/web/
	$(GO) test -run '^$$' -fuzz '^FuzzRenderMatchesTemplate$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s ./internal/web/
	$(GO) test -run '^$$' -fuzz '^FuzzParseMediaRange$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s ./internal/web/

# The soak at full length: 60 s of mixed traffic against localdev with the
# memory store and with DynamoDB (make test runs a 5 s version).
SOAK_DURATION ?= 60s
soak:
	SOAK_DURATION=$(SOAK_DURATION) $(GO) test -count=1 -run '^TestSoak' -v -timeout 10m ./localdev/

# Go benchmarks, then a load run side by side with a bare hello server and
# the book's own Python board (skipped without python3). The load run's
# "goal ... met" or "NOT met" compares one run's ratios with the project's
# targets; it never makes the target fail (see the README, Tests).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./internal/loadtest/cmd/loadbench

# The three Lambda bootstraps (board, static, purge) under bin/
# (GOARCH=amd64 make build for x86_64).
build:
	$(LAMBDA_BUILD) -o bin/board/bootstrap ./functions/board
	$(LAMBDA_BUILD) -o bin/static/bootstrap ./functions/static
	$(LAMBDA_BUILD) -o bin/purge/bootstrap ./functions/purge

# Called by `sam build` (BuildMethod: makefile) with ARTIFACTS_DIR set.
build-BoardFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/board

build-StaticFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/static

build-PurgeFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/purge

# The AWS SAM CLI targets need the SAM CLI; local-api also needs Docker,
# deploy needs AWS credentials. Settings come from samconfig.toml.
sam-build:
	sam build

# sam local runs each function in a Docker image of the template's
# Architecture. local-api sets it to this machine's and builds the
# bootstraps for it (sam build hands its environment, GOARCH included, to
# the build-* targets), so Docker runs them natively on x86-64 and arm64
# hosts alike; an arm64 image on an x86-64 Linux host would need QEMU
# set up. Its build goes to .aws-sam/local, apart from the arm64 build
# that sam deploy uploads; --config-file because SAM looks for
# samconfig.toml beside the template it is given. HOST_ARCH is the
# machine's, as uname -m says.
HOST_ARCH ?= $(shell uname -m)
LOCAL_ARCH = $(if $(filter x86_64 amd64,$(HOST_ARCH)),x86_64,$(if $(filter aarch64 arm64,$(HOST_ARCH)),arm64,$(error local-api: Lambda runs x86_64 or arm64, not $(HOST_ARCH))))
LOCAL_GOARCH = $(if $(filter x86_64,$(LOCAL_ARCH)),amd64,arm64)

local-api:
	GOARCH=$(LOCAL_GOARCH) sam build --build-dir .aws-sam/local --parameter-overrides Architecture=$(LOCAL_ARCH)
	sam local start-api --template .aws-sam/local/template.yaml --config-file $(CURDIR)/samconfig.toml \
		--parameter-overrides Architecture=$(LOCAL_ARCH)

deploy: sam-build
	sam deploy
