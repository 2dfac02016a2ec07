#!/usr/bin/env bash
# custody scale benchmarks (DESIGN.md §8): builds the bench jar and runs them on this machine.
#
#   bench/run.sh [replay|append|all|hash|lineage|cli|bundle|pg|micro] [--entries N] [--seconds S] [options...]
#
#   replay   generate a realistic N-entry ledger (default 100000; generation not timed), warm up,
#            replay it twice with LedgerVerifier and report the 2nd run in entries/s beside
#            `openssl speed -seconds 3 ed25519` verify/s x cores (and `openssl speed -multi <cores>`),
#            measured in the same run; ratio target >= 0.7. Also peak heap (sampled) and a replay of
#            the same ledger in a child JVM with -Xmx256m (bounded-memory check).
#   append   durable appends/s with 1 and 16 threads (--threads 1,16), each calling the blocking
#            Ledger.append on its own chain for S seconds (default 8), beside the fsync latency
#            (4 KiB write + FileChannel.force, median / p99, 1/median = fsyncs/s) of the same
#            filesystem, measured in the same run; appends per fsync; ratio to 10,000/s. Also, from the
#            store's counters: appends each segment fsync carried, and where a commit's time went (lock
#            and catch-up, sequencing, segment write, segment fsync, acknowledgement, derived files,
#            checkpoints, waiting), CPU per append and JIT time. Warm-up: as long as one measured run.
#   lineage  generate a --entries N (default 100000) ledger on --chains C (default 1000) chains of ten
#            organisations living realistic model lives (datasets, training or fine-tunes of other chains'
#            releases, evaluations, quantization, releases, two approvals), verify it under a trust policy
#            with roles and six rules (warm JVM, 2nd run), and report the report's stage timings: replay
#            (signatures; beside openssl speed ed25519 x cores), lineage, policy; target: lineage + policy
#            < 20 % of the replay. Then the time of `custody lineage` of the newest release (< 1 s).
#   all      replay and append (default).
#   hash     generate a --total-gib G (default 4) model directory of 5 files, the largest 45 % (larger
#            than the 1,000,000,000-byte default shard size; --shard-size N), hash it with ModelHasher
#            (shards, --parallelism threads) in a child JVM (-Xmx256m): cold (our files evicted from the
#            page cache with dd iflag=nocache) and warm, beside openssl speed -evp sha256 -bytes 1048576
#            x threads, a direct-I/O dd read of the largest file, sha256sum and openssl dgst -sha256 over
#            the same files; peak RSS (VmHWM) of the hashing JVM. Needs G+1 GiB free in --dir.
#   cli      the CLI as users run it: `./custody verify` of a --entries N (default 100000) ledger, `custody log`
#            (and `log --json`) of it, `custody record --batch` of --batch-lines L1,L2 (default 10000,50000) lines
#            into a fresh ledger, `custody hash` of a --model-gib G (default 1) model on a warm page cache; each
#            in a fresh process through ./custody, --runs R times (default 3; medians, largest peak RSS), with
#            wall time, CPU time and peak RSS from /usr/bin/time, each run set against openssl speed ed25519 /
#            -evp sha256 x cores probed just before it (the host drifts), and the same work in the bench's
#            warmed-up JVM (verify, hash). Inputs are generated once into --dir/cli-data and reused.
#            --java-opts 'A|B' runs each command once per CUSTODY_JAVA_OPTS variant ('' = the launcher as it
#            is), the variants taking turns run by run; --only verify,log,batch,hash; --no-warm.
#   bundle   export and verify an evidence bundle of a --entries N (default 10000) lineage, each in a fresh
#            process through ./custody (--runs R, default 3; medians): bundle size, export time, verify time,
#            and the verify time's ratio to the signature-bound limit (N / openssl speed ed25519 verify/s x
#            cores), measured in the same run (bench/bundle.sh).
#   pg       durable appends/s on the PostgreSQL store with 1, 16 and 64 blocking appenders (--threads), p50/p99
#            latency, against a local server alone and then with a synchronous streaming standby; beside the
#            fsync latency of the same disk (same run) and the anchors' published figures (Tessera ~300/s on
#            MySQL, ~2,900/s on POSIX with 12 cores; Trillian on MySQL 400-500/s); target >= 5,000/s with 64.
#            Starts both servers itself from Debian's postgresql binaries (as the postgres user when root),
#            in a temporary directory under --dir, fsync on; --pg-url URL uses a running server instead
#            (its maintenance database; no standby phase unless --pg-standby).
#   micro    JMH micro-benchmarks (entry sign / parse / verify vs Bouncy Castle and JDK Ed25519);
#            further arguments go to JMH (e.g. `bench/run.sh micro -f 1 -wi 1 -i 2`, or
#            `bench/run.sh micro 'EntryCryptoBench.(bcVerify|entryVerifySignature)' -i 5`).
#
# Other options: --chains N, --keys N, --threads LIST, --parallelism N, --dir DIR (where ledgers
# and the fsync probe file go; default bench/results, i.e. the repository's disk), --profile
# (sample thread stacks and print where the time goes), --no-bounded-heap, --openssl PATH,
# --openssl-seconds S, --keep. JAVA_OPTS is passed to the JVM (e.g. JAVA_OPTS=-Xmx1g).
#
# Output: progress lines (# ...), a human table, and as the last line one JSON object. The whole
# output is also saved as bench/results/<mode>-<timestamp>.txt and the JSON line appended to
# bench/results/summary.jsonl (bench/results/ is gitignored).
#
# Absolute figures drift on shared machines: compare the ratios, run more than once, and look at
# the load average printed at the start and in the JSON (env.loadAverageBefore/After).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/custody-bench.jar"
results="$here/results"

