"""The package's shape: layered imports, one registry of outputs that every reader agrees with."""

from __future__ import annotations

import ast
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import PROJECT
from helpers import LITERATURE, run_stages, small_table, table_dataset

from msk_cooccurrence import outputs, pipeline
from msk_cooccurrence.config import validate_config
from msk_cooccurrence.intake.sources import SOURCES
from msk_cooccurrence.settings import dataset_view

PACKAGE = PROJECT / "src" / "msk_cooccurrence"
# the layers of msk_cooccurrence/__init__.py: the folders, between the root's core and its wiring. A
# module may import from its own layer and those above. The estimators are the modules the registry
# of outputs names: a new table needs no entry here.
ESTIMATORS = {spec.function.rsplit(".", 2)[-2] for spec in outputs.tables().values()}
CORE = {"errors", "columns", "labels", "resources", "wiring", "settings", "outputs", "files", "failures"}
CORE |= {"run_summary", "illustrative"}
LAYERS = [CORE, {"survey"}, {"intake"}, {"tables"}, {"report"}, {"config", "pipeline", "run_stages", "runner"}]
FOLDERS = ("survey", "intake", "tables", "report")


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.stem != "__init__" and "resources" not in p.parts)


def place(path: Path) -> str:
    """A module's place in the layers: its folder, or its own name in the root."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def package_imports(path: Path) -> set[str]:
    """The places (folders, root modules) a file imports, read from its relative imports."""
    found = set()
    own = path.relative_to(PACKAGE).parts[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = own[: len(own) - (node.level - 1)]
            names = node.module.split(".") if node.module else []
            targets = [(*base, *names)] if names else [(*base, alias.name) for alias in node.names]
            found.update(target[0] for target in targets if target and target[0] != "__version__")
    return found


def layer_of(place_name: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if place_name in layer)


def test_every_module_has_a_layer_and_the_root_keeps_only_the_wiring():
    assert {place(p) for p in modules()} | {"resources"} == set().union(*LAYERS)
    root = [p for p in PACKAGE.glob("*.py")]
    assert len(root) <= 15, [p.name for p in root]
    for folder in FOLDERS:
        assert ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text())), folder


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE).with_suffix("")))
def test_imports_go_up_the_layers_and_estimators_never_import_each_other(path):
    own = layer_of(place(path))
    for imported in package_imports(path):
        assert layer_of(imported) <= own, f"{path.stem} ({place(path)}) imports {imported}"
    if place(path) == "tables" and path.stem in ESTIMATORS:
        siblings = {n.module for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.ImportFrom)}
        assert not {f"{m}" for m in ESTIMATORS} & {s for s in siblings if s}, path.stem


def test_no_import_circle_among_the_modules():
    """The graph of module imports, drawn from the code, has no circle (issue 22: derive -> harmonize ->
    ingest -> derive had one)."""
    graph = {}
    for path in modules():
        own = path.relative_to(PACKAGE).with_suffix("").parts
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = own[:-1][: len(own) - node.level]
                names = node.module.split(".") if node.module else []
                for alias in node.names if not names else [None]:
                    target = (*base, *names) if names else (*base, alias.name)
                    if (PACKAGE.joinpath(*target).with_suffix(".py")).exists():
                        edges.add(".".join(target))
        graph[".".join(own)] = edges
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            assert state.get(nxt) != 1, " -> ".join([*trail, node, nxt])
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


def test_every_registered_function_takes_what_the_registry_gives():
    for spec in outputs.tables().values():
        parameters = set(inspect.signature(outputs.resolve(spec.function)).parameters)
        assert parameters - {"data", "settings"} == set(spec.inputs), spec.name
    for spec in outputs.figures().values():
        parameters = inspect.signature(outputs.resolve(spec.function)).parameters
        required = {n for n, p in parameters.items() if p.default is inspect.Parameter.empty}
        assert required - {"settings"} == set(spec.tables), spec.name
        assert set(spec.tables) <= set(outputs.tables())


def test_readme_table_of_outputs_is_the_registry():
    rows = outputs.markdown_table()
    assert rows in (PROJECT / "README.md").read_text(), (
        "README's rows for tables and figures are not the registry's: paste the output of "
        "`python -m msk_cooccurrence.outputs` into README.md's table of outputs"
    )


def test_no_module_branches_on_the_source_name():
    for path in modules():
        if path.stem == "sources":
            continue
        text = path.read_text()
        assert not re.search(r"""\[["']source["']\]\s*==""", text), path.stem
        for name in SOURCES:
            assert f'== "{name}"' not in text, (path.stem, name)


JOB_LOADS = """
import json, sys
from msk_cooccurrence import outputs, pipeline
view, paths, job = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
out = lambda name: paths["out"] + "/" + name
if job == "impute":
    pipeline.impute_stage(view, paths["model"], 0, out("draws.npy"))
elif job == "imputation_model":
    pipeline.imputation_model_stage(view, paths["analysis"], out("model_again.npz"))
elif job == "ingest":
    pipeline.ingest_stage("study", view, out("raw.parquet"), out("t.csv"), out("p.json"))
elif job == "validate":
    written = [out(name) for name in ("h.parquet", "a.parquet", "q.csv", "v.json")]
    pipeline.validate_stage("study", view, paths["raw"], *written)
else:
    wanted = {n: out(f"{n}.csv") for n in outputs.families()[job]}
    needed = {n for name in wanted for n in outputs.tables()[name].inputs if n not in wanted}
    pipeline.tables_stage(view, paths["analysis"], {n: paths[n] for n in needed}, wanted)
heavy = ("pandas", "scipy", "statsmodels", "matplotlib", "pandera")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


@pytest.mark.parametrize(
    "job, absent, present",
    [
        # the jobs that fit models load statsmodels, their engine (glm.py), and what it loads
        ("impute", ("matplotlib", "pandera"), ("statsmodels",)),  # its logistic models
        ("imputation_model", ("scipy", "statsmodels", "matplotlib", "pandera"), ()),  # counts, fits nothing
        ("ingest", ("scipy", "statsmodels", "matplotlib", "pandera"), ()),
        ("validate", ("scipy", "statsmodels", "matplotlib"), ()),
        ("descriptive", ("statsmodels", "matplotlib", "pandera", "scipy.stats", "scipy.optimize"), ()),
        ("models", ("matplotlib", "pandera"), ("statsmodels",)),
        ("sensitivity", ("matplotlib", "pandera"), ("statsmodels",)),
    ],
)
def test_a_job_loads_only_what_it_uses(tmp_path, job, absent, present):
    """A library loaded for nothing costs every job of that kind its start-up (a second for scipy.stats
    or statsmodels): at a million rows most of a small job's time. statsmodels is loaded by the jobs
    that fit models, and by them only."""
    small_table(80).to_csv(tmp_path / "study.csv", index=False)
    datasets = {"study": table_dataset(tmp_path / "study.csv")}
    imputation = {"multiple_imputation": True, "imputations": 2, "imputations_per_job": 1}
    config = validate_config({"datasets": datasets, "literature": str(LITERATURE), "sensitivity": imputation})
    made = run_stages(config, "study", tmp_path / "made", tables=False)
    view = dataset_view(config, "study")
    pipeline.imputation_model_stage(view, made["analysis"], tmp_path / "model.npz")
    paths = {"model": str(tmp_path / "model.npz"), "analysis": str(made["analysis"]), "out": str(tmp_path)}
    paths |= {"validation": str(made["validation"]), "raw": str(made["raw"]), "literature": str(LITERATURE)}
    if job == "sensitivity":  # what the pooling job reads: the odds ratios, the model and every imputation
        batches = range(len(pipeline.imputation_batches(view["sensitivity"])))
        for batch in batches:
            pipeline.impute_stage(view, paths["model"], batch, tmp_path / f"{batch}.npy")
        given = {"validation": made["validation"], "literature": LITERATURE}
        pipeline.tables_stage(view, made["analysis"], given, {"odds_ratios": tmp_path / "odds_ratios.csv"})
        paths |= {"odds_ratios": str(tmp_path / "odds_ratios.csv"), "imputation_model": paths["model"]}
        paths["imputations"] = [str(tmp_path / f"{batch}.npy") for batch in batches]
    done = subprocess.run(
        [sys.executable, "-c", JOB_LOADS, json.dumps(view), json.dumps(paths), job],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert not [m for m in absent if m in loaded], f"{job} loaded {sorted(m for m in absent if m in loaded)}"
    assert set(present) <= loaded, f"{job} fitted no model with statsmodels"
    if job == "sensitivity":  # it pooled the imputations (fitting models), not only the complete cases
        assert "multiple imputation" in set(pd.read_csv(tmp_path / "sensitivity.csv")["method"])


def test_checking_a_config_loads_no_pandas():
    """The workflow checks the config at parse time (every `snakemake` call, dry runs included): with
    plain Python, in a fraction of a second, not the second pandas and the readers take to load."""
    script = (
        "import sys\nfrom msk_cooccurrence.config import validate_config\n"
        "validate_config({'datasets': {'a': {'source': 'synthetic', 'n': 100, 'seed': 1}}})\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow', 'pyreadstat', 'scipy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_module_moved_into_a_folder_is_still_importable_by_its_old_name():
    """For a release, `from msk_cooccurrence.survey.pairs import fit_pair` (README of 0.1.0) gives the module at
    its new place, with a warning naming it; the module keeps its own name."""
    old = "msk_cooccurrence" + ".pairs"  # written apart, so that no rewrite of the imports touches it
    code = (
        "import warnings\nwarnings.simplefilter('error')\n"
        f"try:\n    from {old} import fit_pair\nexcept DeprecationWarning as w:\n    print(w)\n"
        f"warnings.simplefilter('ignore')\nfrom {old} import fit_pair\n"
        "from msk_cooccurrence.survey import pairs\nprint(fit_pair is pairs.fit_pair, pairs.__spec__.name)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == [
        f"{old} moved to msk_cooccurrence.survey.pairs; import it from there",
        "True msk_cooccurrence.survey.pairs",
    ]
