rule ingest:
    input:
        source_file,
    output:
        raw="data/interim/{dataset}/raw.parquet",
        truth="data/interim/{dataset}/truth.csv",
        provenance="data/interim/{dataset}/provenance.json",
    log:
        "logs/ingest/{dataset}.log",
    script:
        "../scripts/ingest.py"
