"""Documents per second of the per-document stage, side by side on the same news-stream texts:
the bare spaCy small pipeline of the language, `corrobora extract` in one process, on a pool
of workers, on Spark local[2], and `corrobora ingest` with 1 and N workers. Peak memory of the
whole process tree (parent, fork server, workers, Spark's JVM and Python workers), sampled, as
RSS summed (pages shared by workers counted in each) and as PSS (each shared page divided
among the processes that share it: what the tree really costs).

    .venv/bin/python benchmarks/throughput.py -n 100                      # all modes
    .venv/bin/python benchmarks/throughput.py -n 1000 --modes single pool # a memory series
    .venv/bin/python benchmarks/throughput.py -n 56 --corpus communiques  # Spanish

Each mode runs as its own command, models loaded in it: times include start-up (loading the
models, starting workers or Spark), which weighs on small N; ratios to `bare` are printed,
of wall time and of CPU time (user + system of the whole tree, sampled with the memory):
on cores shared with other work, the CPU ratio is the steadier measure of what a mode costs.
One JSON line per mode, then a table. The texts are the first N documents of the archive,
written as JSONL (ids n00000...) into --work; with `--corpus communiques`, the 14 SEDENA
development communiqués (Spanish) repeated to N, each copy with its own id and URL.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

SHARED = Path(os.environ.get("CORROBORA_SHARED", Path(__file__).resolve().parents[2] / "shared"))
ARCHIVE = SHARED / "data/news-stream/news_2024-07-16_to_2024-08-01.tar.gz"
COMMUNIQUES = SHARED / "data/mexico/sedena-dev/sedena.dev.input.jsonl"
MODES = ("bare", "single", "pool", "spark", "ingest1", "ingestN")

BARE = r"""
import sys, json, spacy, warnings
from corrobora.extract.nlp import MODELS
warnings.filterwarnings("ignore", message=r"\[W095\]")
nlp = spacy.load(MODELS[sys.argv[2]])
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
n = sum(1 for _ in nlp.pipe(texts, batch_size=16))
print(n)
"""


def write_docs(n: int, path: Path) -> int:
    from corrobora.model import Document
    from corrobora.sources import read_paths

    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for item in read_paths([str(ARCHIVE)]):
            if not isinstance(item, Document):
                continue
            fh.write(json.dumps({
                "id": f"n{count:05d}", "text": item.text, "title": item.title,
                "published_at": item.published_at.isoformat() if item.published_at else None,
                "source": item.source, "url": item.url}, ensure_ascii=False) + "\n")
            count += 1
            if count >= n:
                break
    return count


def write_communiques(n: int, path: Path) -> int:
    rows = [json.loads(line) for line in COMMUNIQUES.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            row = dict(rows[i % len(rows)], id=f"c{i:05d}", lang="es",
                       url=f"https://example.org/comunicado/{i}")
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return n


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree_rss(root: int, cpu: dict[int, int] | None = None) -> tuple[int, int]:
    """Resident bytes (RSS summed, PSS summed) of a process and all its descendants; `cpu`
    gets each one's CPU clock ticks so far (user + system)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            ticks[int(entry)] = int(fields[11]) + int(fields[12])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    if cpu is not None:
        for pid in tree & ticks.keys():
            cpu[pid] = max(cpu.get(pid, 0), ticks[pid])
    return sum(rss.get(p, 0) for p in tree), sum(_pss(p) for p in tree)


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds (user + system, the whole process tree: what the command
    costs whatever else shares the cores) and peak resident bytes (RSS, PSS)."""
    peak = peak_pss = 0
    ticks: dict[int, int] = {}  # sampled: the fork server's workers are not our children
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.wait(0.25):
            rss, pss = _tree_rss(proc.pid, ticks)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    # Sampled, so each process's last quarter second is not counted.
    cpu = sum(ticks.values()) / os.sysconf("SC_CLK_TCK")
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr.decode()[-2000:]}")
    return elapsed, cpu, peak, peak_pss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100, help="documents")
    ap.add_argument("--workers", type=int, default=2, help="pool and ingestN workers")
    ap.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    ap.add_argument("--work", default="out/throughput")
    ap.add_argument("--corpus", choices=("news", "communiques"), default="news")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.corpus == "news":
        docs, lang = work / f"news{args.n}.jsonl", "en"
        n = write_docs(args.n, docs)
    else:
        docs, lang = work / f"communiques{args.n}.jsonl", "es"
        n = write_communiques(args.n, docs)
    chars = sum(len(json.loads(line)["text"]) for line in docs.open(encoding="utf-8"))
    # Spark's unit of work is a file: the same documents cut into 4 files per worker.
    parts = work / f"{docs.stem}-parts"
    shutil.rmtree(parts, ignore_errors=True)
    parts.mkdir()
    lines = docs.read_text(encoding="utf-8").splitlines(keepends=True)
    k = 4 * args.workers
    for i in range(k):
        part = lines[i * len(lines) // k:(i + 1) * len(lines) // k]
        (parts / f"part-{i:03d}.jsonl").write_text("".join(part), encoding="utf-8")
    py = sys.executable
    cli = [py, "-m", "corrobora.cli"]
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=py,
               PYSPARK_DRIVER_PYTHON=py)
    w = str(args.workers)
    commands = {
        "bare": [py, "-c", BARE, str(docs), lang],
        "single": [*cli, "extract", str(docs), "-o", str(work / "single.jsonl"),
                   "--workers", "1"],
        "pool": [*cli, "extract", str(docs), "-o", str(work / "pool.jsonl"), "--workers", w],
        "spark": [*cli, "spark", "extract", str(parts), "-o", str(work / "spark-records"),
                  "--master", f"local[{w}]", "--partitions", str(4 * args.workers)],
        "ingest1": [*cli, "ingest", str(docs), "--db", str(work / "i1.duckdb"), "-q",
                    "--workers", "1"],
        "ingestN": [*cli, "ingest", str(docs), "--db", str(work / "iN.duckdb"), "-q",
                    "--workers", w],
    }
    results = {}
    for mode in args.modes:
        for stale in ("spark-records", "i1.duckdb", "iN.duckdb"):
            target = work / stale
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
        elapsed, cpu, peak, peak_pss = run(commands[mode], env)
        results[mode] = {"mode": mode, "corpus": args.corpus, "docs": n,
                         "seconds": round(elapsed, 1), "cpu_seconds": round(cpu, 1),
                         "docs_per_s": round(n / elapsed, 2),
                         "kchars_per_s": round(chars / elapsed / 1000, 1),
                         "peak_rss_mib": round(peak / 2**20),
                         "peak_pss_mib": round(peak_pss / 2**20)}
        print(json.dumps(results[mode]), flush=True)
    same = None
    if {"single", "pool"} <= results.keys():
        same = (work / "single.jsonl").read_bytes() == (work / "pool.jsonl").read_bytes()
    base = results.get("bare", {}).get("seconds")
    base_cpu = results.get("bare", {}).get("cpu_seconds")
    print(f"\n{n} documents · {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end"
          + (f" · pool output identical to single: {same}" if same is not None else ""))
    print("| mode | docs/s | k chars/s | time vs bare | CPU s | CPU vs bare | peak RSS MiB "
          "| peak PSS MiB |\n|---|---|---|---|---|---|---|---|")
    for r in results.values():
        ratio = f"{r['seconds'] / base:.2f}×" if base else "-"
        cpu_ratio = f"{r['cpu_seconds'] / base_cpu:.2f}×" if base_cpu else "-"
        print(f"| {r['mode']} | {r['docs_per_s']} | {r['kchars_per_s']} | {ratio} | "
              f"{r['cpu_seconds']} | {cpu_ratio} | {r['peak_rss_mib']} | {r['peak_pss_mib']} |")


if __name__ == "__main__":
    main()
