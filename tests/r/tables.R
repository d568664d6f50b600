# R survey figures for tests/test_reliability.py (prevalence.csv's population, deff, Korn-Graubard
# interval), tests/test_association.py (Rao-Scott tests) and tests/test_table1.py (Table 1).
#
# usage: Rscript tables.R survey_small IN.csv OUTDIR   the NHANES-style extract, coded as its README says
#        Rscript tables.R domains IN.csv OUTDIR        tests/reference/small_domains.csv
# writes OUTDIR/<mode>_prevalence.csv and <mode>_association.csv, and for survey_small also
# survey_small_table1.csv and survey_small_table1_tests.csv. tests/reference/ holds the committed output
# (make it with tests/r/make_references.sh).
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]
out <- function(frame, name) write.csv(frame, file.path(args[3], paste0(mode, "_", name, ".csv")), row.names = FALSE)

# one proportion of .y in the rows kept: svymean(deff = TRUE), svyciprop(method = "beta"), totals
proportion_row <- function(des) {
  m <- svymean(~.y, des, deff = TRUE)
  kg <- attr(suppressWarnings(svyciprop(~I(.y == 1), des, method = "beta")), "ci")
  data.frame(n = nrow(des), population = sum(weights(des)), cases = coef(svytotal(~.y, des))[[1]],
             estimate = coef(m)[[1]], se = SE(m)[[1]], deff = deff(m)[[1]], kg_low = kg[[1]],
             kg_high = kg[[2]], df = degf(des))
}

rao_scott <- function(formula, des, n) {
  test <- svychisq(formula, des, statistic = "F")
  data.frame(n = n, statistic = test$statistic[[1]], df_num = test$parameter[[1]],
             df_den = test$parameter[[2]], p_value = test$p.value[[1]])
}

if (mode == "domains") {
  d <- read.csv(args[2], stringsAsFactors = FALSE)
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)
  des <- update(des, .y = d$y)
  rows <- list()
  for (dom in c("all", unique(d$domain))) {
    keep <- !is.na(d$y) & (dom == "all" | d$domain == dom)
    rows[[length(rows) + 1]] <- cbind(domain = dom, proportion_row(des[keep, ]))
  }
  out(do.call(rbind, rows), "prevalence")
  out(rbind(cbind(by = "domain", rao_scott(~y + domain, des, sum(!is.na(d$y)))),
            cbind(by = "band", rao_scott(~y + band, des, sum(!is.na(d$y) & !is.na(d$band))))), "association")
  quit(save = "no")
}

# survey_small: the rows a valid pipeline keeps, the harmonized columns, the prevalence groupings
raw <- read.csv(args[2])
yesno <- function(v) ifelse(v == 1, 1, ifelse(v == 2, 0, NA))
d <- data.frame(age = raw$RIDAGEYR, sex = ifelse(raw$RIAGENDR == 1, "male", "female"), bmi = raw$BMXBMI,
                weight = raw$WTMEC, stratum = raw$SDMVSTRA, psu = raw$SDMVPSU, knee_oa = yesno(raw$KNEE_OA),
                bunions = yesno(raw$BUNION), low_back_pain = yesno(raw$LOWBACK), stringsAsFactors = FALSE)
d <- d[d$age >= 18 & d$age <= 120 & raw$RIAGENDR %in% c(1, 2) & d$weight > 0 &
       (is.na(d$bmi) | (d$bmi >= 10 & d$bmi <= 100)), ]
d$obesity <- ifelse(is.na(d$bmi), NA, as.numeric(d$bmi >= 30))
d$age_band <- as.character(cut(d$age, c(18, 40, 60, Inf), right = FALSE, labels = c("18-39", "40-59", "60+")))
d$bmi_class <- as.character(cut(d$bmi, c(0, 18.5, 25, 30, Inf), right = FALSE,
                                labels = c("underweight (<18.5)", "normal (18.5-24.9)", "overweight (25-29.9)",
                                           "obese (30+)")))
d$agegrp <- cut(d$age, c(18, 45, 65, Inf), right = FALSE)
conds <- c("knee_oa", "bunions", "obesity", "low_back_pain")
groups <- c("sex", "age_band", "bmi_class")
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)

