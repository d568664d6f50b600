rule report:
    input:
        tables=expand("reports/{{dataset}}/tables/{name}.csv", name=TABLES),
        figures=expand("reports/{{dataset}}/figures/{name}.svg", name=FIGURES),
        validation="data/processed/{dataset}/validation.json",
        provenance="data/interim/{dataset}/provenance.json",
        truth="data/interim/{dataset}/truth.csv",
        exports=list(EXPORTS.values()),  # the report links them, so they are made with it
    output:
        html=report(
            "reports/{dataset}/report.html",
            caption="../report/report.rst",
            category="{dataset}",
            subcategory="Report",
            labels={"name": "HTML report"},
        ),
    log:
        "logs/report/{dataset}.log",
    benchmark:
        "logs/benchmarks/report/{dataset}.tsv"
    conda:
        "../envs/msk-cooccurrence.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        view=view,
        version=VERSION,
    script:
        "../scripts/report.py"


# tables.xlsx, manuscript.docx, reproduce.R and the rows it reads (the registry's `exports:`)
rule exports:
    input:
        tables=expand("reports/{{dataset}}/tables/{name}.csv", name=TABLES),
        validation="data/processed/{dataset}/validation.json",
        provenance="data/interim/{dataset}/provenance.json",
        analysis="data/processed/{dataset}/analysis.parquet",
    output:
        **EXPORTS,
    log:
        "logs/exports/{dataset}.log",
    benchmark:
        "logs/benchmarks/exports/{dataset}.tsv"
    conda:
        "../envs/msk-cooccurrence.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        view=view,
        version=VERSION,
        exports=list(EXPORTS),
    script:
        "../scripts/exports.py"


# The index reads the tables, not the reports it links to, so it is drawn beside them (the default
# target asks for both). It also links the reports of datasets of other configs found in reports/.
rule index:
    input:
        **{key: expand(path, dataset=DATASETS) for key, path in INDEX_INPUTS.items()},
        comparison=index_comparison,
    output:
        html=report(
            "reports/index.html",
            caption="../report/index.rst",
            category="All datasets",
            labels={"name": "Comparison of the datasets"},
        ),
    log:
        "logs/report/index.log",
    benchmark:
        "logs/benchmarks/report/index.tsv"
    conda:
        "../envs/msk-cooccurrence.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        datasets=DATASETS,
        others=OTHER_REPORTS,
        version=VERSION,
    script:
        "../scripts/index.py"


# Each pair's odds ratios pooled across the datasets (random-effects meta-analysis, metafor's rma):
# one table and one figure for the run, which the index shows; only with two datasets or more.
rule comparison:
    input:
        odds_ratios=comparison_inputs,
    output:
        table=RUN_OUTPUTS["comparison"],
        figure=RUN_OUTPUTS["comparison_forest"],
    log:
        "logs/report/comparison.log",
    benchmark:
        "logs/benchmarks/report/comparison.tsv"
    conda:
        "../envs/msk-cooccurrence.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        datasets=DATASETS,
        comparison=SETTINGS["comparison"],
        version=VERSION,
    script:
        "../scripts/comparison.py"


# A run in which a job stopped still leaves an index that tells the truth: the datasets that finished
# compared, every other dataset of the config named with its state and, where a job stopped, its
# message (run_stages.index_of_run; the jobs' records are those of this run, failures.py). The
# profiles set `keep-going`, so one dataset's failure does not stop the others. Where the package
# cannot be loaded here (only the jobs' environment has its libraries: `--sdm conda`), the index
# is left as it is.
onstart:
    clear_failures()


# The last lines a researcher reads: what each dataset's rows became (run_summary.py).
onsuccess:
    print_run_summary()


onerror:
    write_index_of_run()
    print_run_summary()
