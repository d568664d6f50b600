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

`Quirks` varies what the real cycles vary, for files the project has not seen (`UNSEEN`, with
their own seed): the foot examiners' calls by cycle (a bunion on one foot in 12-14% of the
1999-2000 exams, 20-22% in 2001-2002, 27-29% in 2003-2004: drift between examiners, not
epidemiology), MCQ190 "don't know" at the issue's shares of those told of arthritis, and MPD050A
77 / 99 (refused / don't know which joints). Each quirk draws from a stream of its own, or
reshapes a draw already made, so the default `Quirks()` writes the files it always wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Quirks:
    """How the files differ from the default ones; `Quirks()` writes the default files.

    bunion_share: by cycle, the share of 'yes' on a foot the examiners record (None: as the
        respondents' feet are); calls are changed at random, yes to no or no to yes, to reach it.
    type_unknown: by cycle, the share of MCQ190 = 9 (don't know) among MCQ160A = 1 (None: 31%).
    joints_unknown: the share of MPQ010 = 1 whose MPD050A is 77 or 99 (every other joint blank);
        the codebooks count 0 refused and 1 / 3 / 1 don't know (of 1,962 / 2,379 / 2,349), so
        the fixtures' 3% is there to make both codes occur in a few hundred rows.
    refused_to_dont_know: the odds of 77 to 99 among them.
    """

    bunion_share: Mapping[str, float] | None = None
    type_unknown: Mapping[str, float] | None = None
    joints_unknown: float = 0.03
    refused_to_dont_know: tuple[int, int] = (1, 2)


DEFAULT = Quirks()
# files the project has not seen: their own seed, the examiners' drift, the codebook's MCQ190
# don't-knows (issue 20: 517/1239, 509/1331, 478/1408), 99 four times as common as 77
UNSEEN_SEED = 20120
UNSEEN = Quirks(
    bunion_share={"1999-2000": 0.13, "2001-2002": 0.21, "2003-2004": 0.28},
    type_unknown={"1999-2000": 517 / 1239, "2001-2002": 509 / 1331, "2003-2004": 478 / 1408},
    refused_to_dont_know=(1, 4),
)
UNSEEN_RESPONDENTS = 1000
ARTHRITIS_TYPES = (0.2, 0.36, 0.12, 0.01)  # MCQ190 1 rheumatoid, 2 osteoarthritis, 3 other, 7 refused


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


def latent(rng, people: pd.DataFrame, body: pd.DataFrame) -> pd.DataFrame:
    """Each respondent's true conditions, correlated with age, sex, BMI, schooling, income, race and one another."""
    frame = people.merge(body, on="SEQN", how="left")
    age, female = frame["RIDAGEYR"].to_numpy(), (frame["RIAGENDR"] == 2).to_numpy()
    heavy = np.nan_to_num(frame["BMXBMI"].to_numpy(), nan=27) >= 30
    poor, black = disadvantage(frame), (frame["RIDRETH1"] == 4).to_numpy()
    n = len(frame)
    arthritis = rng.random(n) < logistic(-3.2 + 0.05 * (age - 20) + 0.5 * heavy + 0.3 * female + 0.3 * poor)
    knee = rng.random(n) < logistic(-1.6 + 1.2 * arthritis + 0.6 * heavy + 0.01 * age + 0.25 * poor)
    back = rng.random(n) < logistic(-1.0 + 0.7 * knee + 0.3 * heavy + 0.3 * poor)
    bunion = rng.random(n) < logistic(
        -2.6 + 0.03 * (age - 40) + 1.0 * female - 0.4 * heavy + 0.4 * knee + 0.5 * black + 0.15 * poor
    )
    return frame.assign(arthritis=arthritis, knee=knee, back=back, bunion=bunion)


def arthritis_type_shares(dont_know: float | None) -> list[float]:
    """MCQ190's shares of 1, 2, 3, 7, 9; `dont_know` the share of 9 (None: the default 31%)."""
    if dont_know is None:
        return [*ARTHRITIS_TYPES, 0.31]
    return [p * (1 - dont_know) / sum(ARTHRITIS_TYPES) for p in ARTHRITIS_TYPES] + [dont_know]


def mcq(rng, truth: pd.DataFrame, lower: bool, dont_know: float | None = None) -> pd.DataFrame:
    n, adult = len(truth), truth["RIDAGEYR"].to_numpy() >= 20
    told = np.where(truth["arthritis"], 1.0, 2.0)
    told = np.where(rng.random(n) < 0.004, 7.0, np.where(rng.random(n) < 0.012, 9.0, told))
    told = np.where(adult, told, np.nan)
    kind = np.where(told == 1, choice(rng, n, [1, 2, 3, 7, 9], arthritis_type_shares(dont_know)), np.nan)
    return pd.DataFrame(
        {
            "SEQN": truth["SEQN"].to_numpy(),
            "MCQ010": choice(rng, n, [1, 2, 9], [0.12, 0.87, 0.01]),
            "MCQ160a" if lower else "MCQ160A": told,
            "MCQ190": kind,
        }
    )


def mpq(rng, truth: pd.DataFrame, lower: bool, quirks: Quirks = DEFAULT) -> pd.DataFrame:
    adults = truth[truth["RIDAGEYR"] >= 20].reset_index(drop=True)
    n = len(adults)
    pain = np.where(adults["knee"] | (rng.random(n) < 0.3), 1.0, 2.0)
    pain = np.where(rng.random(n) < 0.006, 7.0, np.where(rng.random(n) < 0.008, 9.0, pain))
    pain[rng.random(n) < 0.004] = np.nan
    asked = pain == 1
    refused = asked & (rng.random(n) < quirks.joints_unknown)  # which joints: refused or not known
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
                refused,
                choice(rng, n, [77, 99], quirks.refused_to_dont_know),
                np.where(listed & (rng.random(n) < 0.25), 10, np.nan),  # 10 = right shoulder
            ),
            name("MPD050I"): np.where(right, 18.0, np.nan),
            name("MPD050J"): np.where(left, 19.0, np.nan),
            "MPQ070": back,
        }
    )


