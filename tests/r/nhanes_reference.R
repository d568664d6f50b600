# R survey figures for tests/test_nhanes_reference.py: NHANES files in CDC's layout with the shared
# reference's definitions (nhanes_definitions.R); the adjusted and mutual models add the example
# configs' covariates (RIDRETH1, DMDEDUC2, INDFMPIR).
# usage: Rscript nhanes_reference.R FOLDER SCOPE OUT.csv    (SCOPE: 2001-2004 or 1999-2004)
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "nhanes_definitions.R"))
args <- commandArgs(trailingOnly = TRUE)
d <- nhanes_data(args[1], args[2])
des <- nhanes_design(d)
adults <- analysis_rows(d)

rows <- list()
for (c in conditions) {
  sub <- subset(des, !is.na(get(c)))
  m <- svymean(as.formula(paste0("~", c)), sub)
  # the Korn-Graubard interval: the example configs set proportion_ci: korn_graubard (NCHS standards)
  ci <- attr(svyciprop(as.formula(paste0("~I(", c, "==1)")), sub, method = "beta"), "ci")
  rows[[length(rows) + 1]] <- data.frame(kind = "prevalence", condition_a = c, condition_b = "", model = "",
    n = sum(!is.na(adults[[c]])), estimate = coef(m)[[1]], se = SE(m)[[1]], ci_low = ci[[1]], ci_high = ci[[2]])
}
for (i in 1:3) for (j in (i + 1):4) {
  a <- conditions[i]
  b <- conditions[j]
  # a row with any term unknown is left out of that model (svyglm's domain of complete rows)
  specs <- pair_models(a, b, setdiff(conditions, c(a, b)))
  for (model in names(specs)) {
    rows[[length(rows) + 1]] <- cbind(data.frame(kind = "odds_ratio", condition_a = a, condition_b = b,
      model = model), odds_ratio(des, adults, a, b, specs[[model]]))
  }
}
out <- do.call(rbind, rows)
out$rows_analysed <- nrow(adults)
write.csv(out, args[3], row.names = FALSE)
