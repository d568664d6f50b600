import sys
from pathlib import Path

from msk_cooccurrence.config import settings_digest, validate_config
from msk_cooccurrence.errors import ConfigError

# the JSON schema (with its defaults) and the rules a schema cannot state; a plain message, no traceback
try:
    config.update(
        validate_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
    )
except ConfigError as error:
    sys.stderr.write(f"\nmsk-cooccurrence: {error}\n\n")
    sys.exit(1)

DATASETS = list(config["datasets"])


wildcard_constraints:
    dataset="[a-z][a-z0-9_]{0,39}",


def digest(wildcards):
    """A fingerprint of the settings a dataset's outputs depend on: a change reruns its jobs."""
    return settings_digest(config, wildcards.dataset)


def source_file(wildcards):
    """The input files of a dataset, so that editing one reruns the pipeline."""
    dataset = config["datasets"][wildcards.dataset]
    if dataset["source"] == "table":
        return [dataset["path"]]
    if dataset["source"] == "nhanes":
        return [path for cycle in dataset["cycles"] for path in cycle["files"]]
    return []


TABLES = [
    "prevalence",
    "odds_ratios",
    "patterns",
    "loglinear",
    "dose_response",
    "claims",
    "sensitivity",
    "association",
    "table1",
]
FIGURES = ["prevalence", "upset", "forest", "heatmap", "network", "dose_response"]
