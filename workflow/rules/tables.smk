# The tables of the registry (src/msk_cooccurrence/resources/outputs.yaml), one job per family of
# tables per dataset (FAMILIES, rules/common.smk): each table as CSV and as the report shows it
# (HTML), which Snakemake's report displays with the family's captions. Multiple imputation: the
# imputation model once per dataset, then one job per `imputations_per_job` imputations (each its
# own random stream, so any grouping and any order give the same tables), pooled in the
# sensitivity family's job, which reads the model's incomplete rows and levels from its file.
for family, names in FAMILIES.items():

    rule:
        name:
            f"tables_{family}"
        input:
            unpack(family_inputs(family)),
        output:
            **{name: f"reports/{{dataset}}/tables/{name}.csv" for name in names},
            **{f"{name}_html": table_report(name) for name in names},
        log:
            f"logs/tables/{{dataset}}/{family}.log",
        benchmark:
            f"logs/benchmarks/tables/{{dataset}}/{family}.tsv"
        conda:
            "../envs/msk-cooccurrence.yaml"
        threads: 1
        resources:
            mem_mb=scaled(FAMILY_RESOURCES[family][0], FAMILY_RESOURCES[family][1]),
            runtime=scaled(FAMILY_RESOURCES[family][2], FAMILY_RESOURCES[family][3]),
        params:
            view=view,
            version=VERSION,
            tables=names,
        script:
            "../scripts/tables.py"


rule imputation_model:
    input:
        analysis="data/processed/{dataset}/analysis.parquet",
    output:
        IMPUTATION_MODEL,
    log:
        "logs/imputation/{dataset}/model.log",
    benchmark:
        "logs/benchmarks/imputation/{dataset}/model.tsv"
    conda:
        "../envs/msk-cooccurrence.yaml"
    threads: 1
    resources:
        mem_mb=scaled(270, 16),
        runtime=scaled(5, 0.2),
    params:
        view=view,
        version=VERSION,
    script:
        "../scripts/imputation_model.py"


rule impute:
    input:
        IMPUTATION_MODEL,
    output:
        "data/processed/{dataset}/imputations/{batch}.npy",
    log:
        "logs/imputation/{dataset}/{batch}.log",
    benchmark:
        "logs/benchmarks/imputation/{dataset}/{batch}.tsv"
    wildcard_constraints:
        batch=r"\d+",
    conda:
        "../envs/msk-cooccurrence.yaml"
    threads: 1
    resources:
        mem_mb=scaled(150, 12),
        runtime=scaled(5, 0.2),
    params:
        view=view,
        version=VERSION,
    script:
        "../scripts/impute.py"
