# alert-history: `make help` lists every target. Every target runs with the Node that
# hack/ensure-node.sh provides (Node 24 into .tools/ when the system Node is older than 22.19).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

NODE_BIN := $(shell hack/ensure-node.sh)
export PATH := $(NODE_BIN):$(CURDIR)/node_modules/.bin:$(PATH)
export npm_config_update_notifier := false
export npm_config_fund := false
export npm_config_audit := false
# V8 options for the embedded store's WASM (src/store/wasm-flags.ts); NODE_OPTIONS refuses them.
EMBEDDED_NODE_FLAGS := --no-wasm-tier-up --no-wasm-dynamic-tiering
# What Prettier formats: the code, not data (fixtures, golden files, migrations, charts).
FORMATTED := 'src/**/*.{ts,js,mjs,css,html}' 'test/**/*.ts' 'hack/**/*.{ts,mjs}' '*.{ts,js}'
# The embedded store's data-directory template for make run (its rule is below run).
PGDATA_TEMPLATE := src/store/pgdata-template.tar.gz

##@ General

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make \033[36m<target>\033[0m\n"} /^[a-zA-Z0-9_-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: deps
deps: node_modules/.installed ## Install dependencies (npm ci) when package-lock.json changed

##@ Run

.PHONY: run
run: deps $(PGDATA_TEMPLATE) ## Run the service on :8080 (embedded PGlite in ./data; DATABASE_URL for PostgreSQL)
	node $(EMBEDDED_NODE_FLAGS) src/cli.ts serve

# A migrated, empty embedded data directory (gitignored) that a first start unpacks into a new
# ./data instead of running initdb (src/store/pglite-template.ts): made once, again when the
# migrations or the dependencies change. The image builds its own (Dockerfile).
$(PGDATA_TEMPLATE): node_modules/.installed $(wildcard src/store/migrations/*.sql)
	@echo "make: preparing the embedded database template (once, about 5 s)"
	@tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	  DATA_DIR="$$tmp/pgdata" node $(EMBEDDED_NODE_FLAGS) src/cli.ts migrate >/dev/null; \
	  node $(EMBEDDED_NODE_FLAGS) hack/pgdata-template.ts "$$tmp/pgdata" $@.tmp; mv $@.tmp $@

.PHONY: cli
cli: deps ## Run any CLI command with the project's Node, e.g. make cli ARGS="check-config --config my.yaml" (same as bin/alert-history)
	node $(EMBEDDED_NODE_FLAGS) src/cli.ts $(ARGS)

.PHONY: fakes
fakes: deps ## Run local Slack/PagerDuty/Rootly/webhook/Alertmanager fakes on :9099 and write config.fakes.yaml
	node hack/fake-vendors.ts config.fakes.yaml

.PHONY: check-config
check-config: deps ## Validate config.yaml + environment without starting
	node src/cli.ts check-config

.PHONY: migrate
migrate: deps ## Apply database migrations and exit
	node src/cli.ts migrate

##@ Develop

.PHONY: build
build: deps ## Compile to dist/ (what the Docker image runs)
	rm -rf dist
	tsc -p tsconfig.build.json
	node hack/copy-assets.mjs

.PHONY: typecheck
typecheck: deps ## Type-check everything (tsc --noEmit)
	tsc -p tsconfig.json --noEmit

.PHONY: lint
lint: deps ## ESLint with the house limits and the dependency-direction rule; Prettier's check of the code's format
	eslint --max-warnings 0 .
	prettier --check --log-level warn $(FORMATTED)

.PHONY: format
format: deps ## Reformat the code with Prettier (.prettierrc.json; make lint checks it)
	prettier --write --log-level warn $(FORMATTED)

.PHONY: migrations
migrations: deps ## Generate a SQL migration from src/store/schema.ts (NAME=short_name)
	drizzle-kit generate $(if $(NAME),--name $(NAME),)

.PHONY: manifests
manifests: deps ## Write crds/ and the Helm chart's crds/ from src/operator/crd; copy deploy/ dashboard and rules into the chart
	node hack/gen-crds.ts crds

.PHONY: check-generated
check-generated: deps ## Fail when src/store/migrations is stale against the schema (drizzle-kit generates into a temporary copy; the tree is never touched)
	@tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; cp -R src/store/migrations "$$tmp/migrations"; \
	printf "import base from '%s/drizzle.config.ts';\nexport default { ...base, schema: '%s/src/store/schema.ts', out: './migrations' };\n" "$(CURDIR)" "$(CURDIR)" >"$$tmp/drizzle.config.ts"; \
	if ! out="$$(cd "$$tmp" && drizzle-kit generate --config drizzle.config.ts 2>&1)"; then echo "$$out"; exit 1; fi; \
	if ! diff -r src/store/migrations "$$tmp/migrations" >/dev/null; then \
	  echo "src/store/migrations is stale: run 'make migrations NAME=...' and commit the result"; echo "$$out"; exit 1; \
	fi; echo "migrations up to date"

##@ Test

.PHONY: test
test: deps typecheck lint check-generated test-unit test-integration test-operator test-observability test-browser test-e2e test-image ## Everything CI runs: types, lint, generated files, unit, integration, operator, observability, browser, e2e and image tiers

.PHONY: test-unit
test-unit: deps ## Unit tests beside the code (src/**/*.test.ts)
	vitest run --project unit

.PHONY: test-integration
test-integration: deps ## Integration tests on real PostgreSQL and PGlite (test/integration)
	vitest run --project integration

.PHONY: test-observability
test-observability: deps ## Dashboard and alert rules vs /metrics, promtool check/test rules (hack/setup-promtool.sh builds promtool once)
	vitest run --project observability

.PHONY: test-browser
test-browser: deps ## Dashboard tests in a real headless Chromium (Debian chromium, installed by the setup when root)
	vitest run --project browser

.PHONY: test-e2e
test-e2e: deps ## End to end: a real Alertmanager HA pair (hack/setup-alertmanager.sh builds it once) notifying the service on PostgreSQL
	vitest run --project e2e

.PHONY: test-operator
test-operator: deps ## Operator tests on a real kube-apiserver + etcd (hack/setup-envtest.sh) and the Helm chart (hack/setup-helm.sh)
	vitest run --project operator

.PHONY: helm-golden
helm-golden: deps ## Rewrite the chart's golden renders in test/fixtures/helm (review the diff)
	UPDATE_HELM_GOLDEN=1 vitest run --project operator test/operator/helm.test.ts -t 'golden'

.PHONY: bench
bench: build $(PGDATA_TEMPLATE) ## Measure the budgets of design.md section 10 into .bench/results.md (untracked); WRITE_DOCS=1 also updates docs/benchmarks.md
	cp $(PGDATA_TEMPLATE) dist/store/pgdata-template.tar.gz
	node test/bench/run.ts $(if $(WRITE_DOCS),--write-docs,)

.PHONY: profile
profile: deps ## Ingest load (1- and 100-alert bodies, PostgreSQL) under node --cpu-prof; top self-time functions to .bench/profile/ (--measure: load only)
	node test/bench/profile.ts $(ARGS)

##@ Package

.PHONY: image
image: ## Build the image from ./Dockerfile with podman (hack/build-image.sh; podman, runc and a local Debian base set up once by hack/setup-podman.sh)
	hack/build-image.sh

.PHONY: test-image
test-image: deps ## Build the image (as root: podman, runc, debootstrap with apt; a Debian base once) and run it read-only with a fresh volume: ready, /webhook to /history, non-root, SIGTERM exit 0
	vitest run --project image

.PHONY: docker-build
docker-build: ## Build the container image (needs a Docker engine)
	docker build -t alert-history:$$(node -p 'require("./package.json").version') .

.PHONY: clean
clean: ## Remove build output, dependencies and the provisioned Node
	rm -rf dist node_modules .tools coverage test-results
