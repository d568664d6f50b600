"""Write cohort.csv: an NHANES-style cohort for the researcher's own covariates (issue 19).

Run from the project root: python tests/reference/own_model/make_cohort.py [OUT.csv]
(default: cohort.csv next to this script). numpy only, one fixed seed: the same file every time.

The sample: 20 strata (SDMVSTRA 201-220), 12 with 2 PSUs and 8 with 3 (48 PSUs), 90-170 people
per PSU, about 6,000 rows. Each stratum has its own mix of race and Hispanic origin. The sample
over-represents Black, Mexican American, Other Hispanic and Other/multiracial people, adults 60 and
over and low-income families; the weights (WTMEC) undo that and carry a PSU factor and a
non-response factor.

Confounding: a socio-economic score depends on race and Hispanic origin, age and the PSU; education
(DMDEDUC2) is a cut of it and the income-to-poverty ratio (INDFMPIR) depends on it and on race.
BMI depends on race, sex, education and income. Each condition depends on age, sex, race,
education, income, BMI and its own PSU effect, and all three questionnaire conditions share a
person-level frailty, so crude and adjusted odds ratios differ clearly. Low back pain depends on
knee osteoarthritis directly, strongly in women (log-odds 1.15) and weakly in men (0.15): the
knee_oa - low_back_pain association differs by sex.

Coding as in NHANES: RIAGENDR 1 male / 2 female; RIDRETH1 1 Mexican American, 2 Other Hispanic,
3 Non-Hispanic White, 4 Non-Hispanic Black, 5 Other or multiracial; DMDEDUC2 1 less than 9th grade,
2 9-11th grade, 3 high school, 4 some college, 5 college graduate, 7 refused, 9 don't know;
INDFMPIR 0-5 (top-coded at 5, blank when unknown); BMXBMI blank when not measured; KNEE_OA,
BUNION, LOWBACK 1 yes / 2 no / 7 refused / 9 don't know / blank. Every row is valid (ages 20-85,
BMI 15-70, weights > 0).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
SEED = 20240719
# RIDRETH1 codes 1..5: Mexican American, Other Hispanic, Non-Hispanic White, Non-Hispanic Black, Other
SAMPLE_SHARE = np.array([0.17, 0.10, 0.38, 0.22, 0.13])  # the sample's mix, before the strata's tilt
RACE_WEIGHT = np.array([0.45, 0.55, 1.0, 0.45, 0.6])  # oversampled groups weigh less
RACE_SES = np.array([-0.8, -0.45, 0.35, -0.5, 0.15])
RACE_PIR = np.array([-0.25, -0.1, 0.2, -0.3, 0.1])
RACE_BMI = np.array([0.04, 0.02, 0.0, 0.05, -0.08])  # log BMI shifts
RACE_KNEE = np.array([0.1, 0.05, 0.0, 0.45, -0.3])
RACE_BUNION = np.array([-0.2, -0.1, 0.0, 0.75, 0.2])
RACE_BACK = np.array([-0.45, -0.25, 0.0, -0.2, -0.5])
EDU_CUTS = np.array([-1.75, -1.15, -0.35, 0.45])  # score cut points into DMDEDUC2 1..5


def logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def cohort(seed: int = SEED) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    psus_per_stratum = np.array([3 if h % 5 in (1, 3) else 2 for h in range(20)])
    stratum, psu, psu_index, base = [], [], [], []
    race_mix = []
    k = 0
    for h, npsu in enumerate(psus_per_stratum):
        tilt = rng.dirichlet(SAMPLE_SHARE * 40)
        for j in range(npsu):
            n = int(rng.integers(90, 171))
            stratum += [201 + h] * n
            psu += [j + 1] * n
            psu_index += [k] * n
            base += [rng.uniform(0.6, 1.6)] * n
            race_mix += [tilt] * n
            k += 1
    stratum, psu, psu_index, base = map(np.array, (stratum, psu, psu_index, base))
    n = len(stratum)
    n_psu = k
    cum = np.cumsum(np.array(race_mix), axis=1)
    race = (rng.random(n)[:, None] > cum).sum(axis=1)  # 0..4
    race = np.minimum(race, 4)
    older = rng.random(n) < 0.38
    age = np.where(older, rng.integers(60, 86, n), rng.integers(20, 60, n))
    female = (rng.random(n) < 0.51).astype(int)

    psu_ses = rng.normal(0, 0.35, n_psu)[psu_index]
    ses = RACE_SES[race] - 0.012 * (age - 50) + psu_ses + rng.normal(0, 0.85, n)
    education = 1 + (ses[:, None] > EDU_CUTS).sum(axis=1)
    pir_raw = np.exp(0.95 + 0.35 * ses + RACE_PIR[race] + rng.normal(0, 0.55, n)) - 0.3
    pir = np.clip(np.round(pir_raw, 2), 0, 5)
    log_bmi = (
        np.log(28.0)
        + RACE_BMI[race]
        + 0.03 * female * (race == 3)
        + 0.02 * female
        - 0.035 * (education - 3)
        - 0.02 * (pir - 2.5)
        - 0.00004 * (age - 55) ** 2
        + rng.normal(0, 0.19, n)
    )
    bmi = np.clip(np.round(np.exp(log_bmi), 1), 15.0, 70.0)

    frailty = rng.normal(0, 1, n)
    low_edu = np.maximum(3 - education, 0)  # 0 for high school and above, 1 for 9-11th, 2 for < 9th
    u = rng.normal(0, 0.25, (3, n_psu))[:, psu_index]
    knee = rng.random(n) < logistic(
        -2.75
        + 0.055 * (age - 50)
        + 0.3 * female
        + 0.07 * (bmi - 28)
        + 0.3 * low_edu
        - 0.2 * (pir - 2.5)
        + RACE_KNEE[race]
        + 0.45 * frailty
        + u[0]
    )
    bunion = rng.random(n) < logistic(
        -2.6
        + 0.025 * (age - 50)
        + 1.0 * female
        + 0.02 * (bmi - 28)
        + 0.3 * low_edu
        - 0.18 * (pir - 2.5)
        + RACE_BUNION[race]
        + 0.4 * frailty
        + u[1]
    )
    direct = np.where(female == 1, 1.15, 0.15)
    back = rng.random(n) < logistic(
        -1.55
        + 0.012 * (age - 50)
        + 0.1 * female
        + 0.03 * (bmi - 28)
        + 0.25 * low_edu
        - 0.25 * (pir - 2.5)
        + RACE_BACK[race]
        + direct * knee
        + 0.35 * frailty
        + u[2]
    )

    # weights: PSU factor, race and age and income oversampling, non-response
    weight = (
        30000
        * base
        * RACE_WEIGHT[race]
        * np.where(age >= 60, 0.7, 1.0)
        * np.where(pir < 1.3, 0.75, 1.0)
        * np.exp(rng.normal(0, 0.3, n))
    )

    # the unknowns
    edu_code = education.astype(float)
    unknown = rng.random(n)
    edu_code[unknown < 0.004] = 7
    edu_code[(unknown >= 0.004) & (unknown < 0.012)] = 9
    pir_out = np.where(rng.random(n) < 0.06 + 0.04 * (education <= 2), np.nan, pir)
    bmi_out = np.where(rng.random(n) < 0.03, np.nan, bmi)

    def answers(yes: np.ndarray) -> np.ndarray:
        code = np.where(yes, 1.0, 2.0)
        r = rng.random(n)
        code[r < 0.007] = 7
        code[(r >= 0.007) & (r < 0.02)] = 9
        code[(r >= 0.02) & (r < 0.023)] = np.nan
        return code

    order = rng.permutation(n)  # SEQN order does not follow the design
    return {
        "SEQN": 130001 + np.arange(n),
        "RIDAGEYR": age[order],
        "RIAGENDR": np.where(female == 1, 2, 1)[order],
        "BMXBMI": bmi_out[order],
        "RIDRETH1": (race + 1)[order],
        "DMDEDUC2": edu_code[order],
        "INDFMPIR": pir_out[order],
        "KNEE_OA": answers(knee)[order],
        "BUNION": answers(bunion)[order],
        "LOWBACK": answers(back)[order],
        "WTMEC": np.round(weight, 2)[order],
        "SDMVSTRA": stratum[order],
        "SDMVPSU": psu[order],
    }


def text(name: str, v) -> str:
    if isinstance(v, float) and np.isnan(v):
        return ""
    if name == "BMXBMI":
        return f"{v:.1f}"
    if name in ("INDFMPIR", "WTMEC"):
        return f"{v:.2f}"
    return str(int(v))


def write(columns: dict[str, np.ndarray], path: Path) -> None:
    names = list(columns)
    rows = zip(*(columns[c].tolist() for c in names))
    lines = [",".join(names)] + [",".join(text(c, v) for c, v in zip(names, row)) for row in rows]
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    write(cohort(), Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "cohort.csv")
