# R survey computing what prevalence.csv and odds_ratios.csv hold, on the analysis rows of a
# benchmark cohort, timed (benchmarks/bench_scale.py runs it and compares both time and numbers).
#
# usage: Rscript r_survey.R ROWS.csv OUT.csv
#   ROWS.csv: age, sex, bmi, weight, stratum, psu, and the four conditions as 1/0/NA
# prints "estimation_seconds <s>" (reading the CSV excluded) and writes every estimate to OUT.csv.
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
conds <- c("knee_oa", "bunions", "obesity", "low_back_pain")
d$female <- as.numeric(d$sex == "female")
d$age_band <- as.character(cut(d$age, c(18, 40, 60, Inf), right = FALSE, labels = c("18-39", "40-59", "60+")))
d$bmi_class <- as.character(cut(d$bmi, c(0, 18.5, 25, 30, Inf), right = FALSE,
                                labels = c("underweight (<18.5)", "normal (18.5-24.9)", "overweight (25-29.9)",
                                           "obese (30+)")))
d$bmi_class[is.na(d$bmi_class)] <- "unknown"
d$agegrp <- cut(d$age, c(18, 45, 65, Inf), right = FALSE)

# one prevalence row: svymean with deff, the logit and Korn-Graubard (beta) intervals, df
proportion_row <- function(des) {
  m <- svymean(~.y, des, deff = TRUE)
  logit <- attr(suppressWarnings(svyciprop(~I(.y == 1), des, method = "logit")), "ci")
  kg <- attr(suppressWarnings(svyciprop(~I(.y == 1), des, method = "beta")), "ci")
  data.frame(n = nrow(des), estimate = coef(m)[[1]], se = SE(m)[[1]], ci_low = logit[[1]], ci_high = logit[[2]],
             deff = deff(m)[[1]], kg_low = kg[[1]], kg_high = kg[[2]], df = degf(des))
}

seconds <- system.time({
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)
  rows <- list()
  add <- function(kind, a, b, model, frame) rows[[length(rows) + 1]] <<- cbind(kind = kind, condition_a = a,
                                                                               condition_b = b, model = model, frame)
  for (cond in conds) {
    y <- d[[cond]]
    dy <- update(des, .y = y)
    add("prevalence", cond, "overall", "all", proportion_row(dy[!is.na(y), ]))
    for (level in c("all", "female", "male")) {
      keep <- !is.na(y) & (level == "all" | d$sex == level)
      std <- svystandardize(dy[keep, ], by = ~agegrp, over = ~1, population = c(108151, 60991, 34710))
      add("prevalence", cond, "age_standardized", level, proportion_row(std))
    }
    for (group in c("sex", "age_band", "bmi_class")) {
      if (cond == "obesity" && group == "bmi_class") next
      for (level in sort(unique(d[[group]]))) add("prevalence", cond, group, level,
                                                  proportion_row(dy[!is.na(y) & d[[group]] == level, ]))
    }
  }
  for (i in 1:3) for (j in (i + 1):4) {
    a <- conds[i]; b <- conds[j]
    specs <- list(crude = a, adjusted = c(a, "age", "female"), mutual = c(a, "age", "female", setdiff(conds, c(a, b))))
    for (model in names(specs)) {
      fit <- svyglm(as.formula(paste(b, "~", paste(specs[[model]], collapse = " + "))), des, family = quasibinomial())
      ci <- confint(fit)[a, ]
      add("odds_ratio", a, b, model, data.frame(n = length(fit$y), estimate = exp(coef(fit)[[a]]),
                                               se = SE(fit)[[a]], ci_low = exp(ci[[1]]), ci_high = exp(ci[[2]]),
                                               deff = NA, kg_low = NA, kg_high = NA, df = fit$df.residual))
    }
  }
})[["elapsed"]]
cat("estimation_seconds", seconds, "\n")
write.csv(do.call(rbind, rows), args[2], row.names = FALSE)
