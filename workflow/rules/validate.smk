# harmonize and validate run in one job: the harmonize problems feed the quarantine directly
rule validate:
    input:
        raw="data/interim/{dataset}/raw.parquet",
    output:
        harmonized="data/interim/{dataset}/harmonized.parquet",
        analysis="data/processed/{dataset}/analysis.parquet",
        quarantine="data/processed/{dataset}/quarantine.csv",
        validation="data/processed/{dataset}/validation.json",
    log:
        "logs/validate/{dataset}.log",
    benchmark:
        "logs/benchmarks/validate/{dataset}.tsv"
    params:
        view=view,
        version=VERSION,
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/msk-cooccurrence.yaml"
    script:
        "../scripts/validate.py"
