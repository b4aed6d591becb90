#!/usr/bin/env bash
# Every podpath benchmark, printed as one markdown table (docs/benchmarks.md
# holds the latest). Figures are medians over several runs; each row names
# the exact command that produces it.
#
#   bash scripts/bench.sh            # or: make bench
#
# Environment:
#   BENCH_COUNT=5          runs of each Go micro-benchmark (-count)
#   BENCH_STREAM_COUNT=3   runs of the WebSocket fan-out ramp
#   PODPATH_BENCH_STREAM_SECONDS=5   measured seconds per fan-out step
#   PERF_MINUTES=2         minutes of animation for the browser memory row
#                          (10 for the full issue target; 0 skips it)
#   BENCH_BROWSER=0        skip the browser rows
#   BENCH_OUT=dir          where the raw outputs go (default: a temp dir)
#
# The browser rows run only when /usr/bin/chromium (or $PODPATH_CHROMIUM)
# and e2e/node_modules/@playwright/test exist; nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${BENCH_COUNT:-5}
STREAM_COUNT=${BENCH_STREAM_COUNT:-3}
export PODPATH_BENCH_STREAM_SECONDS=${PODPATH_BENCH_STREAM_SECONDS:-5}
export PERF_MINUTES=${PERF_MINUTES:-2}
CHROMIUM=${PODPATH_CHROMIUM:-/usr/bin/chromium}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/podpath-bench.XXXXXX)}
mkdir -p "$OUT"

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)

say() { printf 'bench.sh: %s\n' "$*" >&2; }

# quote ARGS... — the command line as one would type it.
quote() {
	local a out=()
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9_./=:,+-]+$ ]]; then out+=("$a"); else out+=("'$a'"); fi
	done
	printf '%s' "${out[*]}"
}

# run NAME COMMAND... — runs a benchmark command, keeps its output in
# $OUT/NAME.txt and its command line in $OUT/NAME.cmd.
run() {
	local name=$1
	shift
	quote "$@" >"$OUT/$name.cmd"
	say "$(cat "$OUT/$name.cmd")"
	if ! env "$@" >"$OUT/$name.txt" 2>&1; then
		say "FAILED (output in $OUT/$name.txt)"
		tail -20 "$OUT/$name.txt" >&2
	fi
}

# median NAME BENCHMARK UNIT — the median of the value before UNIT on the
# lines of BENCHMARK (its -GOMAXPROCS suffix ignored) in $OUT/NAME.txt.
median() {
	awk -v name="$2" -v unit="$3" '
		{ n = $1; sub(/-[0-9]+$/, "", n) }
		n == name { for (i = 3; i <= NF; i++) if ($i == unit) print $(i - 1) }
	' "$OUT/$1.txt" | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# fmt FORMAT VALUE [SCALE] — printf of VALUE×SCALE, or "n/a" when empty.
fmt() {
	if [ -z "${2:-}" ]; then
		echo "n/a"
		return
	fi
	awk -v f="$1" -v v="$2" -v s="${3:-1}" 'BEGIN { printf f, v * s }'
}

# met FIGURE OP LIMIT — "yes" or "**no**" (or "n/a" without a figure).
met() {
	if [ -z "$1" ] || [ "$1" = n/a ]; then
		echo "n/a"
		return
	fi
	awk -v x="$1" -v op="$2" -v l="$3" 'BEGIN {
		ok = (op == "<" && x < l) || (op == "<=" && x <= l) || (op == ">=" && x >= l) || (op == ">" && x > l)
		print ok ? "yes" : "**no**"
	}'
}

ROWS=()
# row NAME FIGURE UNIT TARGET MET COMMAND-FILE
row() {
	local cmd
	cmd=$(cat "$OUT/$6.cmd" 2>/dev/null || echo "$6")
	ROWS+=("| $1 | $2 | $3 | $4 | $5 | \`$cmd\` |")
}

GOBENCH=(go test -run '^$' -benchmem)

