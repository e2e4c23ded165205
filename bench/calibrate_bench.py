"""Calibration speed and the backtest bar, on the shared Anonymous Bank logs.

Timing (best of ``--repeat``): merely parsing a month (``csv.reader`` over the lines: the
reference), reading it with every row checked (``read_logs``), fitting everything
(``calibrate``) and tuning the availability scale by simulation (``tune_availability``), with
ratios against the parse.

The bar (issue 9): calibrate on January, backtest February; the calibrated simulation against
the two baselines (Erlang A with agents = head count present; with head count x one factor fitted
on January) on hourly abandonment error (call-weighted), abandonment error pooled by day, and
service-level error; and how close each comes to the noise floor (what a perfect model would
still miss on one real day, estimated from the simulation's own replications).

Usage: ``python bench/calibrate_bench.py [--repeat 3] [--replications 20] [--data DIR]``
(``DIR`` defaults to ``../shared/data/anonymous-bank-1999`` beside the repository, or
``$CALLSIM_BANK_DATA``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from pathlib import Path

from calibrate.calibration import Settings, calibrate
from calibrate.logs import ANONYMOUS_BANK, read_logs
from plan.backtest import METHODS, Learned, backtest, tune_availability
from report.formats import jsonable

DEFAULT_DATA = Path(os.environ.get("CALLSIM_BANK_DATA") or (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "anonymous-bank-1999"))


def best_of(repeat: int, func):
    times, value = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        value = func()
        times.append(time.perf_counter() - t)
    return min(times), value


def parse_only(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f, delimiter="\t"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    jan, feb = args.data / "january.txt", args.data / "february.txt"

    t_parse, rows = best_of(args.repeat, lambda: parse_only(jan))
    t_read, log = best_of(args.repeat, lambda: read_logs([jan], ANONYMOUS_BANK))
    t_fit, cal = best_of(args.repeat, lambda: calibrate(log, Settings()))
    learned = Learned.from_document(jsonable(cal.to_dict()))
    t_tune, (scale, _record) = best_of(1, lambda: tune_availability(cal.scenario(), learned, log))
    print(f"January: {rows - 1} rows, {len(log)} usable calls")
    print(f"{'step':<34}{'seconds':>9}{'x parse':>9}")
    for name, t in [("parse (csv.reader, reference)", t_parse), ("read + check every row", t_read),
                    ("fit everything (calibrate)", t_fit),
                    ("read + fit", t_read + t_fit),
                    ("tune availability by simulation", t_tune)]:
        print(f"{name:<34}{t:>9.3f}{t / t_parse:>9.1f}")

    tuned = Learned(availability=learned.availability, baseline_factor=learned.baseline_factor,
                    mean_patience_s=learned.mean_patience_s, gap_s=learned.gap_s,
                    interval_s=learned.interval_s, scale=scale)
    test = read_logs([feb], ANONYMOUS_BANK)
    t_bt, bt = best_of(1, lambda: backtest(cal.scenario(availability_scale=scale), tuned, test,
                                           replications=args.replications))
    s, floor = bt.summary, bt.noise_floor
    print(f"\nBacktest January -> February: {len(bt.index)} hourly intervals, "
          f"{args.replications} replications, {t_bt:.1f} s")
    keys = [("p_abandon_hourly_mae", "abandon hourly", floor["p_abandon_hourly_mae"]),
            ("p_abandon_daily_mae", "abandon by day", floor["p_abandon_daily_mae"]),
            ("service_level_hourly_mae", "SL hourly", floor["service_level_hourly_mae"]),
            ("service_level_daily_mae", "SL by day", None),
            ("asa_s_hourly_mae", "ASA hourly (s)", None)]
    print(f"{'method':<20}" + "".join(f"{label:>16}" for _, label, _ in keys))
    for m in METHODS:
        print(f"{m:<20}" + "".join(f"{s[m][k]:>16.4f}" for k, _, _ in keys))
    print(f"{'noise floor':<20}" + "".join(
        f"{f:>16.4f}" if f is not None else f"{'-':>16}" for _, _, f in keys))
    print("\nSimulation against the baselines (error reduction; >0 means the simulation is better)")
    verdict = True
    for k, label, f in keys[:3]:
        sim = s["simulation"][k]
        parts = []
        for base in ("baseline_headcount", "baseline_factor"):
            gain = 1 - sim / s[base][k]
            verdict &= gain > 0
            parts.append(f"vs {base}: {gain:+.1%}")
        gap = "" if f is None else f"; excess over the floor: simulation {sim - f:.4f}, " \
                                   f"factor baseline {s['baseline_factor'][k] - f:.4f}"
        print(f"  {label:<16}" + ", ".join(parts) + gap)
    print(f"beats both baselines on all three: {'yes' if verdict else 'NO'}")
    print(json.dumps({"scale": scale, "baseline_factor": learned.baseline_factor}))


if __name__ == "__main__":
    main()
