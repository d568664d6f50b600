"""A synthetic adult cohort with a known log-linear co-occurrence structure and an NHANES-like design.

Model (population level). For a person of age a (whole years, 18-85) and sex, in a PSU with random
effect u ~ N(0, psu_sd^2), the joint probability of the condition pattern x in {0,1}^k is

    log P(x) = const + sum_j x_j (alpha_j + beta_j (a - 50)/10 + gamma_j female + u)
                     + sum_{j<l} lambda_jl x_j x_l

so lambda_jl is the log odds ratio of j and l given the other conditions, age, sex and PSU. The
intercepts alpha_j are solved so that the population prevalences equal the configured targets.

Design. Strata x PSUs, each PSU standing for an equal share of the population; unequal cluster
sizes; adults aged 60+ oversampled (as NHANES does), which gives unequal weights; a little item
non-response (completely at random) and a few impossible values to exercise the quarantine.

Ground truth is computed exactly on the population grid (age x sex x Gauss-Hermite nodes for u x
pattern): prevalences, and the census odds ratios that the crude, adjusted (age, sex) and mutual
models estimate, for every ordered pair.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM

AGES = np.arange(18, 86)
AGE_CENTRE = 50.0
SHARE_FEMALE = 0.51  # US adults, Census 2020
US_ADULTS = 258_000_000  # weights sum to about the US adult population
OLDER_AGE = 60
HERMITE_NODES = 15
BMI_MEDIAN, BMI_LOG_SD = 28.5, 0.19  # lognormal fitted by eye to NHANES adult BMI


def population_age_density() -> np.ndarray:
    """Share of adults at each age in AGES: flat to 64, then falling to 0.3 of that at 85."""
    density = np.where(AGES < 65, 1.0, 1.0 - 0.7 * (AGES - 64) / (85 - 64))
    return density / density.sum()


@dataclass(frozen=True)
class SyntheticSpec:
    n: int
    seed: int
    strata: int
    psus_per_stratum: int
    psu_sd: float
    older_oversampling: float
    missing_share: float
    invalid_share: float
    conditions: tuple[str, ...]
    prevalence: np.ndarray
    age_per_decade: np.ndarray
    female: np.ndarray
    pair_log_or: np.ndarray  # k x k, symmetric, zero diagonal
    obesity_bmi: float = 30.0

    @classmethod
    def from_config(cls, dataset: Mapping, obesity_bmi: float = 30.0) -> SyntheticSpec:
        model = dataset["model"]
        conditions = tuple(model["prevalence"])
        index = {c: i for i, c in enumerate(conditions)}
        pairs = np.zeros((len(conditions), len(conditions)))
        for pair in model["pair_odds_ratios"]:
            i, j = index[pair["a"]], index[pair["b"]]
            pairs[i, j] = pairs[j, i] = np.log(pair["odds_ratio"])

        def per_condition(key):
            return np.array([float(model[key].get(c, 0.0)) for c in conditions])

        return cls(
            n=int(dataset["n"]),
            seed=int(dataset["seed"]),
            strata=int(dataset["strata"]),
            psus_per_stratum=int(dataset["psus_per_stratum"]),
            psu_sd=float(dataset["psu_sd"]),
            older_oversampling=float(dataset["older_oversampling"]),
            missing_share=float(dataset["missing_share"]),
            invalid_share=float(dataset["invalid_share"]),
            conditions=conditions,
            prevalence=np.array([model["prevalence"][c] for c in conditions], float),
            age_per_decade=per_condition("age_log_or_per_decade"),
            female=per_condition("female_log_or"),
            pair_log_or=pairs,
            obesity_bmi=float(obesity_bmi),
        )


def patterns(k: int) -> np.ndarray:
    """All 2^k condition patterns as rows of 0/1, the first condition varying slowest."""
    return np.array(list(itertools.product([0, 1], repeat=k)), dtype=float)


def pattern_probabilities(spec: SyntheticSpec, intercepts, age, female, u) -> np.ndarray:
    """P(pattern | age, sex, u) for m people or cells -> (m, 2^k)."""
    x = patterns(len(spec.conditions))
    main = (
        intercepts[None, :]
        + np.outer((np.asarray(age, float) - AGE_CENTRE) / 10, spec.age_per_decade)
        + np.outer(female, spec.female)
        + np.asarray(u, float)[:, None]
    )
    pair_term = 0.5 * np.einsum("pj,jl,pl->p", x, spec.pair_log_or, x)
    log_potential = main @ x.T + pair_term[None, :]
    log_potential -= log_potential.max(axis=1, keepdims=True)
    prob = np.exp(log_potential)
    return prob / prob.sum(axis=1, keepdims=True)


def population_grid(spec: SyntheticSpec, intercepts) -> tuple[pd.DataFrame, np.ndarray]:
    """Cells (age, female, u node) with their population mass, and P(pattern | cell)."""
    nodes, node_weights = np.polynomial.hermite_e.hermegauss(HERMITE_NODES)
    node_weights = node_weights / node_weights.sum()
    age, female, node = np.meshgrid(AGES, [0, 1], np.arange(HERMITE_NODES), indexing="ij")
    age, female, node = age.ravel(), female.ravel(), node.ravel()
    age_mass = population_age_density()[age - AGES[0]]
    sex_mass = np.where(female == 1, SHARE_FEMALE, 1 - SHARE_FEMALE)
    cells = pd.DataFrame({"age": age, "female": female, "mass": age_mass * sex_mass * node_weights[node]})
    prob = pattern_probabilities(spec, intercepts, age, female, spec.psu_sd * nodes[node])
    return cells, prob


def population_prevalence(spec: SyntheticSpec, intercepts, mask=None) -> np.ndarray:
    cells, prob = population_grid(spec, intercepts)
    mass = cells["mass"].to_numpy() if mask is None else cells["mass"].to_numpy() * mask(cells)
    joint = (mass[:, None] * prob).sum(axis=0) / mass.sum()
    return joint @ patterns(len(spec.conditions))


def solve_intercepts(spec: SyntheticSpec) -> np.ndarray:
    """Intercepts that make the population prevalences equal the configured targets."""
    target = np.log(spec.prevalence / (1 - spec.prevalence))

    def gap(intercepts):
        p = population_prevalence(spec, intercepts)
        return np.log(p / (1 - p)) - target

    solution = optimize.root(gap, target, tol=1e-12)
    if not solution.success:
        raise RuntimeError(f"could not calibrate the synthetic model: {solution.message}")
    return solution.x


def draw_cohort(spec: SyntheticSpec) -> pd.DataFrame:
    """The sample: one row per respondent, harmonized column names, values as a survey file has them."""
    rng = np.random.default_rng(spec.seed)
    intercepts = solve_intercepts(spec)
    n_psu = spec.strata * spec.psus_per_stratum
    psu_share = rng.gamma(4.0, size=n_psu)  # unequal cluster sizes
    psu = rng.choice(n_psu, size=spec.n, p=psu_share / psu_share.sum())
    sample_age_density = population_age_density() * np.where(AGES >= OLDER_AGE, spec.older_oversampling, 1.0)
    age = rng.choice(AGES, size=spec.n, p=sample_age_density / sample_age_density.sum())
    female = (rng.random(spec.n) < SHARE_FEMALE).astype(int)
    weight = _design_weights(rng, psu, age, n_psu, spec.older_oversampling)
    u = rng.normal(0.0, spec.psu_sd, size=n_psu)[psu]
    pattern = _draw_patterns(rng, spec, intercepts, age, female, u)
    x = patterns(len(spec.conditions))[pattern].astype(bool)
    frame = pd.DataFrame(
        {
            "id": pd.array([f"S{i:07d}" for i in range(1, spec.n + 1)], dtype="str"),
            "age": age.astype(float),
            "sex": np.where(female == 1, "female", "male"),
            "bmi": _draw_bmi(rng, spec, x),
            "weight": weight,
            "stratum": np.char.add("S", (psu // spec.psus_per_stratum + 1).astype(str)),
            "psu": (psu % spec.psus_per_stratum + 1).astype(str),
        }
    )
    for j, condition in enumerate(spec.conditions):
        if condition == "obesity":
            continue  # carried by BMI, derived in harmonize
        values = pd.array(x[:, j], dtype="boolean")
        values[rng.random(spec.n) < spec.missing_share] = pd.NA
        frame[condition] = values
    frame.loc[rng.random(spec.n) < spec.missing_share, "bmi"] = np.nan
    return _spoil_rows(rng, frame, spec.invalid_share)


def _design_weights(rng, psu, age, n_psu, oversampling) -> np.ndarray:
    """Inverse selection probability: PSU share over its sample size, undoing the age oversampling."""
    inverse_rate = np.where(age >= OLDER_AGE, 1.0 / oversampling, 1.0)
    psu_sum = np.bincount(psu, weights=inverse_rate, minlength=n_psu)
    base = (US_ADULTS / n_psu) * inverse_rate / psu_sum[psu]
    return np.round(base * rng.lognormal(0.0, 0.1, size=psu.size), 3)  # non-response adjustment noise


def _draw_patterns(rng, spec, intercepts, age, female, u) -> np.ndarray:
    # probabilities per distinct (age, sex, PSU effect) cell, then one uniform draw per person
    keys = pd.MultiIndex.from_arrays([age, female, u])
    cell, unique = pd.factorize(keys)
    cum = np.cumsum(
        pattern_probabilities(
            spec, intercepts, unique.get_level_values(0), unique.get_level_values(1), unique.get_level_values(2)
        ),
        axis=1,
    )
    draws = rng.random(age.size)
    return np.minimum((draws[:, None] > cum[cell]).sum(axis=1), cum.shape[1] - 1)


def _draw_bmi(rng, spec, x) -> np.ndarray:
    """BMI from a lognormal truncated to the side of the obesity cut-off the person's status says."""
    cut = stats.norm.cdf((np.log(spec.obesity_bmi) - np.log(BMI_MEDIAN)) / BMI_LOG_SD)
    draws = rng.random(x.shape[0])
    if "obesity" in spec.conditions:
        obese = x[:, spec.conditions.index("obesity")]
        draws = np.where(obese, cut + draws * (1 - cut), draws * cut)
        draws = np.clip(draws, 1e-9, 1 - 1e-9)
    bmi = np.exp(np.log(BMI_MEDIAN) + BMI_LOG_SD * stats.norm.ppf(draws))
    bmi = np.clip(bmi, 15.0, 80.0)
    if "obesity" in spec.conditions:
        # rounding to one decimal must not move anyone across the cut-off
        bmi = np.where(obese, np.maximum(np.ceil(bmi * 10) / 10, spec.obesity_bmi), np.floor(bmi * 10) / 10)
        bmi = np.where(~obese & (bmi >= spec.obesity_bmi), spec.obesity_bmi - 0.1, bmi)
        return bmi
    return np.round(bmi, 1)


