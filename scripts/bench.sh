#!/usr/bin/env bash
# Reproducible benchmarks for the README: parse (decode+parse, per layout and on all cores)
# and ingest end to end (generated reports → parse → check → DuckDB). Run on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench 'BenchmarkParse' -benchtime=3s -count=1 ./ingest/parse
go test -run '^$' -bench 'BenchmarkRead' -benchtime=2s -count=1 ./ingest/decode
go test -run '^$' -bench 'BenchmarkIngestGenerated|BenchmarkPipeline' -benchtime=1x -count=1 ./ingest/pipeline
