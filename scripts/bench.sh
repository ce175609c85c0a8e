#!/usr/bin/env bash
# Reproducible benchmarks for the README.
#
#   bash scripts/bench.sh            parse (decode+parse, per layout and on all cores) and
#                                    ingest end to end (generated reports → parse → check → DuckDB)
#   bash scripts/bench.sh national [N]
#                                    generate N reports (default 750000; GONGKAI_BENCH_N also
#                                    works) as N/5 organs × 2021–2025, ingest them, then time every
#                                    page and API route for one user and for 200 clients for 30 s
#                                    on loopback while reports are uploaded. GONGKAI_BENCH_DIR (default /tmp/gongkai-national-N)
#                                    keeps the corpus and database between runs; LAYOUTS (default
#                                    tabs,markdown,cells,html) picks the layouts; DIR/reports may be a
#                                    link to the reports of another run (one corpus, several databases).
# Run on an idle machine; CPU time (user+sys) varies less than wall time on a shared one.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "national" ]]; then
  go test -run '^$' -bench 'BenchmarkParse' -benchtime=3s -count=1 ./ingest/parse
  go test -run '^$' -bench 'BenchmarkRead' -benchtime=2s -count=1 ./ingest/decode
  go test -run '^$' -bench 'BenchmarkIngestGenerated|BenchmarkPipeline' -benchtime=1x -count=1 ./ingest/pipeline
  exit 0
fi

N="${2:-${GONGKAI_BENCH_N:-750000}}"
YEARS=5
AGENCIES=$(( (N + YEARS - 1) / YEARS ))  # organs; each reports for 2021–2025 (5% of reports missing)
DIR="${GONGKAI_BENCH_DIR:-/tmp/gongkai-national-$N}"
LAYOUTS="${LAYOUTS:-tabs,markdown,cells,html}"
ADDR="${ADDR:-127.0.0.1:18480}"
CLIENTS="${CLIENTS:-200}"
DURATION="${DURATION:-30s}"
BIN="$DIR/gongkai"
mkdir -p "$DIR"
go build -o "$BIN" ./cmd/gongkai
go build -o "$DIR/loadtest" ./scripts/loadtest

# Streaming in constant memory: the country is generated as districts of PER organs (each
# 5 × PER reports), one generator process per district, written straight to disk; no process
# holds more than one district.
PER="${PER:-200}"
DISTRICTS=$(( (AGENCIES + PER - 1) / PER ))
if [[ ! -f "$DIR/reports/.done" ]]; then
  echo "== generate $N reports: $DISTRICTS districts × $PER organs × 2021–2025 (layouts $LAYOUTS)"
  mkdir -p "$DIR/reports"
  t0=$(date +%s)
  seq 1 "$DISTRICTS" | xargs -P "$(nproc)" -I{} sh -c '
    d=$(printf "国%05d区" {}); out="'"$DIR"'/reports/$d"
    [ -f "$out/manifest.json" ] || "'"$BIN"'" generate --district "$d" --agencies '"$PER"' --years 2021-2025 \
      --out "$out" --layouts '"$LAYOUTS"' --inject T3-balance=0.02,X-carry-over=0.02,S-late=0.05 \
      --missing '"$(( PER * 5 / 100 ))"' --seed {} > /dev/null'
  # the generator's truth files are not reports: keep the disk for the reports
  find "$DIR/reports" -name '*.json' ! -name manifest.json -delete
  touch "$DIR/reports/.done"
  echo "generate: $(( $(date +%s) - t0 )) s wall, $(find "$DIR/reports" -type f ! -name '*.json' ! -name .done | wc -l) report files, $(du -sh "$DIR/reports" | cut -f1)"
fi
if [[ ! -f "$DIR/national.duckdb" ]]; then
  FILES=$(find "$DIR/reports/" -type f ! -name '*.json' ! -name .done | wc -l)
  echo "== ingest $FILES files (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  /usr/bin/time -o "$DIR/ingest.time" -f "%e %U %S %M" \
    "$BIN" ingest --db "$DIR/national.duckdb" "$DIR/reports" 2> "$DIR/ingest.log" | tail -1
  read -r wall user sys rss < "$DIR/ingest.time"
  echo "ingest: $wall s wall, $user s user, $sys s sys, peak RSS $((rss / 1024)) MB;" \
    "$(awk -v n="$FILES" -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f reports/s, %.0f CPU µs a report", n / w, (u + s) * 1e6 / n }');" \
    "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
echo "database: $(du -h "$DIR/national.duckdb" | cut -f1) ($(du -b "$DIR/national.duckdb" | awk -v n="$N" '{ printf "%.0f", $1 / n }') bytes a report)"
echo "== serve and time every route"
# Reports uploaded while the clients run: one more district, not in the database; the server
# works on a copy of the database so that every run starts from the same data.
UP="$DIR/upload"
[[ -f "$UP/manifest.json" ]] || "$BIN" generate --district 国99999区 --agencies 60 --years 2021-2025 \
  --out "$UP" --layouts "$LAYOUTS" --seed 99999 > /dev/null
rm -f "$DIR/serve.duckdb.wal" # a WAL left by the last run would replay its uploads onto the fresh copy
cp "$DIR/national.duckdb" "$DIR/serve.duckdb"
TOKEN="bench-$$"
GONGKAI_SERVER_TOKEN="$TOKEN" "$BIN" serve --db "$DIR/serve.duckdb" --addr "$ADDR" > "$DIR/serve.log" 2>&1 &
SERVE=$!
trap 'kill -INT $SERVE 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -s -o /dev/null "http://$ADDR/api/years" && break
  sleep 1
done
sleep "${WARM:-10}" # the server computes the default pages in the background (its warm-up)
"$DIR/loadtest" -base "http://$ADDR" -clients "$CLIENTS" -duration "$DURATION" -pid "$SERVE" \
  -upload "$UP" -token "$TOKEN" || true
