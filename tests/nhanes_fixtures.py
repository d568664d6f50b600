"""NHANES 1999-2004 files as CDC lays them out, with made-up respondents (a fixed seed).

Written from the codebooks (wwwn.cdc.gov/Nchs/Nhanes/<cycle>/<FILE>.htm), so that the pipeline
meets what real files hold:
- one file per component and cycle, CDC's names: DEMO.XPT (1999-2000), DEMO_B.XPT, DEMO_C.XPT ...;
- file universes: DEMO, MCQ and BMX hold every respondent (BMX only the examined), MPQ only adults
  20+, LEXPN only examined adults 40+ (blank where the foot exam was not done);
- blanks where a question was skipped (MCQ190 unless MCQ160A = 1; MPD050A-J unless MPQ010 = 1);
  7 refused, 9 don't know; MPD050A 77/99 when the joints asked about were refused; LEALBUN and
  LEARBUN 8 = could not obtain;
- MPD050I is 18 (right knee) and MPD050J 19 (left knee), never 1; MCQ190 2 = osteoarthritis;
- the 1999-2002 files spell MPD050a/i/j and MCQ160a in lower case;
- strata numbered as the real cycles (1-13, 14-28, 29-43), two PSUs each; WTMEC2YR 0 for the
  respondents only interviewed; WTMEC4YR in the 1999-2000 and 2001-2002 DEMO files only;
  RIDEXPRG (1 pregnant, 2 not, 3 cannot tell) for women 8-59; ages top-coded at 85;
- RIDRETH1 (1 Mexican American, 2 Other Hispanic, 3 Non-Hispanic White, 4 Non-Hispanic Black,
  5 Other Race - Including Multi-Racial) for everyone, in each cycle's shares of its codebook;
  DMDEDUC2 (1 less than 9th grade ... 5 college graduate or above, 7 refused, 9 don't know) for
  adults 20+ only, blank below 20, and blank for 2 adults of 1999-2000 and 4 of 2001-2002 as in
  those files; INDFMPIR, the family income to poverty ratio to two decimals, 0 to 4.99 and 5 for
  5.00 or more, blank in each cycle's codebook share (15%, 7%, 6%);
- education and income follow race and age, and the conditions follow them (BMI, arthritis, knee
  and back pain rise with less schooling and income; bunions are commoner in Non-Hispanic Black
  adults), so adjusting for them moves the odds ratios a little;
- extra columns the pipeline does not use, and SEQN stored as a float, as in CDC's files.

The new DEMO columns (RIDRETH1, DMDEDUC2's refusals and blanks, INDFMPIR) come from a stream of
their own, and DMDEDUC2's levels from the draw the fixtures always spent on it, so every other
column draws the same random numbers as before the covariates existed: design, ages, weights and
exam status are unchanged, and BMI and the conditions differ only by the covariates' terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import yaml

EXAMPLES = Path(__file__).resolve().parents[1] / "config" / "examples"

# races: the codebook's counts of RIDRETH1 1-5; pir_blank: its share of INDFMPIR missing;
# adults_without_education: adults 20+ whose DMDEDUC2 is blank in the real file
CYCLES = {
    "1999-2000": {
        "suffix": "",
        "first_seqn": 1,
        "strata": range(1, 14),
        "lower_case": True,
        "four_year": True,
        "races": (3393, 589, 3367, 2228, 388),
        "pir_blank": 1483 / 9965,
        "adults_without_education": 2,
    },
    "2001-2002": {
        "suffix": "_B",
        "first_seqn": 9966,
        "strata": range(14, 29),
        "lower_case": True,
        "four_year": True,
        "races": (2776, 517, 4606, 2681, 459),
        "pir_blank": 794 / 11039,
        "adults_without_education": 4,
    },
    "2003-2004": {
        "suffix": "_C",
        "first_seqn": 21005,
        "strata": range(29, 44),
        "lower_case": False,
        "four_year": False,
        "races": (2519, 341, 4133, 2663, 466),
        "pir_blank": 587 / 10122,
        "adults_without_education": 0,
    },
}
COMPONENTS = ("DEMO", "MCQ", "MPQ", "LEXPN", "BMX")
SEED = 20040
RESPONDENTS = 520

# by RIDRETH1 code (index 0 unused): 1 Mexican American, 2 Other Hispanic, 3 Non-Hispanic White,
# 4 Non-Hispanic Black, 5 Other Race - Including Multi-Racial
SCHOOLING_SHIFT = np.array([0.0, -1.0, -0.6, 0.0, -0.35, 0.1])  # ordered logit of DMDEDUC2
INCOME_SHIFT = np.array([0.0, -0.3, -0.25, 0.0, -0.3, -0.05])  # log INDFMPIR
SCHOOLING_CUTS = np.array([-2.25, -1.25, -0.2, 1.05])  # between DMDEDUC2 1|2|3|4|5


def logistic(x):
    return 1 / (1 + np.exp(-x))


def choice(rng, n: int, codes, p) -> np.ndarray:
    return rng.choice(np.asarray(codes, dtype=float), size=n, p=np.asarray(p) / np.sum(p))


def education(uniform: np.ndarray, race: np.ndarray, age: np.ndarray, social, spec: dict) -> np.ndarray:
    """DMDEDUC2: an ordered logit of race and age on `uniform`; 7 refused and 9 don't know (more often
    than the real 0.1-0.3%, so that both occur), blank under 20 and for the cycle's blank adults."""
    n = len(age)
    with np.errstate(divide="ignore"):
        latent = SCHOOLING_SHIFT[race.astype(int)] - 0.02 * (age - 45) + np.log(uniform / (1 - uniform))
    level = 1.0 + np.searchsorted(SCHOOLING_CUTS, latent)
    answer = social.random(n)
    level = np.where(answer < 0.008, 7.0, np.where(answer < 0.018, 9.0, level))
    adult = age >= 20
    level[social.choice(np.flatnonzero(adult), spec["adults_without_education"], replace=False)] = np.nan
    return np.where(adult, level, np.nan)


