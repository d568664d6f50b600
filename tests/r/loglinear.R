# R survey's svyloglin on the shared reference extract: pairwise terms of the all-pairwise log-linear
# model with their design-based SEs, on the log-odds-ratio scale (svyloglin's effect coding x 4).
# usage: Rscript loglinear.R survey_small.csv OUT.csv
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
fit <- svyloglin(~(f_knee_oa + f_bunions + f_obesity + f_low_back_pain)^2, sub)
pairs <- grep(":", names(coef(fit)), value = TRUE)
term <- gsub("1", "", gsub("f_", "", pairs))
write.csv(data.frame(term = term, estimate = 4 * coef(fit)[pairs], se = 4 * SE(fit)[pairs]), args[2],
          row.names = FALSE)
