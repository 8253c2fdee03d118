"""Cost of one E5 embedding call (the event typer's lead vectors): alone, in a process that
has also loaded PyTorch's OpenMP runtime (as spaCy's thinc does when torch is installed), and
the same with OMP_NUM_THREADS=1, which the `corrobora` command sets by default.

    .venv/bin/python benchmarks/e5_call.py [--calls 20] [--repeats 3]

Each case runs in fresh interpreters; prints the median milliseconds per call of each run.
Without torch installed only the first case runs. The slow mode shows on a busy machine
(both cores taken by other jobs) and not in every run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys

LEAD = ("Israeli soldiers arrested more than 100 Palestinians on Saturday in a security sweep "
        "of the Hebron area of the occupied West Bank, military sources said.")

_CASE = """
import statistics, sys, time
if {torch}:
    import torch  # noqa: F401  (loads libgomp from torch/lib)
from corrobora.text.embedding import e5_embedder
e5 = e5_embedder()
e5.embed(["warm up"], max_words=32)
times = []
for _ in range({calls}):
    t = time.perf_counter()
    e5.embed([{lead!r}], max_words=32)
    times.append(time.perf_counter() - t)
print(statistics.median(times) * 1000)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    cases = {"alone": (False, None)}
    if importlib.util.find_spec("torch") is not None:
        cases["torch loaded"] = (True, None)
        cases["torch loaded, OMP_NUM_THREADS=1"] = (True, "1")
    out: dict[str, list[float]] = {}
    for name, (torch, omp) in cases.items():
        env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
        if omp:
            env["OMP_NUM_THREADS"] = omp
        code = _CASE.format(torch=torch, calls=args.calls, lead=LEAD)
        out[name] = [round(float(subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True,
            env=env).stdout.split()[-1]), 1) for _ in range(args.repeats)]
        print(f"{name:34} " + "  ".join(f"{ms:7.1f}" for ms in out[name]) + "  ms per call")
    print(json.dumps({"ms_per_call": out, "calls": args.calls}))


if __name__ == "__main__":
    main()
