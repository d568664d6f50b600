from msk_cooccurrence.config import check_consistency

# rules a JSON schema cannot state (mapped names must be harmonized columns or conditions)
check_consistency(config)

DATASETS = list(config["datasets"])


wildcard_constraints:
    dataset="[a-z][a-z0-9_]{0,39}",


def source_file(wildcards):
    """The input file of a `source: table` dataset, so that editing it reruns the pipeline."""
    dataset = config["datasets"][wildcards.dataset]
    return [dataset["path"]] if dataset["source"] == "table" else []


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
