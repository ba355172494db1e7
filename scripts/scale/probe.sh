#!/usr/bin/env bash
# usage: probe.sh  — times single requests (median and max of 15) against 127.0.0.1:18080
TOKEN=$(curl -s -X POST -H 'Content-Type: application/json' -d "{\"username\":\"${PROBE_USER:-admin}\",\"password\":\"${PROBE_PASSWORD:-demo-password-1}\"}" http://127.0.0.1:18080/api/v1/auth/login | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
probe() {
  local path=$1
  local ts=()
  for i in $(seq 1 15); do
    ts+=($(curl -s -o /tmp/probe.out -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18080$path"))
  done
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18080$path")
  printf '%s\n' "${ts[@]}" | sort -n | awk -v p="$path" -v c="$code" '{a[NR]=$1} END {printf "%-95s %s median %6.1f ms  max %6.1f ms\n", p, c, a[int((NR+1)/2)]*1000, a[NR]*1000}'
}
for p in "$@"; do probe "$p"; done