if [[ ! -f "$jar" || -n "$(find "$root"/{core,attest,verify,postgresql,bench}/src "$root/pom.xml" "$here/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
  echo "# building $jar" >&2
  (cd "$root" && mvn -q -pl bench -am package -DskipTests) >&2
fi

mode="${1:-all}"
if [[ $# -gt 0 ]]; then shift; fi
mkdir -p "$results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

case "$mode" in
  bundle)
    out="$results/$mode-$stamp.txt"
    set +e
    "$here/bundle.sh" "$@" | tee "$out"
    rc=${PIPESTATUS[0]}
    set -e
    tail -n 1 "$out" | grep '^{' >> "$results/summary.jsonl" || true
    echo "# saved $out; JSON appended to $results/summary.jsonl" >&2
    exit "$rc"
    ;;
  micro)
    # A first argument that is not an option is a JMH benchmark regexp; otherwise run them all.
    if [[ $# -eq 0 || "$1" == -* ]]; then set -- EntryCryptoBench "$@"; fi
    # shellcheck disable=SC2086
    exec java ${JAVA_OPTS:-} -cp "$jar" org.openjdk.jmh.Main "$@"
    ;;
  replay|append|all|hash|lineage) ;;
  cli) set -- --custody "$root/custody" "$@" ;;
  pg) ;;
  -h|--help) exec java -jar "$jar" --help ;;
  *) echo "usage: bench/run.sh [replay|append|all|hash|lineage|cli|bundle|pg|micro] [--entries N] [--seconds S] [options]" >&2; exit 2 ;;
esac

has_dir=0
for a in "$@"; do [[ "$a" == --dir ]] && has_dir=1; done
extra=()
if [[ $has_dir -eq 0 ]]; then extra=(--dir "$results"); fi

pg_dir=""
stop_pg() {
  if [[ -n "$pg_dir" ]]; then
    for d in "$pg_dir/standby" "$pg_dir/primary"; do
      [[ -f "$d/postmaster.pid" ]] && as_pg "$pg_bin/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true
    done
    rm -rf "$pg_dir"
  fi
}
as_pg() { if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
if [[ "$mode" == pg ]] && ! printf '%s\n' "$@" | grep -qx -- --pg-url; then
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [[ -z "$pg_bin" ]]; then
    echo "bench pg: no PostgreSQL binaries; apt-get install -y postgresql, or give --pg-url" >&2; exit 2
  fi
  base_dir="$results"
  prev=""; for a in "$@"; do [[ "$prev" == --dir ]] && base_dir="$a"; prev="$a"; done
  mkdir -p "$base_dir"
  pg_dir="$(mktemp -d "$(cd "$base_dir" && pwd)/pg-XXXXXX")"
  trap stop_pg EXIT
  chmod 755 "$pg_dir"
  [[ "$(id -u)" -eq 0 ]] && chown postgres:postgres "$pg_dir"
  p1="$(free_port)"; p2="$(free_port)"
  echo "# starting PostgreSQL ($pg_bin) primary on $p1 and synchronous standby on $p2 in $pg_dir" >&2
  as_pg "$pg_bin/initdb" -D "$pg_dir/primary" -U custody --auth=trust -E UTF8 --no-instructions >/dev/null
  printf '%s\n' "port = $p1" "listen_addresses = '127.0.0.1'" "unix_socket_directories = '$pg_dir/primary'" \
    "fsync = on" "synchronous_commit = on" "wal_level = replica" "max_wal_senders = 4" "max_connections = 300" \
    "shared_buffers = 128MB" | as_pg tee -a "$pg_dir/primary/postgresql.auto.conf" >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/primary" -l "$pg_dir/primary/server.log" -w start >/dev/null
  as_pg "$pg_bin/pg_basebackup" -D "$pg_dir/standby" -R -X stream -c fast \
    -d "host=127.0.0.1 port=$p1 user=custody application_name=standby"
  printf '%s\n' "port = $p2" "unix_socket_directories = '$pg_dir/standby'" \
    | as_pg tee -a "$pg_dir/standby/postgresql.auto.conf" >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/standby" -l "$pg_dir/standby/server.log" -w start >/dev/null
  set -- --pg-url "postgresql://custody@127.0.0.1:$p1/postgres" --pg-standby "$@"
fi

out="$results/$mode-$stamp.txt"
set +e
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -jar "$jar" "$mode" "${extra[@]}" "$@" | tee "$out"
rc=${PIPESTATUS[0]}
set -e
tail -n 1 "$out" | grep '^{' >> "$results/summary.jsonl" || true
echo "# saved $out; JSON appended to $results/summary.jsonl" >&2
exit "$rc"
