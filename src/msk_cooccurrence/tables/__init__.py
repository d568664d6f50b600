"""The tables of the registry (resources/outputs.yaml), one module per table, which never import
each other: `prevalence`, `patterns`, `odds_ratios`, `subgroups`, `alternative_definitions`
(definitions.csv), `loglinear`, `dose_response`, `claims`, `sensitivity` (with multiple imputation:
`imputation_model`, the variables it completes, and `imputation`, its draws), `association`,
`table1`, `quality` (data quality); and `comparison`, the run's table across datasets (each
pair's odds ratios pooled).

Imports: the package root's core and `survey`; nothing of intake or report.
"""
