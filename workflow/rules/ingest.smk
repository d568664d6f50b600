# the rows of a dataset as its source has them (a file, NHANES cycles, or the synthetic cohort)
rule ingest:
    input:
        input_files,
    output:
        raw="data/interim/{dataset}/raw.parquet",
        truth="data/interim/{dataset}/truth.csv",
        provenance="data/interim/{dataset}/provenance.json",
    log:
        "logs/ingest/{dataset}.log",
    benchmark:
        "logs/benchmarks/ingest/{dataset}.tsv"
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
        "../scripts/ingest.py"
