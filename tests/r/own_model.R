# R survey figures for the researcher's own covariates, groupings and subgroups (issue 19), on
# tests/reference/own_model/cohort.csv (NHANES coding; see that folder's README):
#   odds_ratios.csv  each pair (a listed before b in conditions order), odds ratio of b given a:
#                    crude (b ~ a), adjusted (b ~ a + age + female + race_eth + education + pir) and
#                    adjusted_spline (age as a natural cubic spline, 4 knots at Harrell's quantiles)
#   prevalence.csv   each condition overall, by race_eth and by sex (domain proportions)
#   subgroups.csv    each pair's adjusted odds ratio (without sex) within women and within men, and
#                    the Wald test of the a x female product in the whole-sample adjusted model
#   knots.csv        the spline's knots (quantile type 7 of the unweighted ages of all rows)
# Design: svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE), lonely PSU
# "adjust". Fits are svyglm(family = quasibinomial()) run to a relative deviance change of 1e-12;
# rows with any unknown variable of a model are dropped by svyglm's na.action (a domain of the
# design). OR = exp(coef), se on the log scale, CI = exp(confint(fit)) (t on the residual df), p from
# summary (t on the residual df), df = fit$df.residual. regTermTest's df is its default,
# model$df.residual (survey 4.1-1, R/regtest.R lines 60-62). Numbers are written with 17 significant digits.
# usage: Rscript own_model.R IN.csv OUTDIR
suppressMessages(library(survey))
library(splines)
options(survey.lonely.psu = "adjust")
args <- commandArgs(trailingOnly = TRUE)
raw <- read.csv(args[1])
outdir <- args[2]

yesno <- function(v) ifelse(v %in% 1, 1, ifelse(v %in% 2, 0, NA))
race_levels <- c("Mexican American", "Other Hispanic", "Non-Hispanic White", "Non-Hispanic Black",
                 "Other or multiracial")
edu_levels <- c("Less than 9th grade", "9-11th grade", "High school", "Some college", "College graduate")
d <- data.frame(age = raw$RIDAGEYR, sex = ifelse(raw$RIAGENDR == 1, "male", "female"), bmi = raw$BMXBMI,
                weight = raw$WTMEC, stratum = raw$SDMVSTRA, psu = raw$SDMVPSU,
                knee_oa = yesno(raw$KNEE_OA), bunions = yesno(raw$BUNION),
                low_back_pain = yesno(raw$LOWBACK), stringsAsFactors = FALSE)
d$race_eth <- relevel(factor(race_levels[raw$RIDRETH1], levels = race_levels), ref = "Non-Hispanic White")
d$education <- relevel(factor(ifelse(raw$DMDEDUC2 %in% 1:5, edu_levels[raw$DMDEDUC2], NA), levels = edu_levels),
                       ref = "College graduate")
d$pir <- raw$INDFMPIR
# every row of this cohort is valid: the pipeline analyses all of them
valid <- d$age >= 18 & d$age <= 120 & raw$RIAGENDR %in% c(1, 2) & d$weight > 0 &
  (is.na(d$bmi) | (d$bmi >= 15 & d$bmi <= 70)) & raw$RIDRETH1 %in% 1:5 &
  raw$DMDEDUC2 %in% c(1:5, 7, 9) & (is.na(d$pir) | (d$pir >= 0 & d$pir <= 5))
stopifnot(all(valid), !anyDuplicated(raw$SEQN))
d$obesity <- ifelse(is.na(d$bmi), NA, as.numeric(d$bmi >= 30))
d$female <- as.numeric(d$sex == "female")
knots <- quantile(d$age, c(0.05, 0.35, 0.65, 0.95), names = FALSE)
basis <- ns(d$age, knots = knots[2:3], Boundary.knots = knots[c(1, 4)])
for (j in seq_len(ncol(basis))) d[[paste0("age_ns", j)]] <- basis[, j]
spline_terms <- paste0("age_ns", seq_len(ncol(basis)))

conds <- c("knee_oa", "bunions", "obesity", "low_back_pain")
covariates <- c("age", "female", "race_eth", "education", "pir")
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)

