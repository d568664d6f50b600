# Parse-time wiring: the config validated once, the outputs registry, each dataset's view and files.
# Only Snakemake and what it brings (PyYAML, jsonschema) are needed here: the package's `wiring` and
# its config check are plain Python (tests/test_architecture.py), so where the package is not
# installed (the catalog's `--sdm conda` route, or this workflow used as a `module`) they are read
# from the source tree beside this workflow and every check still runs before any job.
import copy
import sys
from pathlib import Path

SOURCE_TREE = Path(workflow.current_basedir.get_path_or_uri(secret_free=True)).parents[1]
try:
    from msk_cooccurrence import wiring
except ImportError:
    sys.path.append(str(SOURCE_TREE / "src"))
    from msk_cooccurrence import wiring
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.errors import ConfigError


def stop(message):
    """A plain message for the researcher, no traceback."""
    sys.stderr.write(f"\nmsk-cooccurrence: {message}\n\n")
    sys.exit(1)


# Every check, with every problem listed, before any job runs.
try:
    checked = validate_config(config)
except ConfigError as error:
    stop(error)
config.update(checked)
# the published figures ship with the workflow: found there when the run's folder has no copy
if not Path(config["literature"]).exists() and (SOURCE_TREE / config["literature"]).exists():
    config["literature"] = str(SOURCE_TREE / config["literature"])

SETTINGS = copy.deepcopy(config)  # what the jobs' parameters are computed from
DATASETS = list(config["datasets"])
REGISTRY = wiring.registry()
TABLES = list(REGISTRY["tables"])
FIGURES = list(REGISTRY["figures"])
EXPORTS = {name: entry["path"] for name, entry in REGISTRY.get("exports", {}).items()}
VERSION = wiring.VERSION
# the captions of Snakemake's report (report/*.rst), from the registry; kept out of SETTINGS so
# that editing a caption reruns no job
config["_report"] = {
    kind: {name: entry for name, entry in REGISTRY[kind].items()} for kind in ("tables", "figures")
}


wildcard_constraints:
    dataset="[a-z][a-z0-9_]{0,39}",


def dataset_entry(name):
    if name not in config["datasets"]:
        stop(
            f"No dataset '{name}' in the config (it has {', '.join(DATASETS)}). Check the target's "
            "path, or add the dataset under `datasets:`."
        )
    return config["datasets"][name]


def view(wildcards):
    """What a dataset's outputs depend on (its entry and the analysis settings), as the path of the file
    that holds it, named by its digest (wiring.view_file, written here at parse time): an edit that
    changes the view reruns the dataset's jobs, and Snakemake's reason is one line naming the digests.
    """
    dataset_entry(wildcards.dataset)  # a target of a dataset not in the config stops here
    if wildcards.dataset not in VIEW_FILES:
        VIEW_FILES[wildcards.dataset] = wiring.view_file(SETTINGS, wildcards.dataset)
    return VIEW_FILES[wildcards.dataset]


VIEW_FILES = {}  # dataset -> its view's file, once per parse


def input_files(wildcards):
    """The input files of a dataset, so that editing one reruns the pipeline; a missing one stops here."""
    dataset = dataset_entry(wildcards.dataset)
    message = wiring.missing_input(wildcards.dataset, dataset)
    if message:
        stop(message)
    return wiring.input_files(dataset)


# The families of tables (`family:` in the registry): each is one job per dataset, whose tables
# share one process, one start and one read of the rows (rules/tables.smk).
FAMILIES = {}
for _name, _entry in REGISTRY["tables"].items():
    FAMILIES.setdefault(_entry["family"], []).append(_name)
# the tables the figures are drawn from
FIGURE_TABLES = list(
    dict.fromkeys(name for entry in REGISTRY["figures"].values() for name in entry["tables"])
)
# Resources of the table jobs, measured by benchmarks/bench_scale.py on 2 cores (README, "Scale
# and clusters"): a job's peak memory and time grow with the rows, here with the size of its input
# files, which Snakemake reads when the job is ready. mem_mb is the line through the peaks at 1M
# and 10M rows, plus 30%; `runtime` is in minutes and generous (a cluster kills a job that
# overruns it).
FAMILY_RESOURCES = {
    # family: (mem_mb base, mem_mb per input MB, runtime base, runtime per input MB)
    "descriptive": (250, 9.75, 5, 0.2),
    "models": (260, 18.3, 5, 0.3),
    "sensitivity": (310, 10.5, 5, 0.3),  # inputs: rows, imputations and the imputation model
}


def family_inputs(family):
    """The analysis rows and what the family's tables need from outside the family (other tables, files)."""
    names = FAMILIES[family]

    def inputs(wildcards):
        files = {
            "literature": SETTINGS["literature"],
            "validation": f"data/processed/{wildcards.dataset}/validation.json",
            "imputations": imputation_files(wildcards),
            "imputation_model": imputation_model_file(wildcards),
        }
        paths = {"analysis": f"data/processed/{wildcards.dataset}/analysis.parquet"}
        for name in names:
            for needed in REGISTRY["tables"][name].get("inputs", []):
                if needed not in names:  # a table of the same family is made in the same job
                    paths[needed] = files.get(
                        needed, f"reports/{wildcards.dataset}/tables/{needed}.csv"
                    )
        return {name: path for name, path in paths.items() if path}

    return inputs


