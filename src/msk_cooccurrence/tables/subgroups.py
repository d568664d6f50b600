"""Effect modification: each pair's adjusted odds ratio within each level of a subgroup variable, and
the test that the odds ratio differs between levels.

Within a level, the adjusted model without the subgroup's own variable is fitted on the level's
domain (R `svyglm(b ~ a + covariates, subset(design, sex == "female"))`): the other rows keep their
PSU and stratum. The interaction test is the whole-sample adjusted model (with the subgroup
variable's main effect, as a covariate or added) plus the products of a with the subgroup's
indicators, tested together by a Wald F on the model's residual design df, as R's
`regTermTest(fit, ~a:sex, method = "Wald")` with its default df.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ..settings import Settings
from ..survey.data import AnalysisData
from ..survey.estimate import Estimate
from ..survey.pairs import fit_exposure_model, model_note, model_predictors

INTERACTION = ("interaction_statistic", "interaction_df_num", "interaction_df_den", "interaction_p")


def subgroup_table(data: AnalysisData, settings: Settings) -> pd.DataFrame:
    wanted = [s for s in settings.subgroups if s in data.frame]
    data = data.cells([*data.model_columns(), *(s for s in wanted if s not in data.model_columns())])
    rows = []
    for a, b in itertools.combinations(data.conditions, 2):
        y = data.condition(b)
        for subgroup in wanted:
            test, test_note = interaction_test(data, a, b, y, subgroup)
            values = data.category(subgroup)
            predictors = model_predictors(data, a, b, without=(subgroup,))["adjusted"]
            for level in [str(v) for v in values.cat.categories]:
                domain = (values == level).to_numpy()
                if not domain.any():  # a level no row has: nothing to fit, no row
                    continue
                fit = fit_exposure_model(y, predictors, data, domain)
                note = model_note("adjusted", (a, b), y, predictors, data, domain)
                where = {"condition_a": a, "condition_b": b, "model": "adjusted", "subgroup": subgroup, "level": level}
                numbers = fit.with_note(note).summary(1, report=np.exp)
                rows.append(where | numbers | test | {"note": "; ".join(filter(None, [numbers["note"], test_note]))})
    return pd.DataFrame(rows)


def interaction_test(data: AnalysisData, a: str, b: str, y: np.ndarray, subgroup: str) -> tuple[dict, str]:
    """The Wald F that a's odds ratio is the same in every level of the subgroup (R regTermTest), and
    why there is none. The subgroup enters as a covariate does (sex as the female indicator, a
    category as indicators against its reference), then its products with a."""
    indicators = data.adjustment_of(subgroup)
    predictors = model_predictors(data, a, b, without=(subgroup,))["adjusted"] | indicators
    exposure = predictors[a]
    products = {f"{a} x {name}": exposure * values for name, values in indicators.items()}
    fit: Estimate = fit_exposure_model(y, predictors | products, data)
    # the products that could be estimated (a level absent from the model's rows aliases its own), as
    # R's regTermTest tests the terms whose coefficients are not NA
    tested = [j for j in range(1 + len(predictors), 1 + len(predictors) + len(products)) if np.isfinite(fit.coef[j])]
    if not tested:
        return dict.fromkeys(INTERACTION, np.nan), f"interaction test: {fit.note or 'no product could be estimated'}"
    statistic, df_num, df_den, p_value, note = fit.wald_test(tested, adjusted=False)
    note = note or (fit.note if not np.isfinite(statistic) else "")
    if not note and len(tested) < len(products):
        note = f"{len(tested)} of the {len(products)} products tested (levels with no rows in the model add none)"
    return dict(zip(INTERACTION, (statistic, df_num, df_den, p_value))), f"interaction test: {note}" if note else ""