def examiners_calls(examiner, foot: np.ndarray, share: float) -> np.ndarray:
    """A foot's calls (1 yes, 2 no) changed at random so that about `share` of them are yes: no
    turned yes with probability (share - s) / (1 - s) where s is the share of yes, or yes turned no
    with probability (s - share) / s."""
    s = np.mean(foot == 1)
    flip = examiner.random(len(foot))
    if share >= s:
        return np.where((foot == 2) & (flip < (share - s) / (1 - s)), 1.0, foot)
    return np.where((foot == 1) & (flip < (s - share) / s), 2.0, foot)


def lexpn(rng, truth: pd.DataFrame, examiner=None, share: float | None = None) -> pd.DataFrame:
    """The foot exam; `examiner` (a stream of its own) moves the calls to `share` yes on each foot."""
    seen = truth[(truth["RIDAGEYR"] >= 40) & (truth["RIDSTATR"] == 2)].reset_index(drop=True)
    n = len(seen)
    done = rng.random(n) >= 0.08  # exam not done: every item blank
    left = np.where(seen["bunion"] & (rng.random(n) < 0.8), 1.0, 2.0)
    right = np.where(seen["bunion"] & ((left == 2) | (rng.random(n) < 0.7)), 1.0, 2.0)
    if share is not None:
        left, right = examiners_calls(examiner, left, share), examiners_calls(examiner, right, share)
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


def of_cycle(quirk: Mapping[str, float] | None, cycle: str) -> float | None:
    return None if quirk is None else quirk[cycle]


def write_cycle(
    folder: Path, cycle: str, n: int = RESPONDENTS, seed: int = SEED, quirks: Quirks = DEFAULT
) -> list[Path]:
    """The five files of one cycle; the same cycle, n, seed and quirks give the same values."""
    spec, index = CYCLES[cycle], list(CYCLES).index(cycle)
    rng = np.random.default_rng([seed, index])
    social = np.random.default_rng([seed, index, 1])  # race, education, income
    examiner = np.random.default_rng([seed, index, 2])  # the foot examiners' drift, if any
    people = demo(rng, social, spec, n)
    body = bmx(rng, people)
    truth = latent(rng, people, body)
    tables = {
        "DEMO": people,
        "MCQ": mcq(rng, truth, spec["lower_case"], of_cycle(quirks.type_unknown, cycle)),
        "MPQ": mpq(rng, truth, spec["lower_case"], quirks),
        "LEXPN": lexpn(rng, truth, examiner, of_cycle(quirks.bunion_share, cycle)),
        "BMX": body,
    }
    paths = []
    for component in COMPONENTS:
        name = f"{component}{spec['suffix']}"
        path = Path(folder) / f"{name}.XPT"
        pyreadstat.write_xport(tables[component], str(path), table_name=name, file_format_version=5)
        paths.append(path)
    return paths


