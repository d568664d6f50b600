# R survey's tests of the higher-order terms of the log-linear model on the shared reference extract:
# anova(pairwise model, model with every three-way term) and anova(three-way model, saturated
# four-way model), as print(anova(...)) shows them by default (pval = "F"): the working
# likelihood-ratio deviance and the p-value of its second-order Rao-Scott F (R/loglin.R, pdev2a).
# f, df_num and df_den are the arguments of R's pf() for that p: dev / tr(Delta), tr(Delta)^2 /
# sum(Delta * Delta) and degf(design) times it, from the Delta R computes (not returned; traced out).
# usage: Rscript loglinear_anova.R survey_small.csv OUT.csv
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "loglinear_data.R"))
args <- commandArgs(trailingOnly = TRUE)
sub <- loglinear_design(args[1])
# update(m, ~.^3) would expand the pairwise terms' products, four-way term included: spell each model
m2 <- svyloglin(~(f_knee_oa + f_bunions + f_obesity + f_low_back_pain)^2, sub)
m3 <- update(m2, ~(f_knee_oa + f_bunions + f_obesity + f_low_back_pain)^3)
m4 <- update(m2, ~(f_knee_oa + f_bunions + f_obesity + f_low_back_pain)^4)
# R's own Delta (the design effect matrix of the added terms), taken as anova.svyloglin leaves
delta <- NULL
suppressMessages(invisible(trace("anova.svyloglin", exit = quote(delta <<- Delta), where = asNamespace("survey"),
                                  print = FALSE)))
test <- function(model, smaller, larger) {
  a <- anova(smaller, larger)
  tr <- sum(diag(delta))
  df_num <- tr^2 / sum(delta * delta)  # R/loglin.R: tr2 <- function(m) sum(m * m)
  out <- data.frame(model = model, df = a$p, deviance = a$dev$dev, f = a$dev$dev / tr, df_num = df_num,
                    df_den = smaller$df.null * df_num, p_value = a$dev$p[3])
  stopifnot(isTRUE(all.equal(pf(out$f, out$df_num, out$df_den, lower.tail = FALSE), out$p_value)))
  out
}
write.csv(rbind(test("three-way", m2, m3), test("four-way", m3, m4)), args[2], row.names = FALSE)
