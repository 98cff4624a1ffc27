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
# installed here: nothing global). Node.js comes from Debian when missing.
AZURITE_VERSION := 3.37.0
AZURITE := $(BIN)/node_modules/azurite-$(AZURITE_VERSION).installed

# PostgreSQL, which the restore drill's tests restore into: Debian's
# package of this major version (bookworm ships 15), installed when missing;
# the tests use exactly its binaries.
POSTGRESQL_MAJOR := 15
PG_BIN := /usr/lib/postgresql/$(POSTGRESQL_MAJOR)/bin

.PHONY: plan plan-json wedsync-infra test lint lint-only unit fmt bench fuzz e2e e2e-deploy pulumi azurite node postgresql tools clean

# The CLI is built once into .bin (on PATH for every target) and rebuilt
# when a Go source of the module changes; its targets run it silently, so
# `make plan-json STACK=prod > prod.json` writes the document alone. make
# reports any failure as exit 2: run .bin/wedsync-infra itself (or put .bin
# on PATH) for the documented exit codes 1, 2 and 3.
WEDSYNC_INFRA := $(BIN)/wedsync-infra
GO_SOURCES := $(shell find . -path ./test -prune -o -path ./tools -prune -o -path ./.bin -prune -o \( -name '*.go' ! -name '*_test.go' -print \)) go.mod go.sum
MAKEFLAGS += --no-print-directory

## plan: the offline plan of STACK (no credentials, no Pulumi Cloud)
plan: $(WEDSYNC_INFRA)
	@$(WEDSYNC_INFRA) plan --stack $(STACK)

## plan-json: the plan document of STACK (docs/plan-format.md)
plan-json: $(WEDSYNC_INFRA)
	@$(WEDSYNC_INFRA) plan --stack $(STACK) --json

## wedsync-infra: build the CLI as .bin/wedsync-infra
wedsync-infra: $(WEDSYNC_INFRA)

$(WEDSYNC_INFRA): $(GO_SOURCES)
	@mkdir -p $(BIN)
	@$(GO) build -o $@ ./cmd/wedsync-infra

# $(call stage,NAME,COMMAND): run COMMAND, then print NAME with its wall
# time, so a slow `make test` says where the time went. No commas in NAME.
stage = t0=$$(date +%s%N); echo "== $(1)"; $(2) || exit 1; \
	ds=$$(( ($$(date +%s%N) - t0) / 100000000 )); echo "== $(1): $$((ds / 10)).$$((ds % 10))s"

## test: formatting, lint (staticcheck, vet, ...) and every test, each stage timed
# The build stage compiles the cloud SDKs once into the Go build cache;
# golangci-lint reads their export data from there (`go list -export`) and
# the tests link against the same objects. What lint adds on top is its own
# analysis of the SDKs' sources (facts), cached in GOLANGCI_LINT_CACHE.
# `go test` skips its own vet here: lint's govet runs every check go test's
# vet would, and go test's vet type-checks every dependency, the SDKs
# included, from source once more. The Pulumi CLI is not built here: the
# one test that needs it runs in e2e.
test:
	@all=$$(date +%s%N); \
	$(call stage,gofmt,$(MAKE) -s fmt); \
	$(call stage,install golangci-lint $(GOLANGCI_LINT_VERSION),$(MAKE) -s $(GOLANGCI_LINT)); \
	$(call stage,build (main module and test/engine),$(GO) build ./... && (cd test/engine && $(GO) build ./...)); \
	$(call stage,golangci-lint,$(MAKE) -s lint-only); \
	$(call stage,go test (vet done by lint),$(MAKE) -s unit GOTESTFLAGS=-vet=off); \
	ds=$$(( ($$(date +%s%N) - all) / 100000000 )); echo "== make test: $$((ds / 10)).$$((ds % 10))s"

# The backup tests run the Azure Blob SDK against Azurite and the restore
# drill against PostgreSQL: both are installed first, and
# WEDSYNC_REQUIRE_EMULATORS turns a missing one into a failure rather than
# a skip.
unit: $(AZURITE) postgresql
	WEDSYNC_REQUIRE_EMULATORS=1 WEDSYNC_PG_BIN=$(PG_BIN) $(GO) test $(GOTESTFLAGS) ./...

lint: fmt $(GOLANGCI_LINT) lint-only