def poverty_ratio(social, race: np.ndarray, schooling: np.ndarray, age: np.ndarray, blank: float) -> np.ndarray:
    """INDFMPIR: lognormal about 2.3, higher with schooling (children's families at the middle level),
    lower for the Hispanic and Black respondents; to two decimals, 0 for a few families without
    income, 5 for 5.00 or more, and blank in `blank` of the rows."""
    n = len(age)
    level = np.where(np.isin(schooling, [1, 2, 3, 4, 5]), schooling, 3.0)
    middle_age = (age >= 45) & (age < 65)
    log_ratio = np.log(2.3) + 0.32 * (level - 3) + INCOME_SHIFT[race.astype(int)] + 0.1 * middle_age
    ratio = np.minimum(np.exp(log_ratio + social.normal(0, 0.7, n)).round(2), 5.0)
    ratio = np.where(social.random(n) < 0.005, 0.0, ratio)
    return np.where(social.random(n) < blank, np.nan, ratio)


def disadvantage(frame: pd.DataFrame) -> np.ndarray:
    """Less schooling and income as one score (about -2.5 to 2; 0 = high school and PIR 2), from the
    DEMO columns; unknown schooling counts as high school, unknown income as PIR 2."""
    schooling = frame["DMDEDUC2"].where(frame["DMDEDUC2"].isin([1, 2, 3, 4, 5]), 3.0).to_numpy(float)
    ratio = frame["INDFMPIR"].fillna(2.0).to_numpy(float)
    return (3 - schooling) / 2 + (2 - ratio) / 2


def demo(rng, social, spec: dict, n: int) -> pd.DataFrame:
    psus = [(h, p) for h in spec["strata"] for p in (1, 2)]
    design = np.array([psus[i % len(psus)] for i in rng.permutation(n)])
    child = rng.random(n) < 0.28
    age = np.where(child, rng.integers(0, 20, n), rng.integers(20, 91, n))
    sex = rng.integers(1, 3, n).astype(float)
    examined = rng.random(n) < 0.9
    interview = rng.uniform(2000, 60000, n) * (1 + 0.05 * (design[:, 0] % 3))
    mec = np.where(examined, interview * rng.uniform(1.0, 1.3, n), 0.0)
    race = choice(social, n, [1, 2, 3, 4, 5], spec["races"])
    schooling = education(rng.random(n), race, age, social, spec)  # the n numbers DMDEDUC2 always took
    frame = pd.DataFrame(
        {
            "SEQN": np.arange(spec["first_seqn"], spec["first_seqn"] + n, dtype=float),
            "SDDSRVYR": float(list(CYCLES.values()).index(spec) + 1),
            "RIDSTATR": np.where(examined, 2.0, 1.0),
            "RIAGENDR": sex,
            "RIDAGEYR": np.minimum(age, 85).astype(float),  # top-coded at 85, as in 1999-2006
            "RIDRETH1": race,
            "DMDEDUC2": schooling,
            "INDFMPIR": poverty_ratio(social, race, schooling, age, spec["pir_blank"]),
            "RIDEXPRG": np.nan,
            "WTINT2YR": interview,
            "WTMEC2YR": mec,
            "SDMVPSU": design[:, 1].astype(float),
            "SDMVSTRA": design[:, 0].astype(float),
        }
    )
    women = (sex == 2) & (age >= 8) & (age <= 59)
    status = choice(rng, n, [1, 2, 3], [0.08, 0.85, 0.07])
    frame.loc[women, "RIDEXPRG"] = np.where(examined[women], status[women], 3.0)
    if spec["four_year"]:
        frame["WTINT4YR"] = interview * 0.5
        frame["WTMEC4YR"] = np.where(examined, mec * rng.uniform(0.45, 0.55, n), 0.0)
    return frame


