"""Per-document cost on adversarial inputs (issue 18): each input at a few sizes, timed
through the whole extractor, with the time ratio per doubling of size (linear is about 2x,
quadratic about 4x).

    .venv/bin/python benchmarks/hostile_speed.py [CASE ...] [--sizes small|large]
        [--profile CASE:SIZE]

Cases: equals (a run of "=" with no space), punct (mixed punctuation runs), numbers
(space-separated numbers in one sentence), markdown (nested lists and quotes, runs of
*, _ and [, a wide table), prose (ordinary news sentences, the baseline), names (a long list
of names in one sentence). `--sizes small` uses sizes the quadratic code of before the fix
finishes in minutes; run it in an older checkout with PYTHONPATH=<worktree>/src to compare.
`--profile` prints the top of a cProfile of one case at one size instead of the table.
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import platform
import pstats
import time
from collections.abc import Callable

from corrobora.extractor import Extractor
from corrobora.model import Document
from corrobora.sources.plaintext import read_text

PROSE = ("Gunmen killed three police officers in Culiacán, Sinaloa, on Tuesday, the state "
         "prosecutor said. ")


def _equals(n: int) -> str:
    return "Police said. " + "=" * n + " The end."


def _punct(n: int) -> str:
    return "Police said. " + ("*_[(!?]=)-" * (n // 10 + 1))[:n] + " The end."


def _numbers(n: int) -> str:
    return "Gunmen killed " + " ".join(str(i % 997) for i in range(n)) + " people."


def _names(n: int) -> str:
    first = ["Juan", "María", "Pedro", "Ana", "Luis", "Rosa", "Jorge", "Elena"]
    last = ["Pérez", "López", "García", "Hernández", "Martínez", "Ramírez", "Torres"]
    names = [f"{first[i % 8]} {last[i % 7]}" for i in range(n)]
    return "Soldiers arrested " + ", ".join(names) + " in Culiacán."


def _prose(n: int) -> str:
    return ((PROSE * 6).strip() + "\n\n") * n


def _markdown(n: int) -> str:
    depth = "\n".join("  " * (i % 60) + "- item" for i in range(n)) + "\n\n"
    quotes = "\n".join(">" * (i % 60) + " quote" for i in range(n)) + "\n\n"
    runs = "\n\n".join(("*" * (5 * n), "_" * (5 * n), "[" * (5 * n), " _a" * n, "![" * n,
                        "](" + "[" * n, "**a" * n)) + "\n\n"
    table = "| a " * 20 + "|\n" + "|---" * 20 + "|\n" + ("| 1 " * 20 + "|\n") * n
    return "# Title\n\nGunmen killed three people.\n\n" + depth + quotes + runs + table


# name: (text for a size, sizes before the fix can finish, sizes for the table, markdown)
CASES: dict[str, tuple[Callable[[int], str], list[int], list[int], bool]] = {
    "equals": (_equals, [1_000, 2_000, 4_000], [10_000, 30_000, 100_000], False),
    "punct": (_punct, [1_000, 2_000, 4_000], [10_000, 30_000, 100_000], False),
    "numbers": (_numbers, [1_000, 2_000, 4_000], [10_000, 32_000, 100_000], False),
    "names": (_names, [500, 1_000, 2_000], [2_000, 4_000, 8_000], False),
    "markdown": (_markdown, [250, 500, 1_000], [500, 1_000, 2_000], True),
    "prose": (_prose, [10, 20, 40], [50, 100, 200], False),
}


def _run(extractor: Extractor, case: str, size: int) -> tuple[int, float]:
    make, _, _, markdown = CASES[case]
    text = make(size)
    t0 = time.perf_counter()
    if markdown:
        doc = read_text(text, "bench.md", markdown=True)
        doc.lang = "en"
    else:
        doc = Document(text=text, origin="bench", lang="en")
    extractor.extract(doc)
    return len(text), time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help=f"any of {', '.join(CASES)} (default: all)")
    ap.add_argument("--sizes", choices=("small", "large"), default="large")
    ap.add_argument("--profile", metavar="CASE:SIZE")
    args = ap.parse_args()
    extractor = Extractor()
    extractor.extract(Document(text=PROSE, origin="bench", lang="en"))  # load before timing
    if args.profile:
        case, size = args.profile.split(":")
        prof = cProfile.Profile()
        prof.runcall(_run, extractor, case, int(size))
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        return
    print(f"# {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{'case':10} {'size':>8} {'chars':>9} {'seconds':>8} {'x per doubling':>15}")
    for case in args.cases or CASES:
        _, small, large, _ = CASES[case]
        prev: tuple[int, float] | None = None
        for size in small if args.sizes == "small" else large:
            chars, secs = _run(extractor, case, size)
            ratio = ""
            if prev is not None and prev[1] > 0:
                # time ratio scaled to one doubling of the input
                ratio = f"{(secs / prev[1]) ** (1 / math.log2(chars / prev[0])):.2f}"
            print(f"{case:10} {size:>8} {chars:>9} {secs:>8.2f} {ratio:>15}", flush=True)
            prev = (chars, secs)


if __name__ == "__main__":
    main()
