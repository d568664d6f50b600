"""The corpus's files: small ones derived from good.csv (committed), large ones made when a test needs them.

    python tests/corpus/generate.py             rewrites the small committed files
    python tests/corpus/generate.py NAME OUT    writes the generated file NAME to OUT (R references use this)

Everything is arithmetic on the row number (no random generator), so a file is the same on every
machine and numpy version.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

CORPUS = Path(__file__).parent


def good() -> pd.DataFrame:
    return pd.read_csv(CORPUS / "good.csv", dtype=str, keep_default_na=False)


def hashed(i: np.ndarray, k: int) -> np.ndarray:
    """A uniform-looking number in [0, 1) from a row number and a stream number (Knuth's multiplicative hash)."""
    return ((i * 2654435761 + k * 2246822519 + (i * k) * 3266489917) % 2**32) / 2**32


# --- small files, committed ------------------------------------------------------------------------


def none_mild_severe() -> pd.DataFrame:
    """Low back pain coded None / Mild / Severe: 'None' is a code here, not a missing value."""
    table = good()
    lbp = table["LBP"].map({"1": "Mild", "2": "None", "9": ""})
    lbp[(table["LBP"] == "1") & (table.index % 2 == 1)] = "Severe"
    return table.assign(LBP=lbp)


def na_words() -> pd.DataFrame:
    """Unknown low back pain written N/A instead of 9 (13 rows, 6.5%)."""
    table = good()
    return table.assign(LBP=table["LBP"].replace({"9": "N/A"}))


def inf_weight() -> pd.DataFrame:
    table = good()
    table.loc[5, "WT"] = "inf"
    table.loc[9, "WT"] = "1e400"  # overflows to inf
    return table


def first_rows(n: int):
    return lambda: good().head(n)


def design(stratum, psu):
    return lambda: good().assign(STRAT=stratum, PSU=psu)


def empty_column(column: str):
    return lambda: good().assign(**{column: ""})


def all_invalid() -> pd.DataFrame:
    table = good()
    table.loc[table.index % 2 == 0, "AGE"] = "150"
    table.loc[table.index % 2 == 1, "WT"] = "-1"
    return table


def semicolons(decimal: str):
    def make() -> pd.DataFrame:
        table = good()
        for column in ("BMI", "WT"):
            table[column] = table[column].str.replace(".", decimal, regex=False)
        return table

    return make


def thousands(separator: str, decimal: str):
    """Weights of 1,000 and more written with a thousands separator (2,990.0; 2.990,0 with decimal commas)."""

    def make() -> pd.DataFrame:
        table = good()
        for column in ("BMI", "WT"):
            whole, fraction = table[column].str.split(".", expand=True).T.to_numpy()
            grouped = [f"{int(w):,}".replace(",", separator) for w in whole]
            table[column] = [f"{w}{decimal}{f}" for w, f in zip(grouped, fraction)]
        return table

    return make


def special_values() -> pd.DataFrame:
    """Ages top-coded as '80+' and BMI not measured written '.'."""
    table = good()
    table.loc[[2, 49, 119], "AGE"] = "80+"
    table.loc[[6, 59], "BMI"] = "."
    return table


def obesity_column() -> pd.DataFrame:
    """An obesity column that contradicts BMI >= 30 in 7 rows."""
    table = good()
    obese = table["BMI"].astype(float) >= 30
    flipped = table.index.isin([1, 4, 10, 33, 77, 150, 199])
    table["OBES"] = np.where(obese ^ flipped, "1", "2")
    return table


def dominant_weight() -> pd.DataFrame:
    table = good()
    table.loc[16, "WT"] = "1000000000"
    return table


SMALL = {
    "none_mild_severe.csv": none_mild_severe,
    "na_words.csv": na_words,
    "inf_weight.csv": inf_weight,
    "one_row.csv": first_rows(1),
    "two_rows.csv": first_rows(2),
    "one_psu.csv": design("1", "1"),
    "one_stratum_two_psus.csv": design("1", [str(1 + i % 2) for i in range(200)]),
    "empty_condition.csv": empty_column("KOA"),
    "empty_bmi.csv": empty_column("BMI"),
    "all_invalid.csv": all_invalid,
    "semicolons.csv": semicolons("."),
    "decimal_commas.csv": semicolons(","),
    "special_values.csv": special_values,
    "thousands.csv": thousands(",", "."),
    "thousands_points.csv": thousands(".", ","),
    "obesity_column.csv": obesity_column,
    "dominant_weight.csv": dominant_weight,
}
DELIMITERS = {"semicolons.csv": ";", "decimal_commas.csv": ";", "thousands_points.csv": ";", "tab.tsv": "\t"}


def write_small() -> None:
    for name, make in SMALL.items():
        make().to_csv(CORPUS / name, index=False, sep=DELIMITERS.get(name, ","))
    good().to_csv(CORPUS / "tab.tsv", index=False, sep="\t")
    good().to_parquet(CORPUS / "parquet_named.csv", index=False)


# --- generated files, made by the tests ------------------------------------------------------------


def rare_condition(n: int = 100_000) -> pd.DataFrame:
    """100,000 rows, 15 strata x 2 PSUs, low back pain in 5 rows, all aged 82 to 84 (fitted
    probabilities of the young fall below 1e-8, which a heuristic separation check mistakes for
    separation)."""
    i = np.arange(n, dtype=np.int64)
    age = 18 + np.floor(67 * hashed(i, 2)).astype(int)
    koa = np.where(hashed(i, 5) < 0.05 + 0.25 * (age >= 60), 1, 2)
    lbp = np.full(n, 2)
    cases = np.flatnonzero(age >= 82)[[3, 500, 1000, 1500, 2000]]
    lbp[cases] = 1
    koa[cases] = [1, 2, 2, 2, 2]
    return pd.DataFrame(
        {
            "ID": [f"R{j:06d}" for j in i],
            "AGE": age,
            "SEX": 1 + (hashed(i, 3) < 0.52).astype(int),
            "BMI": np.round(17 + 25 * hashed(i, 4), 1),
            "KOA": koa,
            "LBP": lbp,
            "WT": np.round(800 + 4000 * hashed(i, 1), 1),
            "STRAT": i % 15 + 1,
            "PSU": (i // 15) % 2 + 1,
        }
    )


def survey_rows(n: int) -> pd.DataFrame:
    """n rows with ages, sexes, BMI, weights and a 15 x 2 design; knee OA and low back pain related to age."""
    i = np.arange(n, dtype=np.int64)
    age = 18 + np.floor(67 * hashed(i, 2)).astype(int)
    return pd.DataFrame(
        {
            "ID": [f"S{j:05d}" for j in i],
            "AGE": age,
            "SEX": 1 + (hashed(i, 3) < 0.52).astype(int),
            "BMI": np.round(17 + 25 * hashed(i, 4), 1),
            "KOA": np.where(hashed(i, 5) < 0.05 + 0.2 * (age >= 60), 1, 2),
            "LBP": np.where(hashed(i, 6) < 0.2 + 0.1 * (age >= 50) + 0.1 * (hashed(i, 4) > 0.6), 1, 2),
            "WT": np.round(800 + 4000 * hashed(i, 1), 1),
            "STRAT": i % 15 + 1,
            "PSU": (i // 15) % 2 + 1,
        }
    )


def identical_conditions() -> pd.DataFrame:
    """2,000 rows; the config maps knee OA and bunions to the same column KOA."""
    return survey_rows(2000)


def twelve_conditions() -> pd.DataFrame:
    """2,000 rows with twelve conditions C01..C12 (1 yes, 2 no), prevalences 10% to 43%."""
    table = survey_rows(2000)
    i = np.arange(len(table), dtype=np.int64)
    for j in range(1, 13):
        table[f"C{j:02d}"] = np.where(hashed(i, 10 + j) < 0.07 + 0.03 * j, 1, 2)
    return table


def one_age() -> pd.DataFrame:
    """1,200 rows of a 15 x 2 design, everyone aged 50: two equal means whose SE is rounding."""
    return survey_rows(1200).assign(AGE=50)


def mirrored_psus() -> pd.DataFrame:
    """600 rows in 6 strata whose second PSU repeats the first's rows (new ids), rows shuffled: every
    design variance is zero but for the rounding of sums taken in another order."""
    first = survey_rows(300).assign(STRAT=lambda t: t.index % 6 + 1, PSU=1)
    second = first.assign(ID="M" + first["ID"], PSU=2)
    order = np.argsort(hashed(np.arange(600, dtype=np.int64), 7))
    return pd.concat([first, second], ignore_index=True).iloc[order]


def bmi_unknown_for_cases(n: int = 600, condition: str = "KOA") -> pd.DataFrame:
    """n survey rows whose BMI is blank in every row with the condition (KOA or LBP) and in a tenth of
    the others (issue 21, item 7): obesity, from BMI, is never known together with the condition."""
    table = survey_rows(n)
    i = np.arange(n, dtype=np.int64)
    blank = (table[condition] == 1) | (hashed(i, 7) < 0.1)
    return table.assign(BMI=np.where(blank, "", table["BMI"].astype(str)))


def bmi_unknown_for_back_pain() -> pd.DataFrame:
    return bmi_unknown_for_cases(condition="LBP")


def mostly_unknown_back_pain(n: int = 2000) -> pd.DataFrame:
    """n survey rows with low back pain unknown (9) in 91% of them, at random (issue 21, item 13)."""
    table = survey_rows(n)
    i = np.arange(n, dtype=np.int64)
    return table.assign(LBP=np.where(hashed(i, 8) < 0.91, 9, table["LBP"]))


GENERATED = {
    "mostly_unknown_back_pain": mostly_unknown_back_pain,
    "bmi_unknown_for_cases": bmi_unknown_for_cases,
    "bmi_unknown_for_back_pain": bmi_unknown_for_back_pain,
    "rare_condition": rare_condition,
    "identical_conditions": identical_conditions,
    "twelve_conditions": twelve_conditions,
    "one_age": one_age,
    "mirrored_psus": mirrored_psus,
}


def write_generated(name: str, path: Path | str) -> Path:
    GENERATED[name]().to_csv(path, index=False)
    return Path(path)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        write_generated(sys.argv[1], sys.argv[2])
    else:
        write_small()
