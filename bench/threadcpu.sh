#!/usr/bin/env bash
# CPU time per thread of one custody command, as the README's "where the time goes" gives it:
# runs the command, reads /proc/PID/task/*/stat of its JVM every 0.2 s until it exits, and prints the
# last reading summed by thread name (C2 CompilerThread, VM Thread = the serial GC, the command's own
# workers, main = java). Threads that end before the last reading (pool threads) are missed.
#
#   bench/threadcpu.sh ./custody verify --ledger bench/results/cli-data/ledger-100000-64/ledger --trust bench/results/cli-data/trust -q
set -euo pipefail
[ $# -gt 0 ] || { echo "threadcpu.sh: give the command to run" >&2; exit 2; }
last="$(mktemp)"
trap 'rm -f "$last"' EXIT
"$@" > /dev/null 2>&1 &
pid=$!
hz="$(getconf CLK_TCK)"
while kill -0 "$pid" 2> /dev/null; do
  jvm="$(pgrep -f 'custody.jar' | head -1 || true)"
  if [ -n "$jvm" ]; then
    now="$(for t in /proc/"$jvm"/task/*; do
      stat="$(cat "$t/stat" 2> /dev/null)" || continue
      name="$(cat "$t/comm" 2> /dev/null)" || continue
      set -- ${stat##*) }
      echo "$(( ${12} + ${13} )) $name"
    done)"
    [ -n "$now" ] && echo "$now" > "$last"
  fi
  sleep 0.2
done
awk -v hz="$hz" '{ t = $1; $1 = ""; sub(/[-0-9 ]+$/, "", $0); cpu[$0] += t; all += t }
  END { for (k in cpu) if (cpu[k] > 0) printf "%7.2f s %s\n", cpu[k] / hz, k; printf "%7.2f s TOTAL\n", all / hz }' "$last" | sort -rn
