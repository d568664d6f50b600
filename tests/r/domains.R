# R survey figures for tests/test_design_r.py: domain proportions and a logistic model on a small
# design, under a given lonely-PSU option. usage: Rscript domains.R IN.csv OUT.csv LONELY [weights-only]
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
options(survey.lonely.psu = args[3])
weights_only <- length(args) >= 4 && args[4] == "weights-only"
des <- if (weights_only) svydesign(ids = ~1, weights = ~weight, data = d) else
  svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)
rows <- list()
add <- function(what, domain, est, se, low, high, df) {
  rows[[length(rows) + 1]] <<- data.frame(what = what, domain = domain, estimate = est, se = se,
                                          ci_low = low, ci_high = high, df = df)
}
for (dom in c("all", "female", "male")) {
  keep <- !is.na(d$y)
  if (dom != "all") keep <- keep & d$sex == dom
  sub <- subset(des, keep)
  m <- svymean(~y, sub)
  ci <- attr(svyciprop(~I(y == 1), sub, method = "logit"), "ci")
  add("proportion", dom, coef(m)[[1]], SE(m)[[1]], ci[[1]], ci[[2]], degf(sub))
}
d$agegrp <- cut(d$age, c(18, 45, 65, Inf), right = FALSE)
des <- update(des, agegrp = d$agegrp)
std <- svystandardize(subset(des, !is.na(y)), by = ~agegrp, over = ~1, population = c(108151, 60991, 34710))
m <- svymean(~y, std)
ci <- attr(svyciprop(~I(y == 1), std, method = "logit"), "ci")
add("standardized", "all", coef(m)[[1]], SE(m)[[1]], ci[[1]], ci[[2]], degf(std))
fit <- svyglm(y ~ x + age, des, family = quasibinomial())
ci <- confint(fit)["x", ]
add("logistic_x", "all", coef(fit)[["x"]], SE(fit)[["x"]], ci[[1]], ci[[2]], fit$df.residual)
write.csv(do.call(rbind, rows), args[2], row.names = FALSE)
