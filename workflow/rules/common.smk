# Parse-time wiring: the config validated once, the outputs registry, each dataset's view and files.
# Only Snakemake and what it brings (PyYAML, jsonschema) are needed here: where the package is not
# installed (the catalog's `--sdm conda` route, or this workflow used as a `module`), its
# standard-library `wiring` module is read from the source tree beside this workflow.
import copy
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

SOURCE_TREE = Path(workflow.current_basedir.get_path_or_uri(secret_free=True)).parents[1]
try:
    from msk_cooccurrence import wiring
except ImportError:
    sys.path.append(str(SOURCE_TREE / "src"))
    from msk_cooccurrence import wiring


def stop(message):
    """A plain message for the researcher, no traceback."""
    sys.stderr.write(f"\nmsk-cooccurrence: {message}\n\n")
    sys.exit(1)


def schema_message(error):
    """The first schema violation snakemake.utils.validate found, in words."""
    cause = error.__context__
    where = " > ".join(map(str, getattr(cause, "absolute_path", []))) or "(top)"
    what = getattr(cause, "message", str(error))
    return (
        f"The configuration is invalid at {where}: {what}. Fix that key; every key, its meaning "
        f"and its default are in src/msk_cooccurrence/resources/config.schema.yaml."
    )


# Every check, with every problem listed, where the package imports; otherwise the schema alone
# (with its defaults), and the package's checks that a schema cannot state run in each dataset's
# first job (pipeline.ingest_stage), with the same plain messages.
try:
    from msk_cooccurrence.config import validate_config
    from msk_cooccurrence.errors import ConfigError
except ImportError:
    try:
        validate(config, "../../src/msk_cooccurrence/resources/config.schema.yaml")
    except WorkflowError as error:
        stop(schema_message(error))
    checked = copy.deepcopy(config)  # each filled-in default its own object
else:
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
VERSION = wiring.VERSION
# the captions of Snakemake's report (report/*.rst), from the registry; kept out of SETTINGS so
# that editing a caption reruns no job
config["_report"] = {
    kind: {name: entry for name, entry in REGISTRY[kind].items()} for kind in ("tables", "figures")
}


wildcard_constraints:
    dataset="[a-z][a-z0-9_]{0,39}",
    table="|".join(TABLES),
    figure="|".join(FIGURES),


def dataset_entry(name):
    if name not in config["datasets"]:
        stop(
            f"No dataset '{name}' in the config (it has {', '.join(DATASETS)}). Check the target's "
            "path, or add the dataset under `datasets:`."
        )
    return config["datasets"][name]


def view(wildcards):
    """What a dataset's outputs depend on (its entry and the analysis settings): a change reruns its jobs."""
    dataset_entry(wildcards.dataset)  # a target of a dataset not in the config stops here
    return wiring.dataset_view(SETTINGS, wildcards.dataset)


def input_files(wildcards):
    """The input files of a dataset, so that editing one reruns the pipeline; a missing one stops here."""
    dataset = dataset_entry(wildcards.dataset)
    message = wiring.missing_input(wildcards.dataset, dataset)
    if message:
        stop(message)
    return wiring.input_files(dataset)


def table_inputs(wildcards):
    """The analysis rows and what the registry says a table needs (other tables, files)."""
    files = {
        "literature": SETTINGS["literature"],
        "validation": f"data/processed/{wildcards.dataset}/validation.json",
    }
    paths = {"analysis": f"data/processed/{wildcards.dataset}/analysis.parquet"}
    for name in REGISTRY["tables"][wildcards.table].get("inputs", []):
        paths[name] = files.get(name, f"reports/{wildcards.dataset}/tables/{name}.csv")
    return paths


def figure_tables(wildcards):
    return [
        f"reports/{wildcards.dataset}/tables/{name}.csv"
        for name in REGISTRY["figures"][wildcards.figure]["tables"]
    ]


def title(kind):
    """The registry's title of a table or figure, for its label in Snakemake's report."""
    return lambda wildcards: {"name": REGISTRY[kind][wildcards.get(kind[:-1])]["title"]}
