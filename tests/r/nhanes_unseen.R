# R survey figures for tests/test_nhanes_unseen.py (issue 20): the 2001-2004 files the project has
# not seen (tests/nhanes_fixtures.py --unseen: the examiners' bunion drift by cycle, MCQ190 "don't
# know" at the codebooks' shares, MPD050A 77 / 99), with the definitions of nhanes_definitions.R:
# - knee_oa's prevalence under its codebook definition (`knee_oa`) and under `arthritis_knee_pain`
#   (MCQ160A yes and knee pain), and the odds ratios of knee OA with each other condition (crude,
#   adjusted for the example config's covariates, mutual) under each;
# - bunions' prevalence within each cycle (the domain bunions known and cycle = c) and the Rao-Scott
#   test of bunions across cycles, svychisq(~bunions + cycle, statistic = "F");
# - the adults 40+ of the analysis population (examined, WTMEC2YR > 0, 20+): no model of bunions,
#   complete cases or imputed, may use more rows.
# Prevalence: svymean, logit CI (svyciprop method "logit") and Korn-Graubard (method "beta"), df =
# degf of the domain. Odds ratios: svyglm quasibinomial, confint (t on the residual df).
# usage: Rscript nhanes_unseen.R FOLDER OUT.csv
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "nhanes_definitions.R"))
args <- commandArgs(trailingOnly = TRUE)
d <- nhanes_data(args[1], "2001-2004")
des <- nhanes_design(d)
adults <- analysis_rows(d)

row <- function(...) {
  template <- data.frame(kind = "", condition = "", definition = "", condition_b = "", model = "", group = "",
    level = "", n = NA, n_unknown = NA, estimate = NA, se = NA, ci_low = NA, ci_high = NA, kg_low = NA,
    kg_high = NA, df = NA, statistic = NA, df_num = NA, df_den = NA, p_value = NA)
  values <- list(...)
  template[names(values)] <- values
  template
}

# the prevalence of `variable` in the domain `known` of the adults (a logical over `adults`)
prevalence <- function(variable, domain) {
  sub <- subset(des, eval(domain))
  m <- svymean(as.formula(paste0("~", variable)), sub)
  formula <- as.formula(paste0("~I(", variable, " == 1)"))
  logit <- attr(svyciprop(formula, sub, method = "logit"), "ci")
  beta <- attr(svyciprop(formula, sub, method = "beta"), "ci")
  list(estimate = coef(m)[[1]], se = SE(m)[[1]], ci_low = logit[[1]], ci_high = logit[[2]], kg_low = beta[[1]],
       kg_high = beta[[2]], df = degf(sub))
}

rows <- list()
# (a, b) knee OA under each definition: prevalence, and the odds ratios of each pair it is a side of
definitions <- c(knee_oa = "knee_oa", arthritis_knee_pain = "arthritis_knee_pain")
for (definition in names(definitions)) {
  v <- definitions[[definition]]
  p <- prevalence(v, bquote(!is.na(.(as.name(v)))))
  rows[[length(rows) + 1]] <- do.call(row, c(list(kind = "prevalence", condition = "knee_oa",
    definition = definition, group = "overall", level = "all", n = sum(!is.na(adults[[v]])),
    n_unknown = sum(is.na(adults[[v]]))), p))
  for (b in setdiff(conditions, "knee_oa")) {
    specs <- pair_models(v, b, setdiff(conditions, c("knee_oa", b)))
    for (model in names(specs)) {
      rows[[length(rows) + 1]] <- do.call(row, c(list(kind = "odds_ratio", condition = "knee_oa",
        definition = definition, condition_b = b, model = model), as.list(odds_ratio(des, adults, v, b, specs[[model]]))))
    }
  }
}
# (c) bunions by cycle, and the Rao-Scott F test across cycles (the design of the adults, as the
# pipeline's association table; R's svychisq drops the rows with bunions unknown itself)
for (cycle in levels(d$cycle)) {
  p <- prevalence("bunions", bquote(!is.na(bunions) & cycle == .(cycle)))
  rows[[length(rows) + 1]] <- do.call(row, c(list(kind = "prevalence", condition = "bunions",
    definition = "bunions", group = "cycle", level = cycle,
    n = sum(!is.na(adults$bunions) & adults$cycle == cycle)), p))
}
test <- svychisq(~bunions + cycle, des, statistic = "F")
known <- svychisq(~bunions + cycle, subset(des, !is.na(bunions)), statistic = "F")
stopifnot(all.equal(unname(test$statistic), unname(known$statistic), tolerance = 1e-12),
          all.equal(unname(test$parameter), unname(known$parameter), tolerance = 1e-12))
rows[[length(rows) + 1]] <- row(kind = "rao_scott", condition = "bunions", condition_b = "cycle",
  n = sum(!is.na(adults$bunions)), statistic = unname(test$statistic), df_num = unname(test$parameter[["ndf"]]),
  df_den = unname(test$parameter[["ddf"]]), p_value = unname(test$p.value))
# (d) the rows of the analysis population, and its adults 40+
rows[[length(rows) + 1]] <- row(kind = "count", condition = "rows_analysed", n = nrow(adults))
rows[[length(rows) + 1]] <- row(kind = "count", condition = "adults_40_plus", n = sum(adults$RIDAGEYR >= 40))
write.csv(do.call(rbind, rows), args[2], row.names = FALSE)