def bmx(rng, people: pd.DataFrame) -> pd.DataFrame:
    examined = people[people["RIDSTATR"] == 2]
    n = len(examined)
    adult = examined["RIDAGEYR"].to_numpy() >= 20
    bmi = np.where(adult, rng.lognormal(np.log(27.5), 0.2, n), rng.lognormal(np.log(19), 0.18, n))
    race = examined["RIDRETH1"].to_numpy()
    shift = 0.03 * disadvantage(examined) + 0.05 * (race == 4) + 0.03 * (race == 1)  # on the log scale
    bmi = np.where(adult, bmi * np.exp(shift), bmi)
    bmi = np.where(examined["RIDEXPRG"].to_numpy() == 1, bmi + 3, bmi).round(2)
    bmi[rng.random(n) < 0.03] = np.nan
    return pd.DataFrame({"SEQN": examined["SEQN"].to_numpy(), "BMXWT": (bmi * 2.9).round(1), "BMXBMI": bmi})


def latent(rng, people: pd.DataFrame, body: pd.DataFrame, drift: float = 0.0) -> pd.DataFrame:
    """Each respondent's true conditions, correlated with age, sex, BMI, schooling, income, race and one another;
    `drift` is added to the log odds of a bunion as the cycle's examiners record it (0: none)."""
    frame = people.merge(body, on="SEQN", how="left")
    age, female = frame["RIDAGEYR"].to_numpy(), (frame["RIAGENDR"] == 2).to_numpy()
    heavy = np.nan_to_num(frame["BMXBMI"].to_numpy(), nan=27) >= 30
    poor, black = disadvantage(frame), (frame["RIDRETH1"] == 4).to_numpy()
    n = len(frame)
    arthritis = rng.random(n) < logistic(-3.2 + 0.05 * (age - 20) + 0.5 * heavy + 0.3 * female + 0.3 * poor)
    knee = rng.random(n) < logistic(-1.6 + 1.2 * arthritis + 0.6 * heavy + 0.01 * age + 0.25 * poor)
    back = rng.random(n) < logistic(-1.0 + 0.7 * knee + 0.3 * heavy + 0.3 * poor)
    bunion = rng.random(n) < logistic(
        -2.6 + 0.03 * (age - 40) + 1.0 * female - 0.4 * heavy + 0.4 * knee + 0.5 * black + 0.15 * poor + drift
    )
    return frame.assign(arthritis=arthritis, knee=knee, back=back, bunion=bunion)


def mcq(rng, truth: pd.DataFrame, lower: bool) -> pd.DataFrame:
    n, adult = len(truth), truth["RIDAGEYR"].to_numpy() >= 20
    told = np.where(truth["arthritis"], 1.0, 2.0)
    told = np.where(rng.random(n) < 0.004, 7.0, np.where(rng.random(n) < 0.012, 9.0, told))
    told = np.where(adult, told, np.nan)
    kind = np.where(told == 1, choice(rng, n, [1, 2, 3, 7, 9], [0.2, 0.36, 0.12, 0.01, 0.31]), np.nan)
    return pd.DataFrame(
        {
            "SEQN": truth["SEQN"].to_numpy(),
            "MCQ010": choice(rng, n, [1, 2, 9], [0.12, 0.87, 0.01]),
            "MCQ160a" if lower else "MCQ160A": told,
            "MCQ190": kind,
        }
    )


def mpq(rng, truth: pd.DataFrame, lower: bool) -> pd.DataFrame:
    adults = truth[truth["RIDAGEYR"] >= 20].reset_index(drop=True)
    n = len(adults)
    pain = np.where(adults["knee"] | (rng.random(n) < 0.3), 1.0, 2.0)
    pain = np.where(rng.random(n) < 0.006, 7.0, np.where(rng.random(n) < 0.008, 9.0, pain))
    pain[rng.random(n) < 0.004] = np.nan
    asked = pain == 1
    refused = asked & (rng.random(n) < 0.03)  # the joints asked about were refused or not known
    listed = asked & ~refused
    right = listed & adults["knee"].to_numpy() & (rng.random(n) < 0.8)
    left = listed & adults["knee"].to_numpy() & (~right | (rng.random(n) < 0.6))
    name = (lambda s: s[:-1] + s[-1].lower()) if lower else (lambda s: s)  # MPD050i, as the codebook writes it
    back = np.where(adults["back"], 1.0, 2.0)
    back = np.where(rng.random(n) < 0.005, 9.0, back)
    back[rng.random(n) < 0.004] = np.nan
    return pd.DataFrame(
        {
            "SEQN": adults["SEQN"].to_numpy(),
            "MPQ010": pain,
            "MPQ020": np.where(asked, choice(rng, n, [1, 2], [0.6, 0.4]), np.nan),
            name("MPD050A"): np.where(
                refused, choice(rng, n, [77, 99], [1, 2]), np.where(listed & (rng.random(n) < 0.25), 10, np.nan)
            ),
            name("MPD050I"): np.where(right, 18.0, np.nan),
            name("MPD050J"): np.where(left, 19.0, np.nan),
            "MPQ070": back,
        }
    )


