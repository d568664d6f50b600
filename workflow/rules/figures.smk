# The figures of the registry, all of one dataset in one job: each is a second of drawing, and a
# job of its own would add a second or two of start-up (matplotlib) to every one.
rule figures:
    input:
        [f"reports/{{dataset}}/tables/{name}.csv" for name in FIGURE_TABLES],
    output:
        **{
            f"{name}_{kind}": (
                report(
                    f"reports/{{dataset}}/figures/{name}.png",
                    caption="../report/figure.rst",
                    category="{dataset}",
                    subcategory="Figures",
                    labels={"figure": name},
                )
                if kind == "png"
                else f"reports/{{dataset}}/figures/{name}.svg"
            )
            for name in FIGURES
            for kind in ("png", "svg")
        },
    log:
        "logs/figures/{dataset}.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        view=view,
        version=VERSION,
        caption="\n\n".join(
            f"**{spec.title}** ({name}.png): {spec.caption}"
            for name, spec in outputs.figures().items()
        ),
    script:
        "../scripts/figures.py"
