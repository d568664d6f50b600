# R survey's svyloglin on the shared reference extract: pairwise terms of the all-pairwise log-linear
# model with their design-based SEs, on the log-odds-ratio scale (svyloglin's effect coding x 4).
# usage: Rscript loglinear.R survey_small.csv OUT.csv
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "loglinear_data.R"))
args <- commandArgs(trailingOnly = TRUE)
sub <- loglinear_design(args[1])
fit <- svyloglin(~(f_knee_oa + f_bunions + f_obesity + f_low_back_pain)^2, sub)
pairs <- grep(":", names(coef(fit)), value = TRUE)
term <- gsub("1", "", gsub("f_", "", pairs))
write.csv(data.frame(term = term, estimate = 4 * coef(fit)[pairs], se = 4 * SE(fit)[pairs]), args[2],
          row.names = FALSE)