lint-only:
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
## against stand-in providers and the policy pack (test/engine; no cloud),
## plain `pulumi preview` and `pulumi up` of dev and prod through a test Go
## language host on a file:// backend,
## and the deploy path's own test against the real CLI (internal/deploy,
## build tag e2e)
E2E_TIMEOUT ?= 30m
e2e:
	@all=$$(date +%s%N); tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(call stage,build the Pulumi CLI $(PULUMI_VERSION) (once),$(MAKE) -s $(PULUMI)); \
	ln -s $(PULUMI) "$$tmp/pulumi"; \
	$(call stage,build the policy pack and the stand-ins (provider and language host),$(GO) build -o "$$tmp/pulumi-analyzer-policy-go" ./policies && \
	  (cd test/engine && $(GO) build -o "$$tmp/standin/pulumi-resource-standin" ./cmd/pulumi-resource-standin && \
	   $(GO) build -o "$$tmp/langhost/pulumi-language-go" ./cmd/pulumi-language-go)); \
	$(call stage,deploy path against the real CLI (internal/deploy -tags e2e),$(MAKE) -s e2e-deploy E2E_PATH="$$tmp"); \
	$(call stage,every stack under the real engine (test/engine),(cd test/engine && PATH="$$tmp:$$PATH" \
	  WEDSYNC_E2E_STANDIN="$$tmp/standin/pulumi-resource-standin" WEDSYNC_E2E_LANGHOST="$$tmp/langhost/pulumi-language-go" $(GO) test -count=1 -timeout $(E2E_TIMEOUT) -v ./...)); \
	ds=$$(( ($$(date +%s%N) - all) / 100000000 )); echo "== make e2e: $$((ds / 10)).$$((ds % 10))s"

# The real-CLI test is behind the e2e tag, so `make test` does not need the
# CLI; here it must run and pass (it fails rather than skips without the
# CLI), and a rename that made -run match nothing fails too.
e2e-deploy:
	@set -o pipefail; PATH="$(E2E_PATH):$$PATH" $(GO) test -tags e2e -count=1 -run '^TestAgainstTheRealCLI$$' -v ./internal/deploy/ \
	  | tee "$(E2E_PATH)/deploy.log"; \
	grep -q '^--- PASS: TestAgainstTheRealCLI ' "$(E2E_PATH)/deploy.log" || { echo "TestAgainstTheRealCLI did not run and pass"; exit 1; }

## scan: an independent scanner over every shipped stack's plan: tools/scan
## converts each plan (AWS, GCP -> Terraform; Azure -> ARM) and runs Trivy's
## IaC checks on it, embedded in the trivy-checks module tools/scan/go.sum
## pins (offline). Fails on a finding not triaged in scan/accepted.yaml and
## on an entry there that no longer matches (docs/scan-findings.md).
## SCANFLAGS="-json findings.json" also writes them as JSON; -coverage lists
## the plan types scanned and not; -dump DIR keeps the generated Terraform/ARM.
# The scanner is its own module, so its dependencies (Trivy's tree) never
# enter the main module's; it is rebuilt when its sources change. Trivy
# builds with GOEXPERIMENT=jsonv2 (its ARM parser uses encoding/json/v2).
SCAN_STACKS := dev staging prod prod-dr prod-gcp prod-gcp-dr prod-azure prod-azure-dr
SCAN := $(BIN)/wedsync-scan
SCAN_SOURCES := $(filter-out %_test.go,$(wildcard tools/scan/*.go)) tools/scan/go.mod tools/scan/go.sum
.PHONY: scan
scan: $(WEDSYNC_INFRA) $(SCAN)
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for s in $(SCAN_STACKS); do \
	  $(WEDSYNC_INFRA) plan --stack $$s --json > "$$tmp/$$s.json" || { echo "plan of $$s failed"; exit 1; }; \
	done; \
	$(SCAN) -accepted scan/accepted.yaml $(SCANFLAGS) $(foreach s,$(SCAN_STACKS),"$$tmp/$(s).json")

$(SCAN): $(SCAN_SOURCES)
	@mkdir -p $(BIN)
	cd tools/scan && GOEXPERIMENT=jsonv2 $(GO) build -o $@ .

## pulumi: the Pulumi CLI v3.259.0 as .bin/pulumi (on PATH for every target)
pulumi: $(PULUMI)
	@ln -sf $(notdir $(PULUMI)) $(BIN)/pulumi

## azurite: Azurite 3.37.0 into .bin/node_modules (needs node and npm)
azurite: $(AZURITE)

$(AZURITE): | node
	@mkdir -p $(BIN)
	npm install --prefix $(BIN) --no-audit --no-fund --no-save azurite@$(AZURITE_VERSION)
	touch $@

## node: Node.js and npm from Debian when the machine has none (Azurite runs on it)
node:
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  SUDO=$$(command -v sudo || true); $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm; }

## postgresql: PostgreSQL $(POSTGRESQL_MAJOR) from Debian (postgresql-$(POSTGRESQL_MAJOR)) when missing
postgresql:
	@test -x $(PG_BIN)/initdb || { \
	  SUDO=$$(command -v sudo || true); $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql-$(POSTGRESQL_MAJOR); }
	@test -x $(PG_BIN)/initdb || { echo "postgresql-$(POSTGRESQL_MAJOR) did not install $(PG_BIN)/initdb"; exit 1; }

tools: $(GOLANGCI_LINT) pulumi azurite postgresql

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
