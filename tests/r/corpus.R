# R survey's odds ratios for a file of the bad-input corpus (tests/corpus), in the corpus's coding
# (tests/helpers.py: ID, AGE, SEX 1 male / 2 female, BMI, conditions 1 yes / 2 no / 9 unknown, WT,
# and STRAT / PSU for a design); obesity is BMI >= 30. Conditions are given as name=COLUMN, in the
# config's order; two names may share a column (then svyglm aliases the later copy).
# The fits run to a relative deviance change of 1e-12 (glm's default 1e-8 leaves the SE of a rare
# outcome's model accurate to about 1e-5 only), and the CI is coef +- qt(0.975, df.residual) * SE,
# which is what confint.svyglm means: it converts the t level to a normal one, and at 1 df
# 1 - 2 * pnorm(qt(0.025, 1)) rounds to 1, so it returns (0, Inf) there.
# usage: Rscript corpus.R IN.csv OUT.csv design|weights-only knee_oa=KOA low_back_pain=LBP ...
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
raw <- read.csv(args[1], colClasses = "character")
mode <- args[3]
mapping <- strsplit(args[4:length(args)], "=")
yesno <- function(v) ifelse(v == "1", 1, ifelse(v == "2", 0, NA))
num <- function(v) suppressWarnings(as.numeric(v))
d <- data.frame(age = num(raw$AGE), sex = num(raw$SEX), bmi = num(raw$BMI), weight = num(raw$WT))
conds <- character(0)
for (m in mapping) {
  d[[m[1]]] <- yesno(raw[[m[2]]])
  conds <- c(conds, m[1])
}
d$obesity <- ifelse(is.na(d$bmi), NA, as.numeric(d$bmi >= 30))
conds <- c(conds[conds %in% c("knee_oa", "bunions")], "obesity", conds[!conds %in% c("knee_oa", "bunions")])
if (mode == "design") {
  d$stratum <- raw$STRAT
  d$psu <- raw$PSU
}
ok <- !is.na(d$age) & d$age >= 18 & d$age <= 120 & d$sex %in% c(1, 2) & !is.na(d$weight) & d$weight > 0 &
  (is.na(d$bmi) | (d$bmi >= 10 & d$bmi <= 100))
d <- d[ok, ]
d$female <- as.numeric(d$sex == 2)
options(survey.lonely.psu = "adjust")
if (mode == "design") {
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)
} else {
  des <- svydesign(ids = ~1, weights = ~weight, data = d)
}
rows <- list()
for (i in 1:(length(conds) - 1)) for (j in (i + 1):length(conds)) {
  a <- conds[i]; b <- conds[j]
  others <- setdiff(conds, c(a, b))
  specs <- list(crude = a, adjusted = c(a, "age", "female"), mutual = c(a, "age", "female", others))
  for (model in names(specs)) {
    f <- as.formula(paste(b, "~", paste(specs[[model]], collapse = " + ")))
    fit <- suppressWarnings(svyglm(f, des, family = quasibinomial(),
      control = glm.control(epsilon = 1e-12, maxit = 100)))
    aliased <- setdiff(specs[[model]], names(coef(fit))[!is.na(coef(fit))])
    est <- coef(fit)[[a]]
    se <- SE(fit)[[a]]
    half <- qt(0.975, fit$df.residual) * se
    rows[[length(rows) + 1]] <- data.frame(condition_a = a, condition_b = b, model = model,
      estimate = exp(est), se = se, ci_low = exp(est - half), ci_high = exp(est + half),
      df = fit$df.residual, aliased = paste(aliased, collapse = " "))
  }
}
write.csv(do.call(rbind, rows), args[2], row.names = FALSE)
