rule ingest:
    input:
        source_file,
    output:
        raw="data/interim/{dataset}/raw.parquet",
        truth="data/interim/{dataset}/truth.csv",
        provenance="data/interim/{dataset}/provenance.json",
    log:
        "logs/ingest/{dataset}.log",
    params:
        settings=digest,
    script:
        "../scripts/ingest.py"
