# podpath tasks. `make test` is the same command CI runs (bash .ci/run).
.PHONY: all run generate test unit e2e lint bench build screenshot clean

GO ?= go

all: test

## run: start the app on http://localhost:8080
run:
	$(GO) run .

## build: build bin/podpath
build:
	$(GO) build -o bin/podpath .

## generate: regenerate the templ components (*_templ.go, committed) and the panels' markup (static/panels/)
generate:
	$(GO) tool templ generate
	$(GO) test ./web -run '^TestPanelFiles$$' -update

## test: every check — gofmt, vet, templ staleness, unit tests, Playwright (installs Chromium/npm when missing)
test:
	bash scripts/test.sh

## unit: Go tests with the race detector
unit:
	$(GO) test -race ./...

## e2e: the Playwright suite against the real binary in Debian's Chromium
e2e:
	cd e2e && { [ -d node_modules/@playwright/test ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci; } && npx playwright test

## lint: gofmt, go vet and staticcheck
lint:
	@files=$$(gofmt -l $$(find . -name '*.go' -not -path './e2e/node_modules/*' -not -path './.git/*')); \
	if [ -n "$$files" ]; then echo "gofmt needed:"; echo "$$files"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## bench: every benchmark (engine, stream, browser), one table — see docs/benchmarks.md
bench:
	bash scripts/bench.sh

## screenshot: regenerate docs/screenshot.png from the running app
screenshot:
	cd e2e && node screenshot.mjs

clean:
	rm -rf bin e2e/test-results e2e/playwright-report e2e/artifacts