def _spoil_rows(rng, frame: pd.DataFrame, share: float) -> pd.DataFrame:
    """Give a few rows an impossible age, BMI or weight, as real files have."""
    spoiled = np.flatnonzero(rng.random(len(frame)) < share)
    for kind, rows in enumerate(np.array_split(spoiled, 3)):
        column, value = [("age", 150.0), ("bmi", 250.0), ("weight", -1.0)][kind]
        frame.loc[frame.index[rows], column] = value
    return frame


def ground_truth(spec: SyntheticSpec) -> pd.DataFrame:
    """The model's parameters, population prevalences and census odds ratios, one row each."""
    intercepts = solve_intercepts(spec)
    rows = []
    for j, c in enumerate(spec.conditions):
        rows += [
            _truth("parameter", c, "", "intercept", intercepts[j]),
            _truth("parameter", c, "", "age_log_or_per_decade", spec.age_per_decade[j]),
            _truth("parameter", c, "", "female_log_or", spec.female[j]),
        ]
    for i, j in itertools.combinations(range(len(spec.conditions)), 2):
        rows.append(_truth("parameter", spec.conditions[i], spec.conditions[j], "pair_log_or", spec.pair_log_or[i, j]))
    rows.append(_truth("parameter", "", "", "psu_sd", spec.psu_sd))
    groups = {
        "all": None,
        "female": lambda cells: cells["female"].to_numpy() == 1,
        "male": lambda cells: cells["female"].to_numpy() == 0,
    }
    for level, mask in groups.items():
        for c, p in zip(spec.conditions, population_prevalence(spec, intercepts, mask)):
            rows.append(_truth("prevalence", c, "", level, p))
    rows += _census_odds_ratios(spec, intercepts)
    return pd.DataFrame(rows)


