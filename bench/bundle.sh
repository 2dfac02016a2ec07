#!/usr/bin/env bash
# bench/run.sh bundle: export and verify an evidence bundle of a --entries N (default 10000) lineage, each
# in a fresh process through ./custody as users run it (--runs R times, default 3; medians).
#
# The lineage: 10 chains of N/10 entries; chain k starts with a fine-tune (training for k=0) of chain
# k-1's model, then annotations; so `custody export --model <chain 9's model digest>` takes all N entries.
# Reported: bundle size, export time, verify time (wall, /usr/bin/time), and the verify time's ratio to the
# signature-bound limit N / (openssl speed ed25519 verify/s x cores), measured in the same run: ratio =
# limit / verify time (1.0 would be as fast as checking the signatures alone on every core). The load
# average (uptime) is printed before and after. Inputs are generated into --dir (default bench/results)
# /bundle-data and reused.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
custody="$root/custody"
entries=10000
runs=3
dir="$root/bench/results"
openssl="openssl"
seconds=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --entries) entries="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --openssl) openssl="$2"; shift 2 ;;
    --openssl-seconds) seconds="$2"; shift 2 ;;
    *) echo "bench/run.sh bundle: unknown option $1 (--entries N, --runs R, --dir DIR, --openssl PATH, --openssl-seconds S)" >&2; exit 2 ;;
  esac
done
if (( entries < 20 )); then echo "--entries must be at least 20" >&2; exit 2; fi
data="$dir/bundle-data-$entries"
ledger="$data/ledger"
mkdir -p "$data"
export CUSTODY_KEYS="$data/keys-dir" # the log key of the bench's ledger stays with the bench's files
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "# uptime before: $(uptime)" >&2
"$custody" --version >&2
digest() { printf 'sha256:%s' "$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)"; }
if [[ ! -f "$data/done" ]]; then
  rm -rf "$data" && mkdir -p "$data"
  echo "# generating a $entries-entry lineage in $ledger (not timed)" >&2
  "$custody" keys generate --out "$data/keys" --name bench >/dev/null
  "$custody" init --ledger "$ledger" --origin bench.example/bundle >/dev/null
  per=$(( entries / 10 ))
  : > "$data/batch.jsonl"
  for k in $(seq 0 9); do
    model="$(digest "model-$k")"
    if (( k == 0 )); then
      echo "{\"chain\":\"bench/m$k\",\"kind\":\"training\",\"inputs\":[{\"name\":\"corpus\",\"kind\":\"dataset\",\"digest\":\"$(digest corpus)\"}],\"outputs\":[{\"name\":\"model\",\"kind\":\"model\",\"digest\":\"$model\"}]}" >> "$data/batch.jsonl"
    else
      echo "{\"chain\":\"bench/m$k\",\"kind\":\"fine-tune\",\"inputs\":[{\"name\":\"base\",\"kind\":\"model\",\"digest\":\"$(digest "model-$((k - 1))")\"}],\"outputs\":[{\"name\":\"model\",\"kind\":\"model\",\"digest\":\"$model\"}]}" >> "$data/batch.jsonl"
    fi
    n=$(( k == 9 ? entries - 9 * per : per ))
    for i in $(seq 1 $(( n - 1 ))); do
      echo "{\"chain\":\"bench/m$k\",\"kind\":\"annotation\",\"text\":\"note $i of chain $k\"}"
    done >> "$data/batch.jsonl"
  done
  "$custody" record --batch "$data/batch.jsonl" --ledger "$ledger" --key "$data/keys/bench.key" >/dev/null
  "$custody" checkpoint --ledger "$ledger" >/dev/null
  touch "$data/done"
fi
target="$(digest model-9)"
bundle="$data/lineage.bundle.json"
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
export_s=(); verify_s=(); verify_rss=(); verdict=""
for r in $(seq 1 "$runs"); do
  rm -f "$bundle"
  /usr/bin/time -f '%e %M' -o "$data/time" "$custody" export --ledger "$ledger" --model "$target" --out "$bundle" >/dev/null
  export_s+=("$(cut -d' ' -f1 "$data/time")")
  set +e
  /usr/bin/time -f '%e %M' -o "$data/time" "$custody" verify --bundle "$bundle" --trust "$data/keys/bench.pub" \
    --log-key "$ledger/log/vkey" --json > "$data/report.json"
  rc=$?
  set -e
  verdict="exit $rc"
  verify_s+=("$(cut -d' ' -f1 "$data/time")")
  verify_rss+=("$(cut -d' ' -f2 "$data/time")")
done
bytes="$(stat -c %s "$bundle")"
bundled="$(grep -o '"entries":[0-9]*' "$data/report.json" | head -1 | cut -d: -f2)"
cores="$(nproc)"
line="$("$openssl" speed -seconds "$seconds" ed25519 2>/dev/null | grep -i 'Ed25519)' | tail -1 || true)"
per_core="$(awk '{print $NF}' <<<"$line")"
e_med="$(printf '%s\n' "${export_s[@]}" | median)"
v_med="$(printf '%s\n' "${verify_s[@]}" | median)"
rss_max="$(printf '%s\n' "${verify_rss[@]}" | sort -n | tail -1)"
limit="$(awk -v n="$bundled" -v r="$per_core" -v c="$cores" 'BEGIN {printf "%.3f", (r > 0) ? n / (r * c) : 0}')"
ratio="$(awk -v l="$limit" -v v="$v_med" 'BEGIN {printf "%.3f", (v > 0) ? l / v : 0}')"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "# uptime after: $(uptime)" >&2
printf '%-44s %s\n' "lineage entries in the bundle" "$bundled" \
  "bundle size" "$bytes bytes ($(awk -v b="$bytes" -v n="$bundled" 'BEGIN {printf "%.0f", b / n}') bytes/entry)" \
  "export, fresh process (median of $runs)" "${e_med} s  [${export_s[*]}]" \
  "verify --bundle, fresh process (median of $runs)" "${v_med} s  [${verify_s[*]}]  peak RSS ${rss_max} KiB  ($verdict)" \
  "openssl speed ed25519 verify/s x cores" "$per_core x $cores" \
  "signature-bound limit (entries / that)" "${limit} s" \
  "ratio limit / verify time" "$ratio" \
  "load average before / after" "$load_before / $load_after"
printf '{"mode":"bundle","entries":%s,"bundleBytes":%s,"exportSeconds":%s,"verifySeconds":%s,"verifyPeakRssKiB":%s,"opensslEd25519VerifyPerSec":%s,"cores":%s,"signatureBoundSeconds":%s,"ratio":%s,"verdict":"%s","env":{"loadAverageBefore":"%s","loadAverageAfter":"%s"}}\n' \
  "$bundled" "$bytes" "$e_med" "$v_med" "$rss_max" "${per_core:-0}" "$cores" "$limit" "$ratio" "$verdict" "$load_before" "$load_after"
