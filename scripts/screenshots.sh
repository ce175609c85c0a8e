#!/bin/sh
# Screenshots of every dashboard page of the demo district, as PNGs in DIR (default
# ./screenshots, not committed). Needs chromium (apt-get install -y chromium fonts-wqy-microhei).
set -eu
out=${1:-screenshots}
addr=${ADDR:-127.0.0.1:18090}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
go build -o "$tmp/gongkai" ./cmd/gongkai
"$tmp/gongkai" demo --dir "$tmp/demo" --addr "$addr" >"$tmp/demo.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
i=0
until grep -q "gongkai serve" "$tmp/demo.log" 2>/dev/null; do
  i=$((i+1)); [ $i -lt 240 ] || { cat "$tmp/demo.log"; exit 1; }
  kill -0 $pid 2>/dev/null || { cat "$tmp/demo.log"; exit 1; }
  sleep 0.5
done
mkdir -p "$out"
go test ./dashboards -run 'TestScreenshots$' -count=1 -v -args -screenshot-dir "$(cd "$out" && pwd)" -screenshot-url "http://$addr"
