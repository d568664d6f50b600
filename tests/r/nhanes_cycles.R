# R survey figures for tests/test_cycles.py: NHANES 1999-2004 files in CDC's layout with examiners'
# drift in the bunions of the foot exam (python tests/nhanes_fixtures.py --drift FOLDER), read with
# haven. The definitions of bunions, obesity and low back pain are those of the example config
# (nhanes_1999_2004.yaml), written out in plain R; `cycle` is a factor, its first cycle the reference.
# For each condition: the prevalence in each cycle (svyby of svyciprop, method = "beta" (Korn-Graubard, as the example configs ask), on the rows
# where it is known) and the Rao-Scott test across cycles (svychisq, statistic = "F"); for each pair
# of bunions with obesity or low back pain: the odds ratio adjusted for age, sex and cycle (svyglm).
# usage: Rscript nhanes_cycles.R FOLDER OUT.csv
suppressMessages({
  library(survey)
  library(haven)
})
args <- commandArgs(trailingOnly = TRUE)
folder <- args[1]
cycles <- c("1999-2000" = "", "2001-2002" = "_B", "2003-2004" = "_C")

read <- function(name) {
  d <- as.data.frame(read_xpt(file.path(folder, paste0(name, ".XPT"))))
  names(d) <- toupper(names(d))
  d
}
keep <- c("SEQN", "RIDAGEYR", "RIAGENDR", "RIDEXPRG", "WTMEC2YR", "WTMEC4YR", "SDMVSTRA", "SDMVPSU",
          "MPQ070", "LEALBUN", "LEARBUN", "BMXBMI")
one_cycle <- function(name) {
  suffix <- cycles[[name]]
  d <- read(paste0("DEMO", suffix))
  for (f in c("MPQ", "LEXPN", "BMX")) d <- merge(d, read(paste0(f, suffix)), by = "SEQN", all.x = TRUE, sort = FALSE)
  if (!"WTMEC4YR" %in% names(d)) d$WTMEC4YR <- NA
  d <- d[, keep]
  d$cycle <- name
  d
}
d <- do.call(rbind, lapply(names(cycles), one_cycle))
d$cycle <- factor(d$cycle, levels = names(cycles))
# NCHS, 1999-2004: WTMEC4YR x 2/3 for 1999-2002, WTMEC2YR x 1/3 for 2003-2004
d$weight <- ifelse(d$cycle == "2003-2004", d$WTMEC2YR / 3, d$WTMEC4YR * 2 / 3)

yes_no <- function(v, yes, no) ifelse(v %in% yes, 1, ifelse(v %in% no, 0, NA))
d$low_back_pain <- yes_no(d$MPQ070, 1, 2)
left <- yes_no(d$LEALBUN, 1, 2)
right <- yes_no(d$LEARBUN, 1, 2)
d$bunions <- ifelse(left %in% 1 | right %in% 1, 1, ifelse(left %in% 0 & right %in% 0, 0, NA))
d$bunions[d$RIDAGEYR < 40] <- NA  # the foot exam's universe: examined adults 40+
d$obesity <- ifelse(is.na(d$BMXBMI) | d$RIDEXPRG %in% 1, NA, as.numeric(d$BMXBMI >= 30))
d$age <- d$RIDAGEYR
d$female <- as.numeric(d$RIAGENDR == 2)

options(survey.lonely.psu = "adjust")
examined <- d[d$WTMEC2YR > 0, ]
des <- svydesign(ids = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~weight, nest = TRUE, data = examined)
des <- subset(des, RIDAGEYR >= 20)
adults <- examined[examined$RIDAGEYR >= 20, ]

rows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- data.frame(...)
for (c in c("bunions", "obesity", "low_back_pain")) {
  known <- subset(des, !is.na(get(c)))
  by <- svyby(as.formula(paste0("~I(", c, " == 1)")), ~cycle, known, svyciprop, method = "beta",
              vartype = c("se", "ci"))
  for (level in names(cycles)) {
    add(kind = "prevalence", condition = c, by = "cycle", level = level, model = "",
        n = sum(!is.na(adults[[c]]) & adults$cycle == level), estimate = by[level, 2], se = unname(SE(by))[match(level, names(cycles))],
        ci_low = by[level, "ci_l"], ci_high = by[level, "ci_u"], df_num = NA, df_den = NA, p_value = NA)
  }
  test <- svychisq(as.formula(paste0("~", c, " + cycle")), des, statistic = "F")
  add(kind = "test", condition = c, by = "cycle", level = "", model = "", n = sum(!is.na(adults[[c]])),
      estimate = unname(test$statistic), se = NA, ci_low = NA, ci_high = NA,
      df_num = unname(test$parameter[1]), df_den = unname(test$parameter[2]), p_value = test$p.value)
}
for (b in c("obesity", "low_back_pain")) {
  fit <- svyglm(as.formula(paste(b, "~ bunions + age + female + cycle")), des, family = quasibinomial())
  ci <- confint(fit)["bunions", ]
  used <- complete.cases(adults[, c(b, "bunions", "age", "female", "cycle")])
  add(kind = "odds_ratio", condition = "bunions", by = b, level = "", model = "adjusted", n = sum(used),
      estimate = exp(coef(fit)[["bunions"]]), se = SE(fit)[["bunions"]], ci_low = exp(ci[[1]]),
      ci_high = exp(ci[[2]]), df_num = NA, df_den = NA, p_value = summary(fit)$coefficients["bunions", 4])
}
write.csv(do.call(rbind, rows), args[2], row.names = FALSE)
