# The shared reference extract (survey_small.csv) as the log-linear R scripts read it: the valid rows,
# the four conditions (1 yes, 0 no, NA unknown) and as factors, and the design of the rows with
# every condition known (the log-linear model's rows). Sourced by loglinear.R and loglinear_anova.R.
suppressMessages(library(survey))
loglinear_design <- function(path) {
  raw <- read.csv(path)
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
  subset(des, complete.cases(d[, conds]))
}
