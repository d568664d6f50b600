# one job per table of the registry (src/msk_cooccurrence/resources/outputs.yaml): the CSV, and the
# same table as the report shows it (HTML), which Snakemake's report displays with its caption
rule table:
    input:
        unpack(table_inputs),
    output:
        csv="reports/{dataset}/tables/{table}.csv",
        html=report(
            "reports/{dataset}/tables/{table}.html",
            caption="../report/table.rst",
            category="{dataset}",
            subcategory="Tables",
            labels=title("tables"),
        ),
    log:
        "logs/table/{dataset}/{table}.log",
    benchmark:
        "logs/benchmarks/table/{dataset}/{table}.tsv"
    conda:
        "../envs/msk-cooccurrence.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        view=view,
        version=VERSION,
    script:
        "../scripts/table.py"
