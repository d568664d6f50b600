rule ingest:
    input:
        input_files,
    output:
        raw="data/interim/{dataset}/raw.parquet",
        truth="data/interim/{dataset}/truth.csv",
        provenance="data/interim/{dataset}/provenance.json",
    log:
        "logs/ingest/{dataset}.log",
    params:
        view=view,
        version=VERSION,
    script:
        "../scripts/ingest.py"
