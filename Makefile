# wedsync-infra: `make plan STACK=prod` and `make test` are all a newcomer needs.
# Every tool is installed here from the Go module proxy, pinned.

SHELL := /bin/bash
GO ?= go
STACK ?= dev
BIN := $(CURDIR)/.bin
export PATH := $(BIN):$(PATH)

GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)

# The Pulumi CLI the e2e runs, built from its own module (tools/pulumi): the
# machines reach only the Go module proxy, not Pulumi's download site.
PULUMI_VERSION := v3.259.0
PULUMI := $(BIN)/pulumi-$(PULUMI_VERSION)

# Azurite, the Azure Storage emulator the backup tests start (npm, pinned,
# installed here: nothing global).
AZURITE_VERSION := 3.37.0
AZURITE := $(BIN)/node_modules/azurite-$(AZURITE_VERSION).installed

.PHONY: plan plan-json test lint unit vet fmt bench fuzz e2e pulumi azurite tools clean

## plan: the offline plan of STACK (no credentials, no Pulumi Cloud)
plan:
	$(GO) run ./cmd/wedsync-infra plan --stack $(STACK)

## plan-json: the plan document of STACK (docs/plan-format.md)
plan-json:
	$(GO) run ./cmd/wedsync-infra plan --stack $(STACK) --json

## test: formatting, lint (staticcheck, vet, ...) and every test
test: lint unit

# The deploy path's test runs the real CLI: build it first so that test
# runs rather than skips.
unit: pulumi azurite
	$(GO) test ./...

lint: fmt $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...
	cd test/engine && $(GOLANGCI_LINT) run ./...

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

## e2e: every stack previewed, deployed and destroyed by the real Pulumi CLI
## against stand-in providers and the policy pack (test/engine; no cloud)
E2E_TIMEOUT ?= 30m
e2e: $(PULUMI)
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	ln -s $(PULUMI) "$$tmp/pulumi" && \
	$(GO) build -o "$$tmp/pulumi-analyzer-policy-go" ./policies && \
	(cd test/engine && $(GO) build -o "$$tmp/standin/pulumi-resource-standin" ./cmd/pulumi-resource-standin) && \
	cd test/engine && PATH="$$tmp:$$PATH" WEDSYNC_E2E_STANDIN="$$tmp/standin/pulumi-resource-standin" \
	  $(GO) test -count=1 -timeout $(E2E_TIMEOUT) -v ./...

## pulumi: the Pulumi CLI v3.259.0 as .bin/pulumi (on PATH for every target)
pulumi: $(PULUMI)
	@ln -sf $(notdir $(PULUMI)) $(BIN)/pulumi

## azurite: Azurite 3.37.0 into .bin/node_modules (needs node and npm)
azurite: $(AZURITE)

$(AZURITE):
	@mkdir -p $(BIN)
	npm install --prefix $(BIN) --no-audit --no-fund --no-save azurite@$(AZURITE_VERSION)
	touch $@

tools: $(GOLANGCI_LINT) pulumi azurite

# The linter is versioned in its file name, so a bump reinstalls it.
$(GOLANGCI_LINT):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(BIN)/golangci-lint $@

# The CLI is versioned in its file name, so a bump rebuilds it (about 6
# minutes on 2 cores, cold).
$(PULUMI):
	@mkdir -p $(BIN)
	cd tools/pulumi && $(GO) build -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)" \
	  -o $@ github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

clean:
	rm -rf $(BIN)