# --- engine (package model; the lead's benchmarks) ---------------------------
run engine "${GOBENCH[@]}" -bench '^BenchmarkEngineLarge$' -count "$COUNT" -cpu 1 ./model/
run load "${GOBENCH[@]}" -bench '^BenchmarkLoad100k$' -count "$COUNT" ./model/
run apiload "${GOBENCH[@]}" -bench '^BenchmarkAPILoad100k$' -count "$COUNT" ./server/
run snapshot "${GOBENCH[@]}" -bench '^BenchmarkSnapshotLarge$' -count "$COUNT" ./model/
run snapjson "${GOBENCH[@]}" -bench '^BenchmarkSnapshotJSONLarge$' -count "$COUNT" ./server/
# --- import (package scenarios) -----------------------------------------------
run import "${GOBENCH[@]}" -bench '^BenchmarkImportRealManifests$' -count "$COUNT" ./scenarios/
# --- stream (package server) --------------------------------------------------
run frames "${GOBENCH[@]}" -bench '^BenchmarkStreamFrames$' -count "$COUNT" ./server/
run deflate "${GOBENCH[@]}" -bench '^BenchmarkFrameDeflate$' -count "$COUNT" ./server/
run clients PODPATH_BENCH_STREAM_SECONDS="$PODPATH_BENCH_STREAM_SECONDS" go test -run '^$' -bench '^BenchmarkStreamClients$' -benchtime 1x -count "$STREAM_COUNT" -timeout 30m ./server/

v=$(median engine BenchmarkEngineLarge req/s)
row "Engine: simulated requests/s on one core, \`large\` (216 pods, 24 Routes), hops recorded" "$(fmt '%.0f' "$v")" "req/s" "≥ 200,000" "$(met "$v" '>=' 200000)" engine
v=$(median engine BenchmarkEngineLarge allocs/op)
b=$(median engine BenchmarkEngineLarge B/op)
row "Engine: allocations per request ($(fmt '%.0f' "$b") B)" "$(fmt '%.0f' "$v")" "allocs/req" "—" "—" engine
v=$(median load BenchmarkLoad100k ns/op)
s=$(fmt '%.3f' "$v" 1e-9)
row "Load of 100,000 requests, model (\`Sim.Load\`, 10,000 req/s virtual)" "$s" "s" "< 1" "$(met "$s" '<' 1)" load
v=$(median apiload BenchmarkAPILoad100k s/load)
row "\`POST /api/load\` of 100,000 requests over HTTP, \`large\`" "$(fmt '%.3f' "$v")" "s" "< 1" "$(met "$v" '<' 1)" apiload
v=$(median snapshot BenchmarkSnapshotLarge ns/op)
row "Snapshot build, \`large\` (model)" "$(fmt '%.2f' "$v" 1e-6)" "ms" "—" "—" snapshot
v=$(median snapjson BenchmarkSnapshotJSONLarge ns/op)
row "Snapshot JSON encode, \`large\`" "$(fmt '%.2f' "$v" 1e-6)" "ms" "—" "—" snapjson
v=$(median snapjson BenchmarkSnapshotJSONLarge bytes)
row "Snapshot JSON size, \`large\`" "$(fmt '%.1f' "$v" 0.0009765625)" "KB" "—" "—" snapjson
v=$(median import BenchmarkImportRealManifests ns/op)
s=$(fmt '%.2f' "$v" 1e-9)
row "Import of a 1.3 MB manifest set built from the public fixtures of \`scenarios/testdata/real\` (parse with warnings + build the cluster: what \`POST /api/import\` does)" "$s" "s" "< 2" "$(met "$s" '<' 2)" import

v=$(median frames BenchmarkStreamFrames frames/s)
row "Stream: frames/s one room sustains at 1,000 simulated req/s (step + encode + send + read)" "$(fmt '%.0f' "$v")" "frames/s" "≥ 30" "$(met "$v" '>=' 30)" frames
v=$(median frames BenchmarkStreamFrames B/frame)
r=$(median frames BenchmarkStreamFrames req/frame)
row "Stream: bytes per frame at 1,000 simulated req/s ($(fmt '%.1f' "$r") requests/frame)" "$(fmt '%.1f' "$v" 0.0009765625)" "KB" "—" "—" frames
v=$(median deflate BenchmarkFrameDeflate deflated-B/frame)
r=$(median deflate BenchmarkFrameDeflate ratio)
t=$(median deflate BenchmarkFrameDeflate ns/op)
row "Stream: the same frame deflated (permessage-deflate level 1, what browsers get; $(fmt '%.1f' "$r")× smaller, $(fmt '%.2f' "$t" 1e-6) ms once per frame)" "$(fmt '%.1f' "$v" 0.0009765625)" "KB" "—" "—" deflate