def write_fixtures(
    folder: Path, cycles=tuple(CYCLES), n: int = RESPONDENTS, seed: int = SEED, quirks: Quirks = DEFAULT
) -> dict[str, list[Path]]:
    """Every cycle's files into `folder` (created if need be), as data/raw/nhanes/ would hold them."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return {cycle: write_cycle(Path(folder), cycle, n, seed, quirks) for cycle in cycles}


def write_unseen(folder: Path, cycles=("2001-2002", "2003-2004")) -> dict[str, list[Path]]:
    """The files the project has not seen (tests/test_nhanes_unseen.py, tests/r/nhanes_unseen.R)."""
    return write_fixtures(folder, cycles, UNSEEN_RESPONDENTS, UNSEEN_SEED, UNSEEN)


def example_config(scope: str, folder: Path) -> dict:
    """config/examples/nhanes_<scope>.yaml with its files read from `folder` instead of data/examples/nhanes,
    its dataset named `nhanes` as the tests address it (the example names it nhanes_<scope>, so that the
    two examples write their reports apart)."""
    stem = f"nhanes_{scope.replace('-', '_')}"
    config = yaml.safe_load(
        (EXAMPLES / f"{stem}.yaml").read_text().replace("data/examples/nhanes/", f"{Path(folder).as_posix()}/")
    )
    config["datasets"] = {"nhanes" if name == stem else name: entry for name, entry in config["datasets"].items()}
    return config


# damaged and mixed-up files, as a download or a hand can leave them (tests/corpus/cases.yaml, issue 21)
def cut_short(path: Path, share: float) -> Path:
    """The file's first `share` of bytes only, as an interrupted download leaves it."""
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: int(len(data) * share)])
    return Path(path)


def rewritten(path: Path, frame: pd.DataFrame) -> Path:
    """`frame` written over `path` as CDC writes its files (XPORT version 5, the file's name as table name)."""
    pyreadstat.write_xport(frame, str(path), table_name=Path(path).stem, file_format_version=5)
    return Path(path)


def read(path: Path) -> pd.DataFrame:
    return pyreadstat.read_xport(str(path))[0]


def with_rows_of(path: Path, other: Path) -> Path:
    """The file with another file's rows appended (the columns both hold)."""
    mine, theirs = read(path), read(other)
    theirs.columns = [next((m for m in mine.columns if m.upper() == c.upper()), c) for c in theirs.columns]
    return rewritten(path, pd.concat([mine, theirs[[c for c in mine.columns if c in theirs.columns]]]))


def first_rows(path: Path, share: float) -> Path:
    """The file's first `share` of rows only, written whole (a file cut by hand, not damaged)."""
    frame = read(path)
    return rewritten(path, frame.head(int(len(frame) * share)))


def mixed_up(folder: Path, spec: Mapping) -> dict:
    """The example config of `spec["scope"]` on fixtures written to `folder`, the files changed as `spec`
    says: `swap` {cycle: {listed: instead}} in the config's file lists, `same_files` [from, to] (the files of
    one cycle listed for another too), and on the files `cut_short` {file: share of bytes}, `first_rows`
    {file: share of rows}, `rows_of` {file: the file whose rows are appended}."""
    write_fixtures(folder)
    config = example_config(spec["scope"], folder)
    cycles = {c["name"]: c for c in next(iter(config["datasets"].values()))["cycles"]}
    for cycle, names in spec.get("swap", {}).items():
        for old, new in names.items():
            cycles[cycle]["files"] = [f.replace(old, new) for f in cycles[cycle]["files"]]
    if "same_files" in spec:
        cycles[spec["same_files"][1]]["files"] = list(cycles[spec["same_files"][0]]["files"])
    for name, share in spec.get("cut_short", {}).items():
        cut_short(folder / name, share)
    for name, share in spec.get("first_rows", {}).items():
        first_rows(folder / name, share)
    for name, other in spec.get("rows_of", {}).items():
        with_rows_of(folder / name, folder / other)
    return config


# the examiners' drift alone, on the default respondents (tests/test_cycles.py): the public files record
# a bunion on one foot for 12-14% of the adults examined in 1999-2000, 20-22% in 2001-2002, 27-29% in 2003-2004
DRIFT = Quirks(bunion_share=UNSEEN.bunion_share)

if __name__ == "__main__":  # python tests/nhanes_fixtures.py [--unseen | --drift] FOLDER: the files R reads
    import sys

    folder, options = Path(sys.argv[-1]), sys.argv[1:-1]
    if "--unseen" in options:
        write_unseen(folder)
    else:
        write_fixtures(folder, quirks=DRIFT if "--drift" in options else DEFAULT)
