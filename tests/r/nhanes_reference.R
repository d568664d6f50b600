# R survey figures for tests/test_nhanes_reference.py: NHANES files in CDC's layout (the fixtures of
# tests/nhanes_fixtures.py, or real ones), with the definitions of the shared reference
# (nhanes_1999_2004.md) written out here in plain R, independently of the pipeline's rule language;
# the adjusted and mutual models add the example configs' covariates (RIDRETH1, DMDEDUC2, INDFMPIR).
# usage: Rscript nhanes_reference.R FOLDER SCOPE OUT.csv    (SCOPE: 2001-2004 or 1999-2004)
suppressMessages({
  library(survey)
  library(haven)
})
args <- commandArgs(trailingOnly = TRUE)
folder <- args[1]
scope <- args[2]
suffixes <- if (scope == "1999-2004") c("", "_B", "_C") else c("_B", "_C")

read <- function(name) {
  d <- as.data.frame(read_xpt(file.path(folder, paste0(name, ".XPT"))))
  names(d) <- toupper(names(d))  # the 1999-2002 files write MPD050i, MCQ160a
  d
}
keep <- c("SEQN", "RIDAGEYR", "RIAGENDR", "RIDRETH1", "DMDEDUC2", "INDFMPIR", "RIDEXPRG", "WTMEC2YR", "WTMEC4YR",
          "SDMVSTRA", "SDMVPSU", "MCQ160A", "MCQ190", "MPQ010", "MPD050I", "MPD050J", "MPQ070", "LEALBUN", "LEARBUN",
          "BMXBMI")
cycle <- function(suffix) {
  d <- read(paste0("DEMO", suffix))  # every respondent; the other files only those they hold
  for (f in c("MCQ", "MPQ", "LEXPN", "BMX")) {
    d <- merge(d, read(paste0(f, suffix)), by = "SEQN", all.x = TRUE, sort = FALSE)
  }
  if (!"WTMEC4YR" %in% names(d)) d$WTMEC4YR <- NA
  d <- d[, keep]
  d$suffix <- suffix
  d
}
d <- do.call(rbind, lapply(suffixes, cycle))

# NCHS weights: 2001-2004 WTMEC2YR / 2; 1999-2004 WTMEC4YR x 2/3 (1999-2002), WTMEC2YR x 1/3 (2003-2004)
d$weight <- if (scope == "2001-2004") d$WTMEC2YR / 2 else
  ifelse(d$suffix %in% c("", "_B"), d$WTMEC4YR * 2 / 3, d$WTMEC2YR / 3)

# the definitions, three-valued: 1 yes, 0 no, NA unknown
yes_no <- function(v, yes, no) ifelse(v %in% yes, 1, ifelse(v %in% no, 0, NA))
d$low_back_pain <- yes_no(d$MPQ070, 1, 2)
knee_yes <- d$MPD050I %in% 18 | d$MPD050J %in% 19
d$knee_pain <- ifelse(knee_yes, 1, ifelse(d$MPQ010 %in% c(1, 2), 0, NA))
arthritis <- yes_no(d$MCQ160A, 1, 2)
oa_type <- yes_no(d$MCQ190, 2, c(1, 3))
# Kleene AND: no if any part is no, yes if all are yes, else unknown
d$knee_oa <- ifelse(arthritis %in% 0 | oa_type %in% 0 | d$knee_pain %in% 0, 0,
                    ifelse(arthritis %in% 1 & oa_type %in% 1 & d$knee_pain %in% 1, 1, NA))
left <- yes_no(d$LEALBUN, 1, 2)
right <- yes_no(d$LEARBUN, 1, 2)
# Kleene OR: yes if any is yes, no if both are no, else unknown; examined only at 40+
d$bunions <- ifelse(left %in% 1 | right %in% 1, 1, ifelse(left %in% 0 & right %in% 0, 0, NA))
d$bunions[d$RIDAGEYR < 40] <- NA
d$obesity <- ifelse(is.na(d$BMXBMI) | d$RIDEXPRG %in% 1, NA, as.numeric(d$BMXBMI >= 30))
d$age <- d$RIDAGEYR
d$female <- as.numeric(d$RIAGENDR == 2)
# the covariates of the example configs (codebooks DEMO, DEMO_B, DEMO_C): RIDRETH1 for everyone;
# DMDEDUC2 for adults 20+, 7 refused and 9 don't know unknown like a blank; INDFMPIR 0-5 (5 = 5.00
# or more), blank unknown. Factors with treatment contrasts against the configs' reference levels.
d$race_eth <- relevel(factor(d$RIDRETH1, levels = 1:5, labels = c("Mexican American", "Other Hispanic",
  "Non-Hispanic White", "Non-Hispanic Black", "Other or multiracial")), ref = "Non-Hispanic White")
d$education <- relevel(factor(ifelse(d$DMDEDUC2 %in% 1:5, d$DMDEDUC2, NA), levels = 1:5, labels = c(
  "Less than 9th grade", "9-11th grade", "High school", "Some college", "College graduate")), ref = "College graduate")
d$pir <- d$INDFMPIR
covariates <- c("age", "female", "race_eth", "education", "pir")

# the examined respondents' design (weight > 0), then the adults 20+ as a domain
options(survey.lonely.psu = "adjust")
examined <- d[d$WTMEC2YR > 0, ]
des <- svydesign(ids = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~weight, nest = TRUE, data = examined)
des <- subset(des, RIDAGEYR >= 20)
adults <- examined[examined$RIDAGEYR >= 20, ]

conds <- c("knee_oa", "bunions", "obesity", "low_back_pain")
rows <- list()
for (c in conds) {
  sub <- subset(des, !is.na(get(c)))
  m <- svymean(as.formula(paste0("~", c)), sub)
  # the Korn-Graubard interval: the example configs set proportion_ci: korn_graubard (NCHS standards)
  ci <- attr(svyciprop(as.formula(paste0("~I(", c, "==1)")), sub, method = "beta"), "ci")
  rows[[length(rows) + 1]] <- data.frame(kind = "prevalence", condition_a = c, condition_b = "", model = "",
    n = sum(!is.na(adults[[c]])), estimate = coef(m)[[1]], se = SE(m)[[1]], ci_low = ci[[1]], ci_high = ci[[2]])
}
for (i in 1:3) for (j in (i + 1):4) {
  a <- conds[i]
  b <- conds[j]
  others <- setdiff(conds, c(a, b))
  # adjusted: + the covariates; mutual: + the covariates and the other conditions (as the pipeline's
  # models); a row with any of them unknown is left out of that model (svyglm's domain of complete rows)
  specs <- list(crude = a, adjusted = c(a, covariates), mutual = c(a, covariates, others))
  for (model in names(specs)) {
    f <- as.formula(paste(b, "~", paste(specs[[model]], collapse = " + ")))
    fit <- svyglm(f, des, family = quasibinomial())
    ci <- confint(fit)[a, ]
    used <- complete.cases(adults[, c(b, specs[[model]])])
    rows[[length(rows) + 1]] <- data.frame(kind = "odds_ratio", condition_a = a, condition_b = b, model = model,
      n = sum(used), estimate = exp(coef(fit)[[a]]), se = SE(fit)[[a]], ci_low = exp(ci[[1]]), ci_high = exp(ci[[2]]))
  }
}
out <- do.call(rbind, rows)
out$rows_analysed <- nrow(adults)
write.csv(out, args[3], row.names = FALSE)
