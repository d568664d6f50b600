"""Intake: a dataset's sources read, its conditions derived, harmonized and validated, chunk by chunk.

One pass per chunk (`chunks`): read (`ingest`, `nhanes`, `synthetic`, through `sources`, the registry
of sources; `xport` checks a SAS transport file whole) -> derive the rule conditions (`derive`, by
the rule language of `definitions`) -> harmonize (rename, recode, obesity, universes: `harmonize`)
-> validate (`validate`) -> write; at the file's end each step's verdict once, and `verdict`
(validation.json's summary and warnings; `quarantine`: the quarantine's reasons in words).
`values` holds what those steps share.

Imports: the package root's core and `survey` (the design's summary); nothing of tables or report.
"""
