# msk-cooccurrence: how knee osteoarthritis, bunions, obesity and low back pain co-occur.
# Wiring only; every stage's logic is in src/msk_cooccurrence (see DESIGN.md in the project notes).
# The config is validated once, in workflow/rules/common.smk, against the package's schema.
from snakemake.utils import min_version

min_version("8.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/validate.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        expand("reports/{dataset}/report.html", dataset=DATASETS),
        "reports/index.html",
