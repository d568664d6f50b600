rule analyse:
    input:
        analysis="data/processed/{dataset}/analysis.parquet",
    output:
        prevalence="reports/{dataset}/tables/prevalence.csv",
        odds_ratios="reports/{dataset}/tables/odds_ratios.csv",
        patterns="reports/{dataset}/tables/patterns.csv",
    log:
        "logs/analyse/{dataset}.log",
    script:
        "../scripts/analyse.py"
