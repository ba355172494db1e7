#!/usr/bin/env bash
# usage: measure.sh ENGINE(sqlite|postgres) BIN_DIR OUT_PREFIX MIX
set -u
# The data directory and database are those of docs/benchmarks.md, "Scale proof";
# SCALE_DATA and SCALE_PG override them.
here=$(cd "$(dirname "$0")" && pwd)
engine=$1; bin=$2; out=$3; mix=$4
if [ "$engine" = sqlite ]; then db=(--data "${SCALE_DATA:-/work/scale-data/sqlite2}"); else db=(--database-url "${SCALE_PG:-postgres://postgres@127.0.0.1:5432/dealpath_scale2?sslmode=disable}"); fi
$bin/dealpath serve "${db[@]}" --addr 127.0.0.1:18080 > $out-serve.log 2>&1 &
spid=$!
for i in $(seq 1 600); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 1; done
echo "serve pid $spid up after ${i}s; uptime: $(uptime)"
$bin/dealpath-load --addr http://127.0.0.1:18080 --user admin --password demo-password-1 --concurrency 1 --duration ${DUR:-60s} --mix "$mix" --server-pid $spid > $out-c1.txt 2>&1
echo "c1 done: $(uptime)"
$bin/dealpath-load --addr http://127.0.0.1:18080 --user admin --password demo-password-1 --concurrency 32 --duration ${DUR:-60s} --mix "$mix" --server-pid $spid > $out-c32.txt 2>&1
echo "c32 done: $(uptime)"
{
  echo "# API, admin"
  "$here"/probe.sh "/api/v1/deals?limit=50&sort=expected_close_date&stage=negotiation" \
    "/api/v1/deals?limit=50&sort=expected_close_date" \
    "/api/v1/deals?limit=50&sort=-amount&stage=demo" \
    "/api/v1/deals?limit=50&sort=expected_close_date&with_total=true" \
    "/api/v1/deals?limit=50&q=$(python3 -c 'import urllib.parse;print(urllib.parse.quote("华美电子"))')" \
    "/api/v1/deals?limit=50&q=$(python3 -c 'import urllib.parse;print(urllib.parse.quote("不存在的"))')" \
    "/api/v1/accounts?limit=20&q=$(python3 -c 'import urllib.parse;print(urllib.parse.quote("华美电子"))')" \
    "/api/v1/accounts?limit=20&q=$(python3 -c 'import urllib.parse;print(urllib.parse.quote("有限公司"))')" \
    "/api/v1/accounts?limit=20&q=$(python3 -c 'import urllib.parse;print(urllib.parse.quote("不存在的"))')" \
    "/api/v1/accounts?limit=20&q=$(python3 -c 'import urllib.parse;print(urllib.parse.quote("华美"))')" \
    "/api/v1/accounts?limit=20&q=$(python3 -c 'import urllib.parse;print(urllib.parse.quote("龙虎"))')" \
    "/api/v1/reports/pipeline"
  echo "# API, manager1 (team scope)"
  PROBE_USER=manager1 "$here"/probe.sh "/api/v1/deals?limit=50&sort=expected_close_date" "/api/v1/deals?limit=50&sort=expected_close_date&with_total=true" "/api/v1/accounts?limit=25&with_total=true" "/api/v1/reports/pipeline"
  echo "# UI pages, admin"
  "$here"/probe-ui.sh /pipeline /pipeline/list "/pipeline/list?stage=negotiation" /accounts /accounts/1000 /deals/500000 /my-day /reports/pipeline
  echo "# UI pages, manager1"
  PROBE_USER=manager1 "$here"/probe-ui.sh /pipeline /pipeline/list /accounts /my-day
  echo "# UI pages, rep1_1"
  PROBE_USER=rep1_1 "$here"/probe-ui.sh /pipeline /pipeline/list /accounts /my-day
} > $out-probe.txt 2>&1
echo "probes done: $(uptime)"
kill $spid; wait $spid
