# Entry points. Fresh machine: `make plan` (the offline plan for dev) and `make test` (every suite).
STACK ?= dev
.PHONY: deps deps-node deps-system plan plan-all test lint typecheck

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

deps-node: node_modules/.package-lock.json

deps-system:
	scripts/install-system-deps.sh

deps: deps-node deps-system
	$(MAKE) -C apps deps

## The main job offline: what `pulumi up --stack $(STACK)` would register, with policy verdicts.
plan: deps-node
	npm run -s plan -- $(STACK)

plan-all: deps-node
	for s in dev staging prod; do npm run -s plan -- $$s || exit $$?; done

## Every suite; ends with one line `N passed, N failed`.
test: deps
	scripts/test-all.sh

typecheck: deps-node
	npx tsc --noEmit

lint: deps-node
	npx eslint --max-warnings 0 . && npx prettier --check "**/*.ts"
	$(MAKE) -C apps/storefront lint
	$(MAKE) -C apps/catalog lint
