rule report:
    input:
        prevalence="reports/{dataset}/tables/prevalence.csv",
        odds_ratios="reports/{dataset}/tables/odds_ratios.csv",
        patterns="reports/{dataset}/tables/patterns.csv",
        figures=expand(
            "reports/{{dataset}}/figures/{name}.svg",
            name=["prevalence", "upset", "forest", "heatmap"],
        ),
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
