"""Time importing all five of the owner's notes files into a fresh SQLite store.

Runs `lamplight import` in a fresh process, so the dictionary load and schema creation count.
Target: ≤ 2 s on this machine. The baseline is the same process doing nothing but start up and
import the application's modules, measured in the same run.

    python bench/import_seeds.py [SEEDS_DIR]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 2.0
RUNS = 3


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    seeds = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "seeds"
    files = sorted(str(p) for p in seeds.glob("*.txt"))
    if not files:
        raise SystemExit(f"no seeds at {seeds}")
    baseline, imports = [], []
    summary = ""
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as data:
            env = {**os.environ, "LAMPLIGHT_DATA_DIR": data}
            env.pop("DATABASE_URL", None)
            baseline.append(timed([sys.executable, "-c", "import bot.cli.app"], env)[0])
            seconds, summary = timed(
                [sys.executable, "-m", "jobs", "import", "--json", *files], env
            )
            imports.append(seconds)
    took, base = statistics.median(imports), statistics.median(baseline)
    verdict = "met" if took <= TARGET_S else "MISSED"
    print(f"import of {len(files)} seed files into a new SQLite store: {took:.2f} s")
    print(f"  (median of {RUNS} runs; each in a fresh process and a fresh store)")
    print(f"baseline, start-up and module import only: {base:.2f} s ({took / base:.1f}x)")
    print(f"target <= {TARGET_S:.1f} s: {verdict} ({took / TARGET_S:.2f} of the target)")
    print(f"summary: {json.dumps(json.loads(summary), ensure_ascii=False)}")


if __name__ == "__main__":
    main()
