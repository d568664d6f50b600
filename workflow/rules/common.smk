from msk_cooccurrence.config import check_consistency, settings_digest

# rules a JSON schema cannot state (mapped names must be harmonized columns or conditions)
check_consistency(config)

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
]
FIGURES = ["prevalence", "upset", "forest", "heatmap", "network", "dose_response"]
