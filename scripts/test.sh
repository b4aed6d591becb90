#!/usr/bin/env bash
# Runs every podpath check: gofmt, go vet, staticcheck, templ staleness, unit
# tests with -race, and the Playwright suite against the real binary in
# Debian's Chromium.
#
#   bash scripts/test.sh
#
# On a fresh Debian 12 machine (Go and Node present) it first installs what is
# missing: Debian's chromium and fonts-liberation through apt, and the npm
# packages in e2e/ (no browser download: Playwright drives /usr/bin/chromium).
# Every check runs even when an earlier one failed; a summary comes last and
# the exit status is non-zero when anything failed.
#
# Environment: SKIP_E2E=1 skips the Playwright suite (and the Chromium/npm setup).
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export DEBIAN_FRONTEND=noninteractive

declare -a NAMES=() RESULTS=() TIMES=()
FAILED=0

if [ -t 1 ]; then BOLD=$'\033[1m' RESET=$'\033[0m'; else BOLD='' RESET=''; fi
log() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }

# step NAME CMD... runs one check, records its result and duration.
step() {
	local name=$1
	shift
	log "$name"
	local start=$SECONDS rc=0
	"$@" || rc=$?
	NAMES+=("$name")
	TIMES+=("$((SECONDS - start))s")
	if [ "$rc" -eq 0 ]; then
		RESULTS+=("ok")
	else
		RESULTS+=("FAIL (exit $rc)")
		FAILED=1
	fi
	return "$rc"
}

skip() {
	NAMES+=("$1")
	TIMES+=("-")
	RESULTS+=("skipped: $2")
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo -E "$@"
	else
		echo "need root (or sudo) to run: $*" >&2
		return 1
	fi
}

pkg_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

setup_chromium() {
	if [ -x /usr/bin/chromium ] && pkg_installed chromium && pkg_installed fonts-liberation; then
		/usr/bin/chromium --version 2>/dev/null || true
		return 0
	fi
	local apt=(apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 -q)
	# A half-finished earlier install leaves packages unpacked but unconfigured.
	as_root dpkg --configure -a </dev/null || true
	as_root "${apt[@]}" update </dev/null &&
		as_root "${apt[@]}" install -y --no-install-recommends chromium fonts-liberation </dev/null &&
		/usr/bin/chromium --version
}

setup_npm() {
	if [ -d e2e/node_modules/@playwright/test ]; then
		echo "e2e/node_modules present"
		return 0
	fi
	if [ -f e2e/package-lock.json ]; then
		(cd e2e && npm ci --no-audit --no-fund)
	else
		(cd e2e && npm install --no-audit --no-fund)
	fi
}

check_gofmt() {
	local files
	files=$(find . -name '*.go' -not -path './.git/*' -not -path './e2e/node_modules/*' -print0 | xargs -0 gofmt -l)
	if [ -n "$files" ]; then
		echo "gofmt: these files need formatting (run: gofmt -w <file>):"
		echo "$files" | sed 's/^/  /'
		return 1
	fi
	echo "all Go files are gofmt-clean"
}

check_templ() {
	go tool templ generate || return 1
	if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		echo "not a git work tree: generated files regenerated but not compared"
		return 0
	fi
	local stale
	stale=$(git status --porcelain -- '*_templ.go')
	if [ -n "$stale" ]; then
		echo "templ output is not committed or out of date (run: go tool templ generate, then commit):"
		echo "$stale" | sed 's/^/  /'
		return 1
	fi
	echo "templ output is up to date"
}

run_e2e() {
	(cd e2e && npx --no-install playwright test)
}

TOTAL_START=$SECONDS

step "gofmt" check_gofmt
step "go vet ./..." go vet ./...
step "staticcheck ./..." go tool staticcheck ./...
step "templ generate is up to date" check_templ
step "go test -race ./..." go test -race -count=1 ./...

if [ "${SKIP_E2E:-}" = 1 ]; then
	skip "playwright e2e" "SKIP_E2E=1"
else
	if step "setup: Debian chromium + fonts-liberation" setup_chromium &&
		step "setup: npm packages in e2e/" setup_npm; then
		step "playwright e2e (e2e/)" run_e2e
	else
		skip "playwright e2e (e2e/)" "setup failed"
		FAILED=1
	fi
fi

log "Summary"
for i in "${!NAMES[@]}"; do
	printf '  %-45s %-20s %s\n' "${NAMES[$i]}" "${RESULTS[$i]}" "${TIMES[$i]}"
done
printf '  total %ss\n' "$((SECONDS - TOTAL_START))"
if [ "$FAILED" -ne 0 ]; then
	printf '\nFAILED\n'
	exit 1
fi
printf '\nALL CHECKS PASSED\n'