def _truth(kind, a, b, quantity, value) -> dict:
    return {"kind": kind, "condition_a": a, "condition_b": b, "quantity": quantity, "value": float(value)}


def _census_odds_ratios(spec: SyntheticSpec, intercepts) -> list[dict]:
    """exp(coefficient of a) of the population-level logistic fits of b on a (crude, +age+sex, +others)."""
    cells, prob = population_grid(spec, intercepts)
    # the PSU effect is not a predictor, so cells may be summed over it
    mass = cells["mass"].to_numpy()[:, None] * prob
    collapsed = pd.DataFrame(mass).groupby([cells["age"], cells["female"]]).sum()
    k = len(spec.conditions)
    x = patterns(k)
    age = np.repeat(collapsed.index.get_level_values(0).to_numpy(float), x.shape[0])
    female = np.repeat(collapsed.index.get_level_values(1).to_numpy(float), x.shape[0])
    weight = collapsed.to_numpy().ravel()
    states = np.tile(x, (len(collapsed), 1))
    rows = []
    for a, b in itertools.permutations(range(k), 2):
        others = [states[:, j] for j in range(k) if j not in (a, b)]
        designs = {
            "crude": [states[:, a]],
            "adjusted": [states[:, a], age, female],
            "mutual": [states[:, a], age, female, *others],
        }
        for model, columns in designs.items():
            X = np.column_stack([np.ones_like(age), *columns])
            fit = GLM(states[:, b], X, family=Binomial(), var_weights=weight / weight.mean()).fit(tol=1e-13)
            rows.append(_truth("odds_ratio", spec.conditions[a], spec.conditions[b], model, np.exp(fit.params[1])))
    return rows
