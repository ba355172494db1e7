#!/usr/bin/env bash
# usage: probe-ui.sh PATH... — signs in through the login form, times UI pages (median, max of 9)
jar=$(mktemp)
csrf=$(curl -s -c $jar -b $jar http://127.0.0.1:18080/login | grep -o 'name="csrf_token" value="[0-9a-f]*"' | head -1 | sed 's/.*value="\([0-9a-f]*\)"/\1/')
curl -s -o /dev/null -c $jar -b $jar -d "csrf_token=$csrf&username=${PROBE_USER:-admin}&password=${PROBE_PASSWORD:-demo-password-1}" http://127.0.0.1:18080/login
for path in "$@"; do
  ts=()
  for i in $(seq 1 9); do ts+=($(curl -s -o /dev/null -b $jar -w '%{time_total}' "http://127.0.0.1:18080$path")); done
  code=$(curl -s -o /dev/null -b $jar -w '%{http_code}' "http://127.0.0.1:18080$path")
  printf '%s\n' "${ts[@]}" | sort -n | awk -v p="$path" -v c="$code" '{a[NR]=$1} END {printf "%-60s %s median %7.1f ms  max %7.1f ms\n", p, c, a[int((NR+1)/2)]*1000, a[NR]*1000}'
done
rm -f $jar
