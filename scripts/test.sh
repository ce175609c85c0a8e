#!/usr/bin/env bash
# The project's test command (README): formatting, vet, every test with the race detector
# on the concurrent packages, and a bounded fuzz run of every parser.
set -euo pipefail
cd "$(dirname "$0")/.."

# Browser tests drive Debian chromium with a CJK font (without one every Chinese glyph is a
# box). Installed here when missing and we may (root with apt); the tests skip with a
# message when chromium is absent. GONGKAI_NO_INSTALL=1 turns this off.
if [ "${GONGKAI_NO_INSTALL:-}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'wenquanyi\|wqy'; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
  fi
fi
export CGO_ENABLED=1

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt: these files are not formatted:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...

# go.mod and go.sum say exactly what the code imports
if ! go mod tidy -diff >/dev/null; then
  echo "go.mod/go.sum are not tidy: run 'go mod tidy'" >&2
  go mod tidy -diff >&2 || true
  exit 1
fi

# everything once; the concurrent parts (ingest workers, the server) again under -race
go test -count=1 -timeout 20m ./...  # the shared 2-core machine: cmd/gongkai alone takes minutes
go test -count=1 -timeout 20m -race ./ingest/pipeline ./ingest/store ./ingest/web ./dashboards

# bounded fuzzing: no panic, no hang
fuzztime=${FUZZTIME:-20s}
go test -run '^$' -fuzz '^FuzzFile$' -fuzztime "$fuzztime" ./ingest/parse
go test -run '^$' -fuzz '^FuzzRead$' -fuzztime "$fuzztime" ./ingest/decode
go test -run '^$' -fuzz '^FuzzNormalize$' -fuzztime "$fuzztime" ./ingest/decode
go test -run '^$' -fuzz '^FuzzDOCX$' -fuzztime "$fuzztime" ./ingest/decode
go test -run '^$' -fuzz '^FuzzPDF$' -fuzztime "$fuzztime" ./ingest/decode
go test -run '^$' -fuzz '^FuzzPDFLayout$' -fuzztime "$fuzztime" ./ingest/decode
go test -run '^$' -fuzz '^FuzzXMLScan$' -fuzztime "$fuzztime" ./ingest/decode
go test -run '^$' -fuzz '^FuzzParsePage$' -fuzztime "$fuzztime" ./ingest/web
go test -run '^$' -fuzz '^FuzzRobots$' -fuzztime "$fuzztime" ./ingest/web
