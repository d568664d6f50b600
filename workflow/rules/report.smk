rule report:
    input:
        tables=expand("reports/{{dataset}}/tables/{name}.csv", name=TABLES),
        figures=expand("reports/{{dataset}}/figures/{name}.svg", name=FIGURES),
        validation="data/processed/{dataset}/validation.json",
        provenance="data/interim/{dataset}/provenance.json",
        truth="data/interim/{dataset}/truth.csv",
    output:
        html=report(
            "reports/{dataset}/report.html",
            caption="../report/report.rst",
            category="{dataset}",
            subcategory="Report",
            labels={"name": "HTML report"},
        ),
    log:
        "logs/report/{dataset}.log",
    benchmark:
        "logs/benchmarks/report/{dataset}.tsv"
    conda:
        "../envs/msk-cooccurrence.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        view=view,
        version=VERSION,
    script:
        "../scripts/report.py"


# The index reads the tables, not the reports it links to, so it is drawn beside them (the default
# target asks for both).
rule index:
    input:
        odds_ratios=expand("reports/{dataset}/tables/odds_ratios.csv", dataset=DATASETS),
        prevalence=expand("reports/{dataset}/tables/prevalence.csv", dataset=DATASETS),
        validation=expand("data/processed/{dataset}/validation.json", dataset=DATASETS),
    output:
        html=report(
            "reports/index.html",
            caption="../report/index.rst",
            category="All datasets",
            labels={"name": "Comparison of the datasets"},
        ),
    log:
        "logs/report/index.log",
    benchmark:
        "logs/benchmarks/report/index.tsv"
    conda:
        "../envs/msk-cooccurrence.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        datasets=DATASETS,
        version=VERSION,
    script:
        "../scripts/index.py"
