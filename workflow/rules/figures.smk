# The figures of the registry, all of one dataset in one job, drawn from the tables they name:
# each is a second of drawing, and a job of its own would add a second or two of start-up
# (matplotlib) to every one.
rule figures:
    input:
        [f"reports/{{dataset}}/tables/{name}.csv" for name in FIGURE_TABLES],
    output:
        **{f"{name}_png": figure_report(name) for name in FIGURES},
        **{f"{name}_svg": f"reports/{{dataset}}/figures/{name}.svg" for name in FIGURES},
    log:
        "logs/figures/{dataset}.log",
    benchmark:
        "logs/benchmarks/figures/{dataset}.tsv"
    # before the index when both wait for a core: the report, the last job, waits for the figures
    priority: 1
    conda:
        "../envs/msk-cooccurrence.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        view=view,
        version=VERSION,
        figures=FIGURES,
    script:
        "../scripts/figures.py"
