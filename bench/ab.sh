#!/usr/bin/env bash
# Interleaved A/B of one custody command in fresh processes, as users run it: A and B alternate, ROUNDS
# times, so that a shared host's drifting speed (this VM's openssl figures vary by 2x within minutes)
# falls on both alike; prints each pair's wall time, CPU time (user+sys) and peak RSS from GNU time,
# and the median of the B/A ratios. How the launcher's JVM flags were chosen (see ./custody).
#
#   bench/ab.sh [--rounds N] [--a-opts OPTS] [--b-opts OPTS] [--a PATH] [--b PATH] -- CUSTODY ARGS...
#
# --a-opts/--b-opts: CUSTODY_JAVA_OPTS for each side (default: none); --a/--b: the launcher of each side
# (default: ./custody), e.g. a checkout of an earlier commit for an A/B of a code change. For
# `record --batch`, the --ledger given (which must be under /tmp) is made afresh before every run.
# Example: bench/ab.sh --rounds 5 --b-opts -XX:FreqInlineSize=120 -- log --ledger bench/results/cli-data/ledger-100000-64/ledger
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=5 a_opts="" b_opts="" a="$here/custody" b="$here/custody"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --a-opts) a_opts="$2"; shift 2 ;;
    --b-opts) b_opts="$2"; shift 2 ;;
    --a) a="$2"; shift 2 ;;
    --b) b="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "ab.sh: unknown option $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "ab.sh: give the custody command after --" >&2; exit 2; }
fresh=""
if [[ " $* " == *" --batch "* ]]; then
  args=("$@")
  for ((i = 0; i < ${#args[@]} - 1; i++)); do [ "${args[$i]}" = --ledger ] && fresh="${args[$((i + 1))]}"; done
  case "$fresh" in /tmp/?*) ;; *) echo "ab.sh: record --batch needs --ledger /tmp/… (made afresh for each run)" >&2; exit 2 ;; esac
fi
run() { # LAUNCHER OPTS -> "wall user sys maxrss_kb"
  if [ -n "$fresh" ]; then
    rm -rf "$fresh" "$fresh.logkey"
    "$1" init --ledger "$fresh" --log-private-key "$fresh.logkey" > /dev/null 2>&1
  fi
  CUSTODY_JAVA_OPTS="$2" /usr/bin/time -f '%e %U %S %M' "$1" "${@:3}" 2>&1 > /dev/null | tail -1
}
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for ((r = 1; r <= rounds; r++)); do
  echo "$(run "$a" "$a_opts" "$@") $(run "$b" "$b_opts" "$@")" | awk '{
    ca = $2 + $3; cb = $6 + $7
    printf "A wall %6.2f s cpu %6.2f s rss %4d MiB | B wall %6.2f s cpu %6.2f s rss %4d MiB | B/A cpu %.3f wall %.3f\n",
      $1, ca, $4 / 1024, $5, cb, $8 / 1024, cb / ca, $5 / $1 }' | tee -a "$out"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
echo "median B/A: cpu $(awk '{ print $(NF - 2) }' "$out" | median), wall $(awk '{ print $NF }' "$out" | median)"
