"""The survey core: the design and its variance, and every estimate the tables are made of.

`design` (the survey design, Taylor-linearized variance as R `survey`, the design's summary),
`cells` (rows collapsed to cells), `estimate` (the one estimate type: intervals, p-values, tests),
`splines`, `data` (`AnalysisData`, what estimators take), `identifiability` (aliasing, separation,
convergence), `glm` (statsmodels' GLM: every logistic and Poisson fit), `inference` (proportions,
logistic fits), `pairs` (a pair of conditions' crude, adjusted and mutual models), `standardize`,
`reliability` (design effects, NCHS presentation standards), `count_reliability` (NCHS rules for
counts, as surveytable), `universe_cells` (cells that a definition or a universe decides),
`raoscott` (Rao-Scott tests),
`meta_analysis` (random-effects pooling, as R metafor's rma).

Imports: the package root's core (errors, columns, labels, wiring, settings, outputs, files,
failures) only; nothing of intake, tables or report.
"""