rows <- list()
add <- function(cond, group, level, frame) rows[[length(rows) + 1]] <<- cbind(condition = cond, group = group,
                                                                            level = level, frame)
for (cond in conds) {
  y <- d[[cond]]
  dy <- update(des, .y = y)
  add(cond, "overall", "all", proportion_row(dy[!is.na(y), ]))
  for (level in c("all", "female", "male")) {
    keep <- !is.na(y) & (level == "all" | d$sex == level)
    std <- svystandardize(dy[keep, ], by = ~agegrp, over = ~1, population = c(108151, 60991, 34710))
    add(cond, "age_standardized", level, proportion_row(std))
  }
  for (group in groups) {
    if (cond == "obesity" && group == "bmi_class") next
    values <- ifelse(is.na(d[[group]]), "unknown", d[[group]])
    for (level in sort(unique(values))) add(cond, group, level, proportion_row(dy[!is.na(y) & values == level, ]))
  }
}
out(do.call(rbind, rows), "prevalence")

tests <- list()
for (i in 1:3) for (j in (i + 1):4) {
  a <- conds[i]; b <- conds[j]
  f <- as.formula(paste("~", a, "+", b))
  tests[[length(tests) + 1]] <- cbind(kind = "pair", condition = a, by = b,
                                      rao_scott(f, des, sum(!is.na(d[[a]]) & !is.na(d[[b]]))))
}
for (cond in conds) for (group in groups) {
  if (cond == "obesity" && group == "bmi_class") next
  f <- as.formula(paste("~", cond, "+", group))
  tests[[length(tests) + 1]] <- cbind(kind = "grouping", condition = cond, by = group,
                                      rao_scott(f, des, sum(!is.na(d[[cond]]) & !is.na(d[[group]]))))
}
out(do.call(rbind, tests), "association")

# Table 1: by each condition (0 = without, 1 = with), age mean and svyttest, percentages and svychisq
cells <- list()
tests <- list()
cell <- function(cond, characteristic, level, side, n, est, se, low, high, kg_low = NA, kg_high = NA)
  cells[[length(cells) + 1]] <<- data.frame(condition = cond, characteristic = characteristic, level = level,
                                            side = side, n = n, estimate = est, se = se, ci_low = low,
                                            ci_high = high, kg_low = kg_low, kg_high = kg_high)
for (cond in conds) {
  status <- d[[cond]]
  dc <- update(des, .c = status)
  for (side in c(0, 1)) {
    in_side <- !is.na(status) & status == side
    sub <- des[in_side, ]
    cell(cond, "adults", "", side, sum(in_side), sum(weights(sub)), NA, NA, NA)
    m <- svymean(~age, sub)
    ci <- confint(m, df = degf(sub))
    cell(cond, "age", "", side, sum(in_side), coef(m)[[1]], SE(m)[[1]], ci[[1]], ci[[2]])
  }
  t <- svyttest(age ~ .c, dc)
  tests[[length(tests) + 1]] <- data.frame(condition = cond, characteristic = "age", statistic = t$statistic[[1]],
                                           df_num = NA, df_den = t$parameter[[1]], p_value = t$p.value[[1]])
  for (characteristic in c(groups, setdiff(conds, cond))) {
    x <- d[[characteristic]]
    levels <- if (characteristic %in% conds) 1 else sort(unique(na.omit(x)))
    for (level in levels) for (side in c(0, 1)) {
      keep <- !is.na(status) & status == side & !is.na(x)
      dl <- update(des, .y = as.numeric(x == level))[keep, ]
      m <- svymean(~.y, dl)
      ci <- attr(svyciprop(~I(.y == 1), dl, method = "logit"), "ci")
      kg <- attr(svyciprop(~I(.y == 1), dl, method = "beta"), "ci")
      shown <- if (characteristic %in% conds) "yes" else level
      cell(cond, characteristic, shown, side, sum(keep & x == level), coef(m)[[1]], SE(m)[[1]], ci[[1]], ci[[2]],
           kg[[1]], kg[[2]])
    }
    test <- rao_scott(as.formula(paste("~ .c +", characteristic)), dc, NA)
    tests[[length(tests) + 1]] <- cbind(condition = cond, characteristic = characteristic, test[, -1])
  }
}
out(do.call(rbind, cells), "table1")
out(do.call(rbind, tests), "table1_tests")
