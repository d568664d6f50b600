"""msk-cooccurrence: design-based co-occurrence of knee OA, bunions, obesity and low back pain.

The package's folders are its layers; a module imports only from its own folder and the ones
listed before it (tests/test_architecture.py checks this):

1. the root's core, what every folder reads: `errors`, `columns` (the harmonized columns),
   `labels` (how names read), `resources` (package data), `wiring` (what the Snakefile reads at
   parse time, standard library and PyYAML only), `settings` (the validated `Settings`, each
   dataset's view), `outputs` (the registry of tables and figures, resources/outputs.yaml),
   `files` (atomic I/O), `failures` (the jobs of a run that stopped, for the index), `run_summary`
   (the end of a run on the console: each dataset's rows read, analysed, quarantined), `illustrative`
   (a dataset's title, and the words that say made-up numbers describe no one).
2. `survey/`: the design and its variance, the model fits and every estimate (survey/__init__).
3. `intake/`: sources read, conditions derived, harmonized and validated, chunk by chunk.
4. `tables/`: one module per table of the registry, which never import each other.
5. `report/`: figures, presentation and the HTML report and index, from the tables.
6. the root's wiring, which reads them all: `config` (schema validation and the checks a schema
   cannot state), `pipeline` (pure steps and the workflow's stages of a dataset), `run_stages`
   (the stages over every dataset of a run: the comparison, the index), `runner`.

docs/architecture.md walks one row from its input file to the report.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

__version__ = "0.1.0"

# Issue 22 moved the modules into folders; `from msk_cooccurrence.pairs import fit_pair` (README of
# 0.1.0, notebooks) keeps working for this release, with a DeprecationWarning naming the new place.
# (report.py became report/document.py: `msk_cooccurrence.report` is now the folder.)
MOVED = {
    name: f"{folder}.{name}"
    for folder, names in {
        "survey": "design cells estimate splines data identifiability glm inference pairs standardize reliability "
        "raoscott",
        "intake": "xport values ingest nhanes synthetic sources definitions derive harmonize validate verdict chunks",
        "tables": "prevalence patterns odds_ratios subgroups alternative_definitions loglinear dose_response claims "
        "sensitivity association table1 quality imputation imputation_model",
        "report": "figures subgroup_figures dataset_text presentation index",
    }.items()
    for name in names.split()
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `msk_cooccurrence.<old name>` as the module's new place (the same module object)."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition(".")
        if package != __name__ or name not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        new = f"{__name__}.{MOVED[spec.name.rpartition('.')[2]]}"
        warnings.warn(f"{spec.name} moved to {new}; import it from there", DeprecationWarning, stacklevel=2)
        module = importlib.import_module(new)
        spec.loader_state = module.__spec__  # import sets __spec__ to this alias's: put the module's own back
        return module

    def exec_module(self, module):
        module.__spec__ = module.__spec__.loader_state  # the module itself was executed at its new place


sys.meta_path.append(_MovedModules())
