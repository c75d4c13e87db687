"""Run one of the book's precomputed studies and store it: ``python scripts/run_study.py NAME``.

Writes ``book/results/NAME.json`` (see ``gancore.studies``). ``--list`` shows the studies with
their size. Run it on an otherwise idle machine: the stored wall time is part of the record.
"""

from __future__ import annotations

import argparse
import sys

import gancore as gc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="studies to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the studies and exit")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--rehash",
        action="store_true",
        help="keep the stored runs after checking that the code reproduces their first checkpoint "
        "(when only the study's description changed)",
    )
    args = parser.parse_args(argv)
    if args.list or not args.names:
        for name, study in gc.studies.STUDIES.items():
            runs = len(study.variants) * len(study.seeds)
            print(f"{name}: {runs} runs x {study.steps} steps, fingerprint {study.fingerprint()}")
            print(f"    {study.description}")
        return 0
    for name in args.names:
        if args.rehash:
            path = gc.studies.rehash(name, progress=True)
        else:
            path = gc.studies.run_study(name, workers=args.workers)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
