"""msk-cooccurrence: design-based co-occurrence of knee OA, bunions, obesity and low back pain.

The package is layered; a module imports only from its own layer or the ones above it
(tests/test_architecture.py checks this):

1. core: `errors`, `columns` (the harmonized columns), `labels` (how names read), `resources`
   (package data), `wiring` (what the Snakefile reads at parse time, standard library and PyYAML
   only), `settings`
   (the validated `Settings`, each dataset's view), `design` (survey design and variance),
   `cells`, `estimate` (the one estimate type: intervals, p-values, tests), `splines` (natural
   cubic spline bases), `data` (`AnalysisData`, what estimators take: covariates as predictors,
   groupings), `universe_cells` (groupings that define a condition; age bands outside its universe).
2. statistics on arrays: `identifiability` (aliasing, separation and convergence of a logistic fit),
   `glm` (statsmodels' GLM: every logistic and Poisson fit), `inference` (proportions, logistic fits),
   `pairs` (the crude, adjusted and mutual models of a pair of conditions, in a domain),
   `standardize`, `reliability` (design effects, NCHS presentation standards), `count_reliability`
   (the NCHS standard for counts, and the counts a suppressed proportion takes down), `raoscott`
   (Rao-Scott tests), `imputation_model` (the variables multiple imputation completes, as level
   codes) and `imputation` (its draws).
3. data in: `xport` (a SAS XPORT file's layout checked whole), `ingest`, `nhanes`, `synthetic`,
   `sources` (the registry of sources), `definitions` (the declarative rule language), `derive`
   (rules applied to a dataset), `harmonize`,
   `validate`, `config` (schema validation and the checks a schema cannot state).
4. estimators, one module per table, which never import each other: `prevalence`, `patterns`,
   `odds_ratios`, `subgroups`, `alternative_definitions` (definitions.csv), `loglinear`,
   `dose_response`, `claims`, `sensitivity`, `association`, `table1`, `quality` (data quality).
5. outputs: `outputs` (the registry of tables and figures, resources/outputs.yaml), `figures`,
   `subgroup_figures`,
   `dataset_text` (labels and sentences about a dataset's definitions), `presentation` (marks and
   footnotes for unreliable estimates), `illustrative` (a dataset's title, the banner of made-up data),
   `report`, `index`.
6. orchestration: `files` (atomic I/O), `failures` (the jobs of a run that stopped, for the index),
   `chunks` (ingest and validation chunk by chunk), `pipeline` (pure steps and the workflow's
   stages), `runner`.

docs/architecture.md walks one row from its input file to the report.
"""

__version__ = "0.1.0"
