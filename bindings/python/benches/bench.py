"""Benchmark of the Python package (not a test): run it by hand.

    target/py-venv/bin/python bindings/python/benches/bench.py [--n 100000] [--repeat 5] [--run-repeat 1]

1. ``payrules.run`` on N worker-months (a dict in memory → response dict
   with Decimal amounts) against the ``payrules run`` CLI on the same JSON
   (file in → file out), both measured here; reports the ratio.
2. ``payrules.monthly`` (the typed batch) throughput in worker-months per
   second, from dicts and from ``payrules.Worker`` objects.

The population is ``payrules.synth.monthly_request``, a mirror of the Rust
``src/synth.rs``. The CLI is ``target/release/payrules`` of this repository
(built with ``cargo build --release --bin payrules`` if missing).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import payrules
from payrules.synth import monthly_request

ROOT = Path(__file__).resolve().parents[3]


def best(fn, repeat):
    """Best wall-clock time of ``repeat`` runs."""
    return best2(fn, repeat)[0]


def best2(fn, repeat):
    """Best wall-clock and best CPU time (this process) of ``repeat`` runs;
    on a shared machine the CPU time is the steadier of the two. The result
    of ``fn`` is freed after the clocks stop: freeing a run's response
    (millions of objects) is not part of making it."""
    wall, cpu = [], []
    for _ in range(repeat):
        c = time.process_time()
        t = time.perf_counter()
        result = fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        del result
    return min(wall), min(cpu)


def best_child(fn, repeat):
    """Best wall-clock and best CPU time (user + system, of the child
    processes ``fn`` runs) of ``repeat`` runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t)
        r2 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(r2.ru_utime - r.ru_utime + r2.ru_stime - r.ru_stime)
    return min(wall), min(cpu)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5, help="best of, for monthly")
    ap.add_argument("--run-repeat", type=int, default=1, help="best of, for run and the CLI (slow)")
    ap.add_argument("--monthly-only", action="store_true", help="skip payrules.run and the CLI")
    args = ap.parse_args()
    n = args.n
    req = monthly_request(n, "2026-11")
    if args.monthly_only:
        return monthly(req, n, args.repeat, payrules.run(req)["totals"]["gross"])
    cli = ROOT / "target" / "release" / "payrules"
    if not cli.exists():
        subprocess.run(["cargo", "build", "--release", "--bin", "payrules"], cwd=ROOT, check=True)

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "request.json")
        out = os.path.join(tmp, "response.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(req, f, ensure_ascii=False)
        t_cli, c_cli = best_child(lambda: subprocess.run([str(cli), "run", path, "--output", out], check=True), args.run_repeat)
        with open(out, "rb") as f:
            cli_bytes = f.read()
        # The reference: the CLI's document parsed whole (json.loads with the
        # amount hook), not by run()'s shortcut for shared lines.
        want = payrules._run.parse_response(cli_bytes.decode("utf-8"))
        t_run, c_run = best2(lambda: payrules.run(req), args.run_repeat)
        got = payrules.run(req)
        assert got == want, "payrules.run and the CLI disagree"
        # Where the time goes: the three steps of run(), timed alone.
        t_enc = best(lambda: payrules._run.request_json(req), args.repeat)
        body = payrules._run.request_json(req)
        t_c = best(lambda: payrules._run.run_bytes(body), args.run_repeat)
        t_dec = best(lambda: payrules._run.parse_response(cli_bytes), args.repeat)

    print(f"payrules.run, {n:,} worker-months (best of {args.run_repeat}; wall clock, and CPU time):")
    print(f"  CLI  payrules run FILE --output FILE : {t_cli:.3f} s   CPU {c_cli:.3f} s")
    print(f"  payrules.run(dict) -> dict           : {t_run:.3f} s   CPU {c_run:.3f} s")
    print(f"    ratio to the CLI                   : {t_run / t_cli:.2f}x wall, {c_run / c_cli:.2f}x CPU")
    print(f"    request to JSON (floats refused)   : {t_enc:.3f} s")
    print(f"    payrules_run_json (C ABI)          : {t_c:.3f} s")
    print(f"    response JSON -> dict of Decimals  : {t_dec:.3f} s")

    total = got["totals"]["gross"]
    # Drop the responses (millions of objects) so that they do not weigh on
    # the garbage collector while monthly() is timed.
    got = want = cli_bytes = None
    gc.collect()
    return monthly(req, n, args.repeat, total)


def monthly(req, n, repeat, total) -> int:
    workers, assessments = req["workers"], req["assessments"]
    grades = {a["worker_id"]: a["grade"] for a in assessments}
    slips = payrules.monthly(workers, grades, "2026-11")
    assert len(slips) == n and sum(s.gross for s in slips) == total
    del slips
    policy = payrules.Policy.builtin()
    cases = [
        ("dicts, grades {id: grade}", lambda: payrules.monthly(workers, grades, "2026-11", policy=policy)),
        ("dicts, assessment records", lambda: payrules.monthly(workers, assessments, "2026-11", policy=policy)),
    ]
    print(f"payrules.monthly, {n:,} worker-months (best of {repeat}; wall clock, and CPU time of this process):")
    for label, fn in cases:
        wall, cpu = best2(fn, repeat)
        print(f"  {label:28s}: {wall:.3f} s = {n / wall:,.0f}/s wall, {n / cpu:,.0f}/s CPU")
    # Worker objects: made here so they weigh on the collector in this case only.
    objs = [payrules.Worker(**w) for w in workers]
    wall, cpu = best2(lambda: payrules.monthly(objs, grades, "2026-11", policy=policy), repeat)
    print(f"  {'payrules.Worker objects':28s}: {wall:.3f} s = {n / wall:,.0f}/s wall, {n / cpu:,.0f}/s CPU")
    objs = None
    gc.collect()
    # For context: the share of Python's cyclic garbage collector, which
    # runs while the 100,000 Payslip objects are made (the library leaves
    # the collector alone; a caller may pause it around big batches).
    gc.disable()
    try:
        wall, cpu = best2(cases[0][1], repeat)
    finally:
        gc.enable()
    print(f"  {cases[0][0] + ', gc paused':28s}: {wall:.3f} s = {n / wall:,.0f}/s wall, {n / cpu:,.0f}/s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
