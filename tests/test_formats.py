"""The same table in every supported format gives byte-identical output tables."""

from __future__ import annotations

import json
import shutil
import subprocess

import pyreadstat
import pytest
from conftest import PROJECT
from helpers import CODES, COLUMNS, run_stages, small_table

from msk_cooccurrence import outputs
from msk_cooccurrence.config import validate_config


def write_every_format(table, folder) -> dict[str, dict]:
    """The table written as CSV, semicolon CSV in latin-1, Parquet, XPT, Stata and SPSS."""
    files = {
        "csv": folder / "t.csv",
        "semicolon": folder / "t.txt",
        "parquet": folder / "t.parquet",
        "xpt": folder / "t.xpt",
        "stata": folder / "t.dta",
        "spss": folder / "t.sav",
    }
    table.to_csv(files["csv"], index=False)
    table.to_csv(files["semicolon"], index=False, sep=";", encoding="latin-1")
    table.to_parquet(files["parquet"])
    pyreadstat.write_xport(table, str(files["xpt"]), table_name="STUDY")
    pyreadstat.write_dta(table, str(files["stata"]))
    pyreadstat.write_sav(table, str(files["spss"]))
    extra = {"semicolon": {"delimiter": ";", "encoding": "latin-1"}}
    return {
        name: {"source": "table", "path": str(path), "columns": COLUMNS, "codes": CODES} | extra.get(name, {})
        for name, path in files.items()
    }


def run_tables(dataset: dict, folder) -> dict[str, bytes]:
    config = validate_config(
        {
            "conditions": ["knee_oa", "bunions", "obesity", "low_back_pain"],
            "literature": str(PROJECT / "config" / "literature.csv"),
            "datasets": {"study": dataset},
        }
    )
    paths = run_stages(config, "study", folder)
    validation = json.loads(paths["validation"].read_text())
    validation.pop("source")  # the file's own path
    return {name: paths[name].read_bytes() for name in outputs.tables()} | {"validation": validation}


def test_every_format_gives_the_same_output_tables(tmp_path):
    table = small_table(120)
    table["ID"] = "P" + table["ID"]  # text ids, as most files have
    table.loc[3, "AGE"] = 150  # one row to quarantine in every format
    datasets = write_every_format(table, tmp_path)
    reference = run_tables(datasets.pop("csv"), tmp_path / "out_csv")
    for name, dataset in datasets.items():
        got = run_tables(dataset, tmp_path / f"out_{name}")
        for table_name, content in reference.items():
            assert got[table_name] == content, f"{name}: {table_name} differs from CSV"


@pytest.mark.parametrize("suffix", [".xlsx", ".json"])
def test_an_unknown_extension_asks_for_the_format(tmp_path, suffix):
    from msk_cooccurrence.errors import InputError
    from msk_cooccurrence.intake.ingest import read_table

    path = tmp_path / f"t{suffix}"
    path.write_text("x")
    with pytest.raises(InputError, match="format"):
        read_table("study", {"path": str(path), "columns": COLUMNS})


def r_haven_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    return subprocess.run(["Rscript", "-e", "library(haven)"], capture_output=True).returncode == 0


@pytest.mark.skipif(not r_haven_available(), reason="R with haven is needed to write a SAS7BDAT file")
def test_sas7bdat_gives_the_same_output_tables(tmp_path):
    table = small_table(120)
    table["ID"] = "P" + table["ID"]
    table.to_csv(tmp_path / "t.csv", index=False)
    csv, sas = tmp_path / "t.csv", tmp_path / "t.sas7bdat"
    script = f'haven::write_sas(read.csv("{csv}", colClasses = c(ID = "character")), "{sas}")'
    subprocess.run(["Rscript", "-e", script], check=True, capture_output=True)
    dataset = {"source": "table", "columns": COLUMNS, "codes": CODES}
    reference = run_tables(dataset | {"path": str(tmp_path / "t.csv")}, tmp_path / "out_csv")
    assert run_tables(dataset | {"path": str(tmp_path / "t.sas7bdat")}, tmp_path / "out_sas") == reference
