import importlib.metadata
import sys

from msk_cooccurrence import outputs
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.settings import dataset_view
from msk_cooccurrence.errors import ConfigError, InputError
from msk_cooccurrence.sources import source_of

# the JSON schema (with its defaults) and the rules a schema cannot state, checked once here; a
# plain message, no traceback
try:
    config.update(validate_config(config))
except ConfigError as error:
    sys.stderr.write(f"\nmsk-cooccurrence: {error}\n\n")
    sys.exit(1)

DATASETS = list(config["datasets"])
TABLES = list(outputs.tables())
FIGURES = list(outputs.figures())
VERSION = importlib.metadata.version("msk-cooccurrence")


wildcard_constraints:
    dataset="[a-z][a-z0-9_]{0,39}",
    table="|".join(TABLES),
    figure="|".join(FIGURES),


def stop(error):
    """A plain message instead of Snakemake's InputFunctionException and traceback."""
    sys.stderr.write(f"\nmsk-cooccurrence: {error}\n\n")
    sys.exit(1)


def dataset_entry(name):
    if name not in config["datasets"]:
        stop(
            f"No dataset '{name}' in the config (it has {', '.join(DATASETS)}). Check the target's "
            "path, or add the dataset under `datasets:`."
        )
    return config["datasets"][name]


def view(wildcards):
    """What a dataset's outputs depend on (its entry and the analysis settings): a change reruns its jobs."""
    dataset_entry(wildcards.dataset)
    return dataset_view(config, wildcards.dataset)


def input_files(wildcards):
    """The input files of a dataset, so that editing one reruns the pipeline; a missing one stops here."""
    dataset = dataset_entry(wildcards.dataset)
    try:
        source_of(dataset).check_files(wildcards.dataset, dataset)
    except InputError as error:
        stop(error)
    return source_of(dataset).input_files(dataset)


def table_inputs(wildcards):
    """The analysis rows and what the registry says a table needs (other tables, the literature)."""
    paths = {"analysis": f"data/processed/{wildcards.dataset}/analysis.parquet"}
    for name in outputs.tables()[wildcards.table].inputs:
        paths[name] = (
            config[name]
            if name == "literature"
            else f"reports/{wildcards.dataset}/tables/{name}.csv"
        )
    return paths


def figure_tables(wildcards):
    return [
        f"reports/{wildcards.dataset}/tables/{name}.csv"
        for name in outputs.figures()[wildcards.figure].tables
    ]