fit_glm <- function(b, terms, design) {
  f <- as.formula(paste(b, "~", paste(terms, collapse = " + ")))
  svyglm(f, design, family = quasibinomial(), control = glm.control(epsilon = 1e-12, maxit = 100))
}
# the odds ratio of a in a fit, and the rows it used (they have weight > 0 and every variable known)
or_row <- function(fit, a) {
  est <- coef(fit)[[a]]
  ci <- exp(confint(fit)[a, ])
  data.frame(n = length(fit$y), estimate = exp(est), se = SE(fit)[[a]], ci_low = ci[[1]],
             ci_high = ci[[2]], p_value = summary(fit)$coefficients[a, 4], df = fit$df.residual)
}
# the rows a model uses, counted directly (a check on or_row's n)
complete_rows <- function(vars, keep = TRUE) sum(keep & complete.cases(d[, vars]))

pairs <- list()
for (i in 1:(length(conds) - 1)) for (j in (i + 1):length(conds)) pairs[[length(pairs) + 1]] <- conds[c(i, j)]

ors <- list()
subs <- list()
for (pr in pairs) {
  a <- pr[1]; b <- pr[2]
  specs <- list(crude = a, adjusted = c(a, covariates),
                adjusted_spline = c(a, spline_terms, setdiff(covariates, "age")))
  for (model in names(specs)) {
    row <- or_row(fit_glm(b, specs[[model]], des), a)
    stopifnot(row$n == complete_rows(c(b, specs[[model]])))
    ors[[length(ors) + 1]] <- cbind(condition_a = a, condition_b = b, model = model, row)
  }
  inter <- fit_glm(b, c(a, covariates, paste0(a, ":female")), des)
  test <- regTermTest(inter, as.formula(paste0("~", a, ":female")), method = "Wald")
  stopifnot(test$ddf == inter$df.residual)
  for (level in c("female", "male")) {
    row <- or_row(fit_glm(b, c(a, setdiff(covariates, "female")), subset(des, sex == level)), a)
    stopifnot(row$n == complete_rows(c(a, b, setdiff(covariates, "female")), d$sex == level))
    subs[[length(subs) + 1]] <- cbind(condition_a = a, condition_b = b, subgroup = "sex", level = level, row,
      interaction_statistic = test$Ftest[[1]], interaction_df_num = test$df,
      interaction_df_den = test$ddf, interaction_p = test$p[[1]])
  }
}

prev <- list()
proportion_row <- function(sub) {
  m <- svymean(~.y, sub)
  ci <- attr(svyciprop(~I(.y == 1), sub, method = "logit"), "ci")
  data.frame(n = nrow(sub), estimate = coef(m)[[1]], se = SE(m)[[1]], ci_low = ci[[1]], ci_high = ci[[2]],
             df = degf(sub))
}
for (cond in conds) {
  y <- d[[cond]]
  dy <- update(des, .y = y)
  prev[[length(prev) + 1]] <- cbind(condition = cond, group = "overall", level = "all",
                                    proportion_row(subset(dy, !is.na(.y))))
  for (level in race_levels)
    prev[[length(prev) + 1]] <- cbind(condition = cond, group = "race_eth", level = level,
                                      proportion_row(subset(dy, !is.na(.y) & race_eth == level)))
  for (level in c("female", "male"))
    prev[[length(prev) + 1]] <- cbind(condition = cond, group = "sex", level = level,
                                      proportion_row(subset(dy, !is.na(.y) & sex == level)))
}

# 17 significant digits; only the text columns are quoted
out <- function(frame, name) {
  text <- which(!vapply(frame, is.numeric, logical(1)))
  for (col in names(frame)) if (is.numeric(frame[[col]])) frame[[col]] <- sprintf("%.17g", frame[[col]])
  write.csv(frame, file.path(outdir, name), row.names = FALSE, quote = text)
}
out(do.call(rbind, ors), "odds_ratios.csv")
out(do.call(rbind, prev), "prevalence.csv")
out(do.call(rbind, subs), "subgroups.csv")
out(data.frame(probability = c(0.05, 0.35, 0.65, 0.95), age = knots), "knots.csv")
