"""The report: figures and HTML drawn from the tables (never from rows).

`figures`, `subgroup_figures`, `comparison_figures` (the index's forest plots) (SVG), `dataset_text` (sentences about a dataset's definitions),
`presentation` (marks and footnotes for unreliable estimates, the tables as shown), `document` (a
dataset's HTML report), `index` (reports/index.html over the datasets).

Imports: the package root's core, `survey` and `intake` (the definitions a report describes); not
tables, whose results it reads from their files.
"""
