#!/usr/bin/env python3
"""Reference figures from pm4py for the event logs in ../shared/data, written as JSON for the
import tests (crates/server/tests/fixtures/pm4py/). Run with pm4py installed from PyPI:

    python3 scripts/pm4py_reference.py ../shared/data crates/server/tests/fixtures/pm4py

With --check, compares against the files already there instead of writing them
(scripts/test.sh does, so CI does).
"""
import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")
import numpy  # noqa: E402
import pm4py  # noqa: E402


def figures(path):
    return measures(pm4py.read_xes(path))


def measures(log):
    """The figures the import tests compare, from a log pm4py has read."""
    log = log.sort_values(["case:concept:name", "time:timestamp"], kind="stable")
    durations = sorted(pm4py.get_all_case_durations(log))
    variants = pm4py.get_variants(log)
    dfg, starts, ends = pm4py.discover_dfg(log)
    # Completion to completion (pm4py's default, before any start timestamp exists).
    perf, _, _ = pm4py.discover_performance_dfg(log)
    # A lone completion starts when the previous event of its case ended (first: itself).
    log["start_timestamp"] = (
        log.groupby("case:concept:name")["time:timestamp"].shift(1).fillna(log["time:timestamp"])
    )
    service = pm4py.get_service_time(log, start_timestamp_key="start_timestamp", aggregation_measure="mean")
    first = log.groupby("case:concept:name")["time:timestamp"].min()
    per_day = first.dt.date.value_counts()
    return {
        "pm4py_version": pm4py.__version__,
        "cases": int(log["case:concept:name"].nunique()),
        "events": int(len(log)),
        "case_duration_mean": sum(durations) / len(durations),
        "case_duration_median": float(numpy.median(durations)),
        "variants": {" > ".join(k): int(v) for k, v in variants.items()},
        "dfg": {f"{a} > {b}": int(n) for (a, b), n in dfg.items()},
        "dfg_mean_seconds": {f"{a} > {b}": float(v["mean"]) for (a, b), v in perf.items()},
        "start_activities": {k: int(v) for k, v in starts.items()},
        "end_activities": {k: int(v) for k, v in ends.items()},
        "service_time_mean_seconds": {k: float(v) for k, v in service.items()},
        "cases_per_day": {str(d): int(n) for d, n in sorted(per_day.items())},
    }


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    check = "--check" in sys.argv
    data, out = args
    failed = False
    for name in ["running-example.xes", "helpdesk.xes.gz"]:
        got = figures(os.path.join(data, name))
        target = os.path.join(out, name.split(".")[0] + ".json")
        if check:
            with open(target) as f:
                want = json.load(f)
            got.pop("pm4py_version")
            want.pop("pm4py_version", None)
            if json.loads(json.dumps(got)) != want:
                print(f"{target}: pm4py now gives other figures", file=sys.stderr)
                failed = True
            else:
                print(f"{target}: pm4py agrees")
        else:
            with open(target, "w") as f:
                json.dump(got, f, indent=1, sort_keys=True)
                f.write("\n")
            print(f"wrote {target}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
