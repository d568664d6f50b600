"""Time and memory of the workflow on survey files of 100k, 1M and 10M rows, against the Parquet floor and R survey.

usage: python benchmarks/bench_scale.py [ROWS ...] [--cores 2] [--work DIR] [--r-max-rows N] [--no-workflow]

For each size it draws a survey file the project has not seen (benchmarks/cohort.py: NHANES-style
names and codes, Parquet, the default config with multiple imputation) and prints:
- the floor: reading that Parquet file with pyarrow, the least any reader takes (median of 3);
- each stage as its own process, as a workflow job runs it (one BLAS thread, as Snakemake sets
  for a job of `threads: 1`): wall and CPU seconds, peak RSS;
- the whole workflow, `snakemake --cores N` in a fresh folder: wall seconds and the peak RSS of
  its largest process;
- R survey (benchmarks/r_survey.R, where Rscript and survey are installed, up to --r-max-rows)
  computing what prevalence.csv and odds_ratios.csv hold, beside our process computing the same
  two tables, and the largest relative difference between the two sets of numbers;
then the cost per million rows of each stage across the sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import yaml
from bench_pipeline import JOB_THREADS
from cohort import PROJECT, config_for, write_cohort

from msk_cooccurrence import outputs, pipeline
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.settings import dataset_view

HERE = Path(__file__).resolve().parent
STAGES = """
import json, sys
from msk_cooccurrence import outputs, pipeline
view = json.load(open(sys.argv[1])); out = sys.argv[2]; stage = sys.argv[3]
f = lambda name: f"{out}/{name}"
if stage == "ingest":
    pipeline.ingest_stage("survey", view, f("raw.parquet"), f("truth.csv"), f("provenance.json"))
elif stage == "validate":
    pipeline.validate_stage("survey", view, f("raw.parquet"), f("harmonized.parquet"), f("analysis.parquet"),
                            f("quarantine.csv"), f("validation.json"))
elif stage == "imputation model":
    pipeline.imputation_model_stage(view, f("analysis.parquet"), f("model.npz"))
elif stage.startswith("impute"):
    pipeline.impute_stage(view, f("model.npz"), int(stage.split()[1]), f(f"imputations_{stage.split()[1]}.npy"))
elif stage.startswith("tables"):
    names = outputs.families()[stage.split()[1]]
    options = view["sensitivity"]
    batches = len(pipeline.imputation_batches(options)) if options["multiple_imputation"] else 0
    files = {"literature": view["literature"], "validation": f("validation.json"),
             "imputations": [f(f"imputations_{b}.npy") for b in range(batches)],
             "imputation_model": f("model.npz") if batches else None}
    needed = {n for name in names for n in outputs.tables()[name].inputs if n not in names}
    # as the workflow: an input without files (multiple imputation off) is left out
    inputs = {n: path for n in needed if (path := files.get(n, f(f"{n}.csv")))}
    pipeline.tables_stage(view, f("analysis.parquet"), inputs, {n: f(f"{n}.csv") for n in names})
elif stage == "figures":
    for name, spec in outputs.figures().items():
        tables = {t: f(f"{t}.csv") for t in spec.tables}
        pipeline.figure_stage(name, view, tables, f(f"{name}.png"), f(f"{name}.svg"))
elif stage == "report":
    tables = {t: f(f"{t}.csv") for t in outputs.tables()}
    pipeline.report_stage("survey", view, tables, out, f("validation.json"), f("provenance.json"), f("truth.csv"),
                          f("report.html"))
elif stage == "ours: prevalence + odds ratios":
    import time
    from msk_cooccurrence.settings import Settings
    start = time.perf_counter()
    settings = Settings.from_dict(view)
    data = pipeline.analysis_data(pipeline.read_analysis(f("analysis.parquet")), settings)
    tables = pipeline.compute_tables(data, settings, {}, ["prevalence", "odds_ratios"])
    print("estimation_seconds", time.perf_counter() - start)
    for name, table in tables.items():
        table.to_csv(f(f"ours_{name}.csv"), index=False)
