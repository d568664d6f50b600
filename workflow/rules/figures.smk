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
            labels={"figure": "{figure}"},
        ),
        svg="reports/{dataset}/figures/{figure}.svg",
    log:
        "logs/figure/{dataset}/{figure}.log",
    params:
        view=view,
        version=VERSION,
        caption=lambda wildcards: outputs.figures()[wildcards.figure].caption,
    script:
        "../scripts/figure.py"