# what every imputation of a dataset starts from (rule imputation_model); the pooling job reads it too
IMPUTATION_MODEL = "data/processed/{dataset}/imputations/model.npz"


def imputation_model_file(wildcards):
    """The imputation model's file when multiple imputation is on, else none."""
    if not SETTINGS["sensitivity"]["multiple_imputation"]:
        return []
    return IMPUTATION_MODEL.format(dataset=wildcards.dataset)


def imputation_files(wildcards):
    """One file per batch of imputations when multiple imputation is on, else none."""
    options = SETTINGS["sensitivity"]
    if not options["multiple_imputation"]:
        return []
    batches = -(-options["imputations"] // options["imputations_per_job"])
    return [
        f"data/processed/{wildcards.dataset}/imputations/{batch}.npy" for batch in range(batches)
    ]


def scaled(base, per_mb):
    """A resource that grows with the job's input files (MB)."""
    return lambda wildcards, input: int(base + per_mb * input.size_mb)


def table_report(name):
    """The table `name` as the report shows it, for Snakemake's report, labelled with its title."""
    return report(
        f"reports/{{dataset}}/tables/{name}.html",
        caption="../report/table.rst",
        category="{dataset}",
        subcategory="Tables",
        labels={"name": REGISTRY["tables"][name]["title"]},
    )


def figure_report(name):
    """A figure's PNG for Snakemake's report, labelled with its title."""
    return report(
        f"reports/{{dataset}}/figures/{name}.png",
        caption="../report/figure.rst",
        category="{dataset}",
        subcategory="Figures",
        labels={"name": REGISTRY["figures"][name]["title"]},
    )


# The reports in reports/ of datasets this config does not have (another config's run made them):
# reports/index.html links them too, marked as another config's, and compares only this config's
# datasets (run_stages.index_stage). A parameter of the index, so a report that appears or goes
# redraws it.
OTHER_REPORTS = sorted(
    path.parent.name
    for path in Path("reports").glob("*/report.html")
    if path.parent.name not in DATASETS
)

# the files of each dataset that reports/index.html reads (rule index)
INDEX_INPUTS = {
    "odds_ratios": "reports/{dataset}/tables/odds_ratios.csv",
    "prevalence": "reports/{dataset}/tables/prevalence.csv",
    "validation": "data/processed/{dataset}/validation.json",
}


# the outputs of the run across its datasets (the registry's `run:`: reports/comparison.csv and its
# forest plots), made only when the config has two datasets or more (rule comparison)
RUN_OUTPUTS = {name: entry["path"] for name, entry in REGISTRY["run"].items()}
COMPARED = len(DATASETS) >= 2


def comparison_inputs(wildcards):
    """Every dataset's odds ratios; a run of one dataset has nothing to pool, and says so."""
    if not COMPARED:
        stop(
            f"reports/comparison.csv pools the datasets of a run, and this config has one ({DATASETS[0]}). "
            "Add the other datasets under `datasets:`, or leave the comparison out of the targets."
        )
    return expand("reports/{dataset}/tables/odds_ratios.csv", dataset=DATASETS)


def index_comparison(wildcards):
    """What the index shows of the comparison: its table and forest plots, with two datasets or more."""
    return list(RUN_OUTPUTS.values()) if COMPARED else []


# the Snakefile's onstart and onerror (rules/report.smk): the records of the jobs that stop, and the
# index a failed run leaves


def clear_failures():
    try:
        from msk_cooccurrence import failures
    except ImportError:
        return
    failures.clear_all()


def write_index_of_run():
    inputs = {
        name: {key: path.format(dataset=name) for key, path in INDEX_INPUTS.items()}
        for name in DATASETS
    }
    # the run has failed already: say why the index is not written, without a traceback
    try:
        from msk_cooccurrence.run_stages import index_of_run

        index_of_run(inputs, "reports/index.html", index_comparison(None), OTHER_REPORTS)
    except Exception as error:
        stop_words = f"reports/index.html was not written after the failure ({error})"
        sys.stderr.write(f"\nmsk-cooccurrence: {stop_words}.\n\n")
        return
    sys.stderr.write(
        "\nmsk-cooccurrence: reports/index.html lists each dataset's state, and the message "
        "of each job that stopped.\n\n"
    )


def print_run_summary():
    """The end of a run, on the console: per dataset of the config, its rows read, analysed and
    quarantined (the commonest reasons with the fix), the values made unknown, and its report."""
    datasets = {
        name: {
            "validation": f"data/processed/{name}/validation.json",
            "quarantine": f"data/processed/{name}/quarantine.csv",
            "report": f"reports/{name}/report.html",
        }
        for name in DATASETS
    }
    try:  # plain Python, read from the package the workflow runs with
        from msk_cooccurrence.run_summary import run_summary
    except ImportError:
        return
    sys.stderr.write(f"\n{run_summary(datasets)}\n\n")
