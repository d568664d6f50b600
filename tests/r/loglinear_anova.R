# R survey's tests of the higher-order terms of the log-linear model on the shared reference extract:
# anova(pairwise model, model with every three-way term) and anova(three-way model, saturated
# four-way model), as print(anova(...)) shows them by default (pval = "F"): the working
# likelihood-ratio deviance and the p-value of its second-order Rao-Scott F (R/loglin.R, pdev2a).
# f, df_num and df_den are the arguments of R's pf() for that p: dev / tr(Delta), tr(Delta)^2 /
# sum(Delta * Delta) and degf(design) times it, from the Delta R computes (not returned; traced out).
# usage: Rscript loglinear_anova.R survey_small.csv OUT.csv
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
raw <- read.csv(args[1])
yesno <- function(v) ifelse(v == 1, 1, ifelse(v == 2, 0, NA))
d <- data.frame(age = raw$RIDAGEYR, sex = raw$RIAGENDR, bmi = raw$BMXBMI, weight = raw$WTMEC,
                stratum = raw$SDMVSTRA, psu = raw$SDMVPSU, knee_oa = yesno(raw$KNEE_OA),
                bunions = yesno(raw$BUNION), low_back_pain = yesno(raw$LOWBACK))
d <- d[d$age >= 18 & d$age <= 120 & d$sex %in% c(1, 2) & d$weight > 0 &
       (is.na(d$bmi) | (d$bmi >= 10 & d$bmi <= 100)), ]
d$obesity <- ifelse(is.na(d$bmi), NA, as.numeric(d$bmi >= 30))
conds <- c("knee_oa", "bunions", "obesity", "low_back_pain")
for (c in conds) d[[paste0("f_", c)]] <- factor(d[[c]])
options(survey.lonely.psu = "adjust")
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)
sub <- subset(des, complete.cases(d[, conds]))
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
