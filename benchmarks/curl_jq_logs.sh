#!/usr/bin/env bash
# The baseline of `s4top logs --json`: the same paging loop written with curl and jq, as a
# user would script it. Usage: curl_jq_logs.sh BASE_URL DOMAIN START_NS (token in
# $BITIFUL_API_TOKEN). Prints one JSON object per entry with the keys `s4top logs --json`
# uses; pages from the last timestamp, skipping the entries at it already printed (the
# server's start_time is inclusive), until a page comes back short.
set -euo pipefail
base=$1 domain=$2 start=$3 skip=0 limit=1000
while :; do
  page=$(curl -sS --fail -H "Authorization: $BITIFUL_API_TOKEN" \
    "$base/cdn/data/$domain/logs?start_time=$start&codes=ALL&limit=$limit")
  printf '%s' "$page" | jq -c --argjson k "$skip" '.data[$k:][] | {time_ns: .access_time,
    status: .code, method, client_ip: .ip, size, url: .path, country, cache,
    extra: {referer, ua}}'
  read -r n last at_last < <(printf '%s' "$page" | jq -r '.data as $d | ($d | length) as $n
    | if $n == 0 then "0 0 0" else ($d[-1].access_time) as $l
      | "\($n) \($l) \([$d[] | select(.access_time == $l)] | length)" end')
  if [ "$n" -lt "$limit" ]; then break; fi
  if [ "$last" = "$start" ]; then
    echo "curl_jq_logs: a full page holds one timestamp; cannot page inside it" >&2
    exit 1
  fi
  start=$last skip=$at_last
done
