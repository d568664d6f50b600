# one job per figure of the registry, drawn from the tables it names
rule figure:
    input:
        figure_tables,
    output:
        png=report(
            "reports/{dataset}/figures/{figure}.png",
            caption="../report/figure.rst",
            category="{dataset}",
            subcategory="Figures",
            labels=title("figures"),
        ),
        svg="reports/{dataset}/figures/{figure}.svg",
    log:
        "logs/figure/{dataset}/{figure}.log",
    benchmark:
        "logs/benchmarks/figure/{dataset}/{figure}.tsv"
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
        "../scripts/figure.py"
