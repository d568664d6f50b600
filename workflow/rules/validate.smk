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
    conda:
        "../envs/msk-cooccurrence.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        view=view,
        version=VERSION,
    script:
        "../scripts/validate.py"