for rps in 1000 default; do
	B="BenchmarkStreamClients/rps=$rps/clients=500"
	label="1,000 simulated req/s"
	[ "$rps" = default ] && label="the scenario's 40 req/s"
	v=$(median clients "$B" cpu-cores)
	row "Fan-out to 500 WebSocket clients, 30 frames/s, $label: server CPU" "$(fmt '%.2f' "$v")" "cores" "< 1" "$(met "$v" '<' 1)" clients
	v=$(median clients "$B" rss-MB)
	row "Fan-out to 500 clients, $label: server RSS" "$(fmt '%.0f' "$v")" "MB" "< 300" "$(met "$v" '<' 300)" clients
	v=$(median clients "$B" lag-p99-ms)
	row "Fan-out to 500 clients (deflate, as browsers), $label: receive lag p99" "$(fmt '%.1f' "$v")" "ms" "≤ 250 (#7)" "$(met "$v" '<=' 250)" clients
	v=$(median clients "$B" client-cpu-cores)
	row "Fan-out to 500 clients, $label: the clients' process CPU (same 2 cores)" "$(fmt '%.2f' "$v")" "cores" "—" "—" clients
	largest=0
	for n in 100 250 500 1000 2000; do
		behind=$(median clients "BenchmarkStreamClients/rps=$rps/clients=$n" behind)
		[ -z "$behind" ] && break
		if awk -v b="$behind" 'BEGIN { exit !(b < 0.5) }'; then largest=$n; else break; fi
	done
	row "Largest client count of one room before frames fall behind (ramp 100…2,000; behind: a drop, < 95 % of frames, or p99 lag > 250 ms), $label" "$largest" "clients" "—" "—" clients
done

# --- browser (a Playwright script, not part of the pass/fail suite) -----------
BROWSER_NOTES=()
if [ "${BENCH_BROWSER:-1}" != 0 ] && [ -x "$CHROMIUM" ] && [ -d e2e/node_modules/@playwright/test ]; then
	run browser PERF_MINUTES="$PERF_MINUTES" node e2e/perf/fps.mjs
	cmd=$(cat "$OUT/browser.cmd")
	while IFS= read -r line; do
		case $line in
		'| '*) ROWS+=("$line \`$cmd\` |") ;;
		'- '*) BROWSER_NOTES+=("$line") ;;
		esac
	done < <(node -e '
		const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
		for (const l of lines) {
			if (!l.startsWith("{")) continue;
			const r = JSON.parse(l);
			if (r.met === null && !r.target) { console.log(`- ${r.name}: ${r.figure}`); continue; }
			const met = r.met === null ? "—" : r.met ? "yes" : "**no**";
			console.log(`| Browser: ${r.name} | ${r.figure} | ${r.unit} | ${r.target} | ${met} |`);
			if (r.note) console.log(`- ${r.name}: ${r.note}`);
		}' "$OUT/browser.txt")
else
	say "browser rows skipped (no $CHROMIUM, no e2e/node_modules, or BENCH_BROWSER=0)"
fi

# --- the table ------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
chromium_version=$("$CHROMIUM" --version 2>/dev/null | head -1 || true)
echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}, ${mem:-? GiB}; $(go version | awk '{ print $3 }'); ${chromium_version:-no Chromium}; $(date -u '+%Y-%m-%d %H:%M UTC'); load average before: ${LOAD0:-?}, after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)"
echo
echo "| benchmark | figure | unit | target | met? | command |"
echo "|---|---:|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
if [ ${#BROWSER_NOTES[@]} -gt 0 ]; then
	echo
	printf '%s\n' "${BROWSER_NOTES[@]}"
fi
echo
echo "Raw outputs: $OUT"