"""


def run(command: list[str], cwd=None, env=None) -> dict:
    """Wall and CPU seconds and peak RSS (MiB, its largest process) of a command, and what it printed.

    The peak is GNU time's (%M): a child forked from this process would report this process's own
    peak as its floor (Linux carries the high-water mark across fork and exec).
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile() as output, tempfile.NamedTemporaryFile("r") as peak:
        process = subprocess.Popen(
            ["/usr/bin/time", "-o", peak.name, "-f", "%M", *map(str, command)],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        output.seek(0)
        text = output.read().decode(errors="replace")
        rss = float(peak.read().split()[-1]) / 1024
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{text[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": rss, "output": text}


def parquet_floor(path: Path) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        pq.read_table(path)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def stage_names(config: dict) -> list[str]:
    options = config["sensitivity"]
    batches = len(pipeline.imputation_batches(options)) if options["multiple_imputation"] else 0
    names = ["ingest", "validate"]
    names += ["imputation model", *(f"impute {b}" for b in range(batches))] if batches else []
    names += [f"tables {family}" for family in outputs.families()]
    names += ["figures", "report"]
    return names


def stages(view_path: Path, out: Path, config: dict) -> dict[str, dict]:
    """Each stage as its own process given the dataset's view of the config, as a workflow job is;
    several processes of one kind (imputations, figures) summed."""
    found: dict[str, dict] = {}
    for name in stage_names(config):
        measured = run([sys.executable, "-c", STAGES, str(view_path), str(out), name], env=os.environ | JOB_THREADS)
        kind = name.split()[0] if name.startswith("impute") else name
        kind = {"impute": "impute (batches of imputations)", "figure": "figures"}.get(kind, kind)
        total = found.setdefault(kind, {"wall": 0.0, "cpu": 0.0, "rss": 0.0, "jobs": 0})
        total["wall"] += measured["wall"]
        total["cpu"] += measured["cpu"]
        total["rss"] = max(total["rss"], measured["rss"])
        total["jobs"] += 1
    return found


def workflow(config_path: Path, where: Path, cores: int) -> dict:
    """snakemake --cores N on the cohort in a fresh folder."""
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    shutil.copy(PROJECT / "Snakefile", where)
    for folder in ("workflow", "profiles"):
        shutil.copytree(PROJECT / folder, where / folder)
    (where / "config").mkdir()
    shutil.copy(config_path, where / "config" / "config.yaml")
    return run([sys.executable, "-m", "snakemake", "--cores", str(cores)], cwd=where)


def r_comparison(out: Path) -> dict | None:
    """R survey's time for prevalence.csv's and odds_ratios.csv's estimates, ours, and how far the numbers differ."""
    if shutil.which("Rscript") is None or subprocess.run(["Rscript", "-e", "library(survey)"]).returncode:
        return None
    rows = pd.read_parquet(out / "analysis.parquet")
    for condition in ("knee_oa", "bunions", "obesity", "low_back_pain"):
        rows[condition] = rows[condition].astype("Float64")
    columns = ["age", "sex", "bmi", "weight", "stratum", "psu", "knee_oa", "bunions", "obesity", "low_back_pain"]
    rows[columns].to_csv(out / "rows_for_r.csv", index=False)
    r = run(["Rscript", str(HERE / "r_survey.R"), str(out / "rows_for_r.csv"), str(out / "r_estimates.csv")])
    ours = run(
        [sys.executable, "-c", STAGES, str(out / "view.json"), str(out), "ours: prevalence + odds ratios"],
        env=os.environ | JOB_THREADS,
    )
    return {
        "r": r,
        "r_estimation": float(r["output"].split("estimation_seconds")[1].split()[0]),
        "ours": ours,
        "ours_estimation": float(ours["output"].split("estimation_seconds")[1].split()[0]),
        "difference": largest_difference(out),
    }


def largest_difference(out: Path) -> float:
    """Largest relative difference between R's and our estimate, se, ci_low, ci_high (and deff, KG interval)."""
    reference = pd.read_csv(out / "r_estimates.csv", keep_default_na=False, na_values=["NA"])
    prevalence = pd.read_csv(out / "ours_prevalence.csv").rename(
        columns={"condition": "condition_a", "group": "condition_b", "level": "model"}
    )
    odds = pd.read_csv(out / "ours_odds_ratios.csv")
    ours = pd.concat([prevalence.assign(kind="prevalence"), odds.assign(kind="odds_ratio")], ignore_index=True)
    merged = reference.merge(ours, on=["kind", "condition_a", "condition_b", "model"], suffixes=("_r", ""))
    assert len(merged) == len(reference), "R and we do not list the same estimates"
    worst = 0.0
    for column in ("estimate", "se", "ci_low", "ci_high", "deff", "kg_low", "kg_high"):
        r, x = merged[f"{column}_r"].astype(float), merged[column].astype(float)
        known = r.notna() & x.notna()
        worst = max(worst, float((abs(x[known] - r[known]) / abs(r[known])).max()))
    return worst


def line(name: str, m: dict) -> str:
    return f"{name:<34}{m.get('jobs', ''):>5}{m['wall']:>9.2f}{m['cpu']:>9.2f}{m['rss']:>10.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="*", type=int, default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "msk-cooccurrence-bench")
    parser.add_argument("--r-max-rows", type=int, default=1_000_000)
    parser.add_argument("--no-workflow", action="store_true", help="stages only, no snakemake run")
    args = parser.parse_args()
    per_million = {}
    for n in args.rows:
        out = args.work / f"rows_{n}"
        out.mkdir(parents=True, exist_ok=True)
        data = out / "survey.parquet"
        if not data.exists():
            write_cohort(n, data)
        config_path = config_for(data, out / "config.yaml")
        config = validate_config(yaml.safe_load(config_path.read_text()))
        (out / "view.json").write_text(json.dumps(dataset_view(config, "survey")))
        floor = parquet_floor(data)
        print(f"\n== {n:,} rows, {os.cpu_count()} processors; Parquet floor (pyarrow read): {floor:.2f} s")
        found = stages(out / "view.json", out, config)
        print(f"{'stage':<34}{'jobs':>5}{'wall s':>9}{'cpu s':>9}{'peak MiB':>10}")
        for name, m in found.items():
            print(line(name, m))
        per_million[n] = {name: m["wall"] / (n / 1e6) for name, m in found.items()}
        if not args.no_workflow:
            e2e = workflow(config_path, out / "workflow", args.cores)
            print(line(f"snakemake --cores {args.cores}", e2e))
            per_million[n]["whole workflow"] = e2e["wall"] / (n / 1e6)
        if n <= args.r_max_rows:
            compared = r_comparison(out)
            if compared is None:
                print("R survey: not installed")
            else:
                r, ours = compared["r_estimation"], compared["ours_estimation"]
                print(
                    f"prevalence + 18 odds ratios: R survey {r:.2f} s estimation ({compared['r']['wall']:.2f} s "
                    f"process), ours {ours:.2f} s ({compared['ours']['wall']:.2f} s process): {r / ours:.1f}x "
                    f"faster; largest relative difference {compared['difference']:.1e}"
                )
    if len(per_million) > 1:
        print("\nwall seconds per million rows")
        sizes = list(per_million)
        print(f"{'stage':<34}" + "".join(f"{f'{n:,}':>12}" for n in sizes))
        for name in per_million[sizes[0]]:
            print(f"{name:<34}" + "".join(f"{per_million[n].get(name, np.nan):>12.2f}" for n in sizes))


if __name__ == "__main__":
    main()
