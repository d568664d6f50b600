# one job per table of the registry (src/msk_cooccurrence/resources/outputs.yaml)
rule table:
    input:
        unpack(table_inputs),
    output:
        report(
            "reports/{dataset}/tables/{table}.csv",
            caption="../report/table.rst",
            category="{dataset}",
            subcategory="Tables",
            labels={"table": "{table}"},
        ),
    log:
        "logs/table/{dataset}/{table}.log",
    params:
        view=view,
        version=VERSION,
        caption=lambda wildcards: outputs.tables()[wildcards.table].caption,
    script:
        "../scripts/table.py"
