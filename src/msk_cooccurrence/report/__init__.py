"""The report and the exports: figures, HTML and files for a manuscript, drawn from the tables (never
from rows, except reproduce.R's rows).

`figures`, `network_figure`, `subgroup_figures`, `comparison_figures` (the index's forest plots):
SVG; `dataset_text`
(sentences about a dataset's definitions), `presentation` (marks and footnotes for unreliable
estimates, the tables as shown), `methods` (the Methods, one text for the report and the .docx),
`document` (a dataset's HTML report), `index` (reports/index.html over the datasets); the exports:
`exports` (the tables as shown, the links), `workbook` (tables.xlsx), `manuscript`
(manuscript.docx), `reproduce` (reproduce.R and the rows it reads).

Imports: the package root's core, `survey` and `intake` (the definitions a report describes); not
tables, whose results it reads from their files.
"""
