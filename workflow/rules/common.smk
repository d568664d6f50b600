import importlib.metadata
import sys

from msk_cooccurrence import outputs
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.settings import dataset_view
from msk_cooccurrence.errors import ConfigError
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


def view(wildcards):
    """What a dataset's outputs depend on (its entry and the analysis settings): a change reruns its jobs."""
    return dataset_view(config, wildcards.dataset)


def input_files(wildcards):
    """The input files of a dataset, so that editing one reruns the pipeline."""
    dataset = config["datasets"][wildcards.dataset]
    return source_of(dataset).input_files(dataset)


# the tables the figures are drawn from
FIGURE_TABLES = list(
    dict.fromkeys(name for spec in outputs.figures().values() for name in spec.tables)
)
