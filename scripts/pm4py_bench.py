#!/usr/bin/env python3
"""Times pm4py on an event log, for the analytics benchmark (crates/server/benches/analytics.rs):
reading the XES file, then the measures the import tests compare (pm4py_reference.measures:
case durations, variants, the frequency and performance directly-follows graphs, service times,
cases per day). Prints one JSON line: {"read_seconds", "measures_seconds", "events", "cases",
"case_duration_mean", "case_duration_median", "variants"} (the last three to compare figures).

    target/pm4py-venv/bin/python scripts/pm4py_bench.py LOG.xes
"""
import json
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pm4py  # noqa: E402
from pm4py_reference import measures  # noqa: E402


def main():
    path = sys.argv[1]
    t0 = time.perf_counter()
    log = pm4py.read_xes(path)
    t1 = time.perf_counter()
    got = measures(log)
    t2 = time.perf_counter()
    print(json.dumps({"read_seconds": t1 - t0, "measures_seconds": t2 - t1,
                      "events": got["events"], "cases": got["cases"],
                      "case_duration_mean": got["case_duration_mean"],
                      "case_duration_median": got["case_duration_median"],
                      "variants": len(got["variants"])}))


if __name__ == "__main__":
    main()
