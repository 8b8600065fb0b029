# The Makefile only wraps npm.
SHELL := /bin/bash
export npm_config_build_from_source := true

.PHONY: start test demo build install deps lint typecheck clean sim bench certs

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: node_modules/.installed

deps:
	bash scripts/install-debian-deps.sh

build: install
	npm run build

start: build
	npm start

demo: build
	npm run demo -- --boards $${BOARDS:-600}

test: install deps
	npm run build
	npm run test:ci

lint: install
	npm run lint

typecheck: install
	npm run typecheck

sim: build
	npm run sim -- --boards $${BOARDS:-600}

bench: build
	npm run bench

certs:
	bash scripts/make-certs.sh $${CERTS_DIR:-data/certs} $${CERT_HOSTS:-}

clean:
	rm -rf node_modules */node_modules */dist */*.tsbuildinfo test-results
