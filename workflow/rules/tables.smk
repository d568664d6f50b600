# The tables of the registry (src/msk_cooccurrence/resources/outputs.yaml), one job per family of
# tables per dataset: a family's tables share one process, one start (about a second of imports)
# and one read of the rows. Multiple imputation: the imputation model once per dataset, then one
# job per `imputations_per_job` imputations (each its own random stream, so any grouping and any
# order give the same tables), pooled in the sensitivity family's job.
#
# Resources, measured by benchmarks/bench_scale.py on 2 cores (README, "Scale and clusters"): a
# job's peak memory and time grow with the rows, here with the size of its input files, which
# Snakemake reads when the job is ready; `runtime` is in minutes and generous (a cluster kills a
# job that overruns it).
FAMILY_RESOURCES = {
    # family: (mem_mb base, mem_mb per input MB, runtime base, runtime per input MB)
    "descriptive": (600, 40, 5, 0.2),
    "models": (800, 60, 5, 0.3),
    "sensitivity": (800, 60, 5, 0.3),
}


def family_inputs(family):
    """The analysis rows and what the family's tables need from outside the family."""
    names = outputs.families()[family]

    def inputs(wildcards):
        paths = {"analysis": f"data/processed/{wildcards.dataset}/analysis.parquet"}
        for name in names:
            for needed in outputs.tables()[name].inputs:
                if needed in names:
                    continue  # made in the same job
                if needed == "literature":
                    paths[needed] = config["literature"]
                elif needed == "imputations":
                    paths[needed] = imputation_files(wildcards)
                else:
                    paths[needed] = f"reports/{wildcards.dataset}/tables/{needed}.csv"
        return {name: path for name, path in paths.items() if path}

    return inputs


def imputation_files(wildcards):
    """One file per batch of imputations when multiple imputation is on, else none."""
    options = config["sensitivity"]
    if not options["multiple_imputation"]:
        return []
    batches = -(-options["imputations"] // options["imputations_per_job"])
    return expand(
        "data/processed/{dataset}/imputations/{batch}.npy",
        dataset=wildcards.dataset,
        batch=range(batches),
    )


def family_captions(names):
    """The captions of a family's tables, for Snakemake's report."""
    return "\n\n".join(
        f"**{outputs.tables()[name].title}** ({name}.csv): {outputs.tables()[name].caption}"
        for name in names
    )


def scaled(base, per_mb):
    """A resource that grows with the job's input files (MB)."""
    return lambda wildcards, input: int(base + per_mb * input.size_mb)


for family, names in outputs.families().items():

    rule:
        name:
            f"tables_{family}"
        input:
            unpack(family_inputs(family)),
        output:
            **{
                name: report(
                    f"reports/{{dataset}}/tables/{name}.csv",
                    caption="../report/table.rst",
                    category="{dataset}",
                    subcategory="Tables",
                    labels={"table": name},
                )
                for name in names
            },
        log:
            f"logs/tables/{{dataset}}/{family}.log",
        threads: 1
        resources:
            mem_mb=scaled(FAMILY_RESOURCES[family][0], FAMILY_RESOURCES[family][1]),
            runtime=scaled(FAMILY_RESOURCES[family][2], FAMILY_RESOURCES[family][3]),
        params:
            view=view,
            version=VERSION,
            caption=family_captions(names),
        script:
            "../scripts/tables.py"


rule imputation_model:
    input:
        analysis="data/processed/{dataset}/analysis.parquet",
    output:
        "data/processed/{dataset}/imputations/model.npz",
    log:
        "logs/imputation/{dataset}/model.log",
    threads: 1
    resources:
        mem_mb=scaled(600, 60),
        runtime=scaled(5, 0.2),
    params:
        view=view,
        version=VERSION,
    script:
        "../scripts/imputation_model.py"


rule impute:
    input:
        "data/processed/{dataset}/imputations/model.npz",
    output:
        "data/processed/{dataset}/imputations/{batch}.npy",
    log:
        "logs/imputation/{dataset}/{batch}.log",
    wildcard_constraints:
        batch=r"\d+",
    threads: 1
    resources:
        mem_mb=scaled(300, 20),
        runtime=scaled(5, 0.2),
    params:
        view=view,
        version=VERSION,
    script:
        "../scripts/impute.py"
