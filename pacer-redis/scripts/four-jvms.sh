#!/usr/bin/env bash
# Four JVMs, each running `pacer run` on its own quarter of one job, against one simulator,
# sharing the simulator's limits through one Redis (`pacer run --redis URL`). Prints each
# part's summary, the simulator's 429 count and E for the four together (a benchmark figure for
# docs/benchmarks.md, "Redis store"; not a test). Needs `pacer run --redis` wired (see
# docs/distributed.md, "pacer run").
#
# Usage: pacer-redis/scripts/four-jvms.sh [requests, default 400]
# Environment: OUTAGE=AT:FOR kills redis-server AT seconds after the jobs start and starts it
# again (empty) FOR seconds later, e.g. OUTAGE=25:5. STATIC=1 runs the baseline instead: no Redis,
# each JVM told a quarter of the limits (--rpm RPM/4). KEEP=1 keeps the logs and results. RPM (default 60) per WINDOW (default 6s): 10 requests a second by default, which
# a two-core machine running four JVMs and the simulator can keep up with.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
n="${1:-400}"
rpm="${RPM:-60}"
window="${WINDOW:-6s}"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${failed:-0}" = 0 ] && [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "logs kept in $work" >&2; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Build once, so the four JVMs start at once.
"$root/pacer" --help >/dev/null

redis_port="$(free_port)"
start_redis() {
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --loglevel warning \
    >>"$work/redis.log" 2>&1 &
  redis_pid=$!
  pids+=("$redis_pid")
}
start_redis
sim_port="$(free_port)"
"$root/pacer" simulate --port "$sim_port" --rpm "$rpm" --itpm 10000000 --otpm 10000000 --window "$window" \
  --latency 300ms+2000tok/s --output-tokens 20-60 >"$work/sim.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$sim_port/_sim/stats" >/dev/null 2>&1 && break
  sleep 0.2
done

# One job of n short prompts, in four parts (each JVM its own custom_ids).
for part in 0 1 2 3; do : >"$work/part-$part.jsonl"; done
for i in $(seq 0 $((n - 1))); do
  echo "{\"custom_id\":\"q$i\",\"prompt\":\"Say hello number $i\",\"model\":\"claude-haiku-4-5\",\"max_tokens\":64}" \
    >>"$work/part-$((i % 4)).jsonl"
done

start=$(date +%s.%N)
runs=()
if [ -n "${STATIC:-}" ]; then
  sharing=(--rpm "$((rpm / 4))" --itpm 2500000 --otpm 2500000)
else
  sharing=(--redis "redis://127.0.0.1:$redis_port/0" --rpm "$rpm" --itpm 10000000 --otpm 10000000)
fi
for part in 0 1 2 3; do
  ( "$root/pacer" run "$work/part-$part.jsonl" --base-url "http://127.0.0.1:$sim_port" \
      "${sharing[@]}" --window "$window" \
      --progress none --summary-json "$work/part-$part.summary.json" -o "$work/part-$part.results.jsonl" \
      >"$work/part-$part.log" 2>&1; rc=$?; date +%s.%N >"$work/part-$part.end"; exit $rc ) &
  runs+=("$!")
done
if [ -n "${OUTAGE:-}" ]; then
  sleep "${OUTAGE%%:*}"
  kill -9 "$redis_pid"
  echo "redis-server killed at ${OUTAGE%%:*} s" >&2
  sleep "${OUTAGE##*:}"
  start_redis
  echo "redis-server started again, empty, ${OUTAGE##*:} s later" >&2
fi
failed=0
for pid in "${runs[@]}"; do wait "$pid" || failed=1; done
[ "$failed" = 0 ] || tail -n 5 "$work"/part-*.log >&2
end=$(date +%s.%N)

curl -fs "http://127.0.0.1:$sim_port/_sim/stats?records=all" >"$work/stats.json"
python3 - "$work" "$n" "$rpm" "$window" "$start" "$end" <<'PY'
import json, re, sys, glob
work, n, rpm, window, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5]), float(sys.argv[6])
w = float(re.match(r'([\d.]+)', window).group(1)) * (60 if window.endswith('m') else 1)
stats = json.load(open(f"{work}/stats.json"))
def find(d, *names):
    if isinstance(d, dict):
        for k, v in d.items():
            if k in names and isinstance(v, (int, float)):
                return v
            r = find(v, *names)
            if r is not None:
                return r
    return None
limited = find(stats, "rateLimited", "rate_limited")
ok = 0
for f in glob.glob(f"{work}/part-*.results.jsonl"):
    ok += sum(1 for line in open(f) if '"succeeded"' in line)
# The four jobs together, JVM starts left out: from the first job's start (its end less its
# elapsed_s) to the last job's end.
starts, ends = [], []
for part in range(4):
    try:
        summary = json.load(open(f"{work}/part-{part}.summary.json"))
        e = float(open(f"{work}/part-{part}.end").read())
        ends.append(e)
        starts.append(e - summary["elapsed_s"])
    except (OSError, KeyError, ValueError):
        pass
T = (max(ends) - min(starts)) if ends else end - start
# What the server saw: from the first admission to the last, plus one request's latency.
from datetime import datetime
times = sorted(datetime.fromisoformat(r["time"][:26].replace("Z", "") + "+00:00").timestamp()
               for r in stats.get("records", []) if r.get("status") == 200)
span = times[-1] - times[0] + 0.3 if times else float("nan")
rate = rpm / w
# The simulator's burst is the whole window (C = L): the least possible time is (N - L) / rate + latency.
t_lb = max(0.0, (n - rpm) / rate) + 0.3
print(f"requests {n}, succeeded {ok}, 429s at the simulator {limited}, "
      f"jobs together {T:.1f} s (wall time with JVM starts {end - start:.1f} s)")
print(f"T_lb {t_lb:.1f} s; at the server (first to last admission + latency) {span:.1f} s, E = {t_lb / span:.3f}; "
      f"jobs together (runner start-up included) E = {t_lb / T:.3f}")
PY
exit $failed
