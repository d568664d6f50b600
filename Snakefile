# The entry point README names: `snakemake --cores 4` in a clone runs this file. The workflow
# itself is workflow/Snakefile (the Snakemake workflow catalog's layout); an included file's
# default target does not count here, so this file names it again.


include: "workflow/Snakefile"


rule default:
    default_target: True
    input:
        rules.all.input,
