# wedsync-infra: `make plan STACK=prod` and `make test` are all a newcomer needs.
# Every tool is installed here from the Go module proxy, pinned.

SHELL := /bin/bash
GO ?= go
STACK ?= dev
BIN := $(CURDIR)/.bin
export PATH := $(BIN):$(PATH)

GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)

.PHONY: plan plan-json test lint unit vet fmt bench fuzz tools clean

## plan: the offline plan of STACK (no credentials, no Pulumi Cloud)
plan:
	$(GO) run ./cmd/wedsync-infra plan --stack $(STACK)

## plan-json: the plan document of STACK (docs/plan-format.md)
plan-json:
	$(GO) run ./cmd/wedsync-infra plan --stack $(STACK) --json

## test: formatting, lint (staticcheck, vet, ...) and every test
test: lint unit

unit:
	$(GO) test ./...

lint: fmt $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

fmt:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

## bench: the benchmarks with speed targets (plan < 1 s, policy >= 10k resources/s, season year)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## fuzz: a short run of every fuzz target (FUZZTIME=30s each by default)
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$target"; $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

tools: $(GOLANGCI_LINT)

# The linter is versioned in its file name, so a bump reinstalls it.
$(GOLANGCI_LINT):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(BIN)/golangci-lint $@

clean:
	rm -rf $(BIN)
