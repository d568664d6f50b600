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
        ),
    log:
        "logs/report/{dataset}.log",
    script:
        "../scripts/report.py"
