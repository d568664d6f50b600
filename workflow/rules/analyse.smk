rule analyse:
    input:
        analysis="data/processed/{dataset}/analysis.parquet",
        literature=config["literature"],
    output:
        prevalence="reports/{dataset}/tables/prevalence.csv",
        odds_ratios="reports/{dataset}/tables/odds_ratios.csv",
        patterns="reports/{dataset}/tables/patterns.csv",
        loglinear="reports/{dataset}/tables/loglinear.csv",
        dose_response="reports/{dataset}/tables/dose_response.csv",
        claims="reports/{dataset}/tables/claims.csv",
        sensitivity="reports/{dataset}/tables/sensitivity.csv",
    log:
        "logs/analyse/{dataset}.log",
    params:
        settings=digest,
    script:
        "../scripts/analyse.py"