def lexpn(rng, truth: pd.DataFrame) -> pd.DataFrame:
    seen = truth[(truth["RIDAGEYR"] >= 40) & (truth["RIDSTATR"] == 2)].reset_index(drop=True)
    n = len(seen)
    done = rng.random(n) >= 0.08  # exam not done: every item blank
    left = np.where(seen["bunion"] & (rng.random(n) < 0.8), 1.0, 2.0)
    right = np.where(seen["bunion"] & ((left == 2) | (rng.random(n) < 0.7)), 1.0, 2.0)
    left[rng.random(n) < 0.012] = 8.0
    right[rng.random(n) < 0.012] = 8.0
    return pd.DataFrame(
        {
            "SEQN": seen["SEQN"].to_numpy(),
            "LEDSCCT1": np.where(done, 0.0, choice(rng, n, [2, 4, 56], [2, 1, 2])),
            "LEALAMP": np.where(done, 1.0, np.nan),
            "LEALBUN": np.where(done, left, np.nan),
            "LEARAMP": np.where(done, 1.0, np.nan),
            "LEARBUN": np.where(done, right, np.nan),
        }
    )


def write_cycle(folder: Path, cycle: str, n: int = RESPONDENTS, seed: int = SEED, drift: float = 0.0) -> list[Path]:
    """The five files of one cycle; the same cycle, n, seed and drift give the same values (a drift changes
    the bunions of the foot exam only: every random number drawn is the same)."""
    spec = CYCLES[cycle]
    rng = np.random.default_rng([seed, list(CYCLES).index(cycle)])
    social = np.random.default_rng([seed, list(CYCLES).index(cycle), 1])  # race, education, income
    people = demo(rng, social, spec, n)
    body = bmx(rng, people)
    truth = latent(rng, people, body, drift)
    tables = {
        "DEMO": people,
        "MCQ": mcq(rng, truth, spec["lower_case"]),
        "MPQ": mpq(rng, truth, spec["lower_case"]),
        "LEXPN": lexpn(rng, truth),
        "BMX": body,
    }
    paths = []
    for component in COMPONENTS:
        name = f"{component}{spec['suffix']}"
        path = Path(folder) / f"{name}.XPT"
        pyreadstat.write_xport(tables[component], str(path), table_name=name, file_format_version=5)
        paths.append(path)
    return paths


# examiners' drift between cycles, on the log odds of a recorded bunion: the public files record a bunion
# on one foot for 12-14% of the adults examined in 1999-2000, 20-22% in 2001-2002, 27-29% in 2003-2004
DRIFT = {"1999-2000": -1.2, "2001-2002": -0.3, "2003-2004": 0.5}


def write_fixtures(
    folder: Path, cycles=tuple(CYCLES), n: int = RESPONDENTS, seed: int = SEED, drift: Mapping[str, float] = {}
) -> dict[str, list[Path]]:
    """Every cycle's files into `folder` (created if need be), as data/raw/nhanes/ would hold them; `drift`:
    cycle -> its examiners' shift of the log odds of a bunion (DRIFT; none by default)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return {cycle: write_cycle(Path(folder), cycle, n, seed, drift.get(cycle, 0.0)) for cycle in cycles}


def example_config(scope: str, folder: Path) -> dict:
    """config/examples/nhanes_<scope>.yaml with its files read from `folder` instead of data/examples/nhanes."""
    text = (EXAMPLES / f"nhanes_{scope.replace('-', '_')}.yaml").read_text()
    return yaml.safe_load(text.replace("data/examples/nhanes/", f"{Path(folder).as_posix()}/"))


if __name__ == "__main__":  # python tests/nhanes_fixtures.py FOLDER [drift]: the files the R references read
    import sys

    write_fixtures(Path(sys.argv[1]), drift=DRIFT if sys.argv[2:] == ["drift"] else {})
