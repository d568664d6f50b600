# NHANES files in CDC's layout (the fixtures of tests/nhanes_fixtures.py, or real ones) read and
# merged, and the shared reference's definitions (nhanes_1999_2004.md) written out in plain R,
# independently of the pipeline's rule language. Sourced by nhanes_reference.R and nhanes_unseen.R:
# one place for the definitions. nhanes_data(folder, scope) is the merged data with the weight, the
# conditions (1 yes, 0 no, NA unknown), the covariates and `cycle`; nhanes_design(d) the examined
# respondents' design (weight > 0) with the adults 20+ as a domain.
suppressMessages({
  library(survey)
  library(haven)
})

read_component <- function(folder, name) {
  d <- as.data.frame(read_xpt(file.path(folder, paste0(name, ".XPT"))))
  names(d) <- toupper(names(d))  # the 1999-2002 files write MPD050i, MCQ160a
  d
}
cycle_names <- c("1999-2000" = "", "2001-2002" = "_B", "2003-2004" = "_C")
keep <- c("SEQN", "RIDAGEYR", "RIAGENDR", "RIDRETH1", "DMDEDUC2", "INDFMPIR", "RIDEXPRG", "WTMEC2YR", "WTMEC4YR",
          "SDMVSTRA", "SDMVPSU", "MCQ160A", "MCQ190", "MPQ010", "MPD050A", "MPD050I", "MPD050J", "MPQ070",
          "LEALBUN", "LEARBUN", "BMXBMI")
read_cycle <- function(folder, suffix) {
  d <- read_component(folder, paste0("DEMO", suffix))  # every respondent; the other files only those they hold
  for (f in c("MCQ", "MPQ", "LEXPN", "BMX")) {
    d <- merge(d, read_component(folder, paste0(f, suffix)), by = "SEQN", all.x = TRUE, sort = FALSE)
  }
  if (!"WTMEC4YR" %in% names(d)) d$WTMEC4YR <- NA
  d <- d[, keep]
  d$suffix <- suffix
  d$cycle <- names(cycle_names)[cycle_names == suffix]
  d
}

# the definitions, three-valued: 1 yes, 0 no, NA unknown
yes_no <- function(v, yes, no) ifelse(v %in% yes, 1, ifelse(v %in% no, 0, NA))
# Kleene AND: no if any part is no, yes if all are yes, else unknown
kleene_and <- function(...) {
  parts <- list(...)
  any_no <- Reduce(`|`, lapply(parts, function(p) p %in% 0))
  all_yes <- Reduce(`&`, lapply(parts, function(p) p %in% 1))
  ifelse(any_no, 0, ifelse(all_yes, 1, NA))
}
# Kleene OR: yes if any is yes, no if all are no, else unknown
kleene_or <- function(...) {
  parts <- list(...)
  any_yes <- Reduce(`|`, lapply(parts, function(p) p %in% 1))
  all_no <- Reduce(`&`, lapply(parts, function(p) p %in% 0))
  ifelse(any_yes, 1, ifelse(all_no, 0, NA))
}

define <- function(d) {
  d$low_back_pain <- yes_no(d$MPQ070, 1, 2)
  # knee pain: yes if MPD050I = 18 or MPD050J = 19; no if MPQ010 = 2, or MPQ010 = 1 with neither knee
  # code; unknown where MPQ010 is 7, 9 or blank, or MPD050A is 77 / 99 (which joints refused / not
  # known: every knee item is then blank without meaning "no")
  knee_yes <- d$MPD050I %in% 18 | d$MPD050J %in% 19
  joints_unknown <- d$MPD050A %in% c(77, 99)
  d$knee_pain <- ifelse(knee_yes, 1, ifelse(joints_unknown, NA, ifelse(d$MPQ010 %in% c(1, 2), 0, NA)))
  arthritis <- yes_no(d$MCQ160A, 1, 2)
  oa_type <- yes_no(d$MCQ190, 2, c(1, 3))
  d$knee_oa <- kleene_and(arthritis, oa_type, d$knee_pain)
  # the alternative definition of knee OA (issue 20): any doctor-diagnosed arthritis with knee pain
  d$arthritis_knee_pain <- kleene_and(arthritis, d$knee_pain)
  # bunions: either foot, 1 yes / 2 no / 8 or blank unknown; examined only at 40+
  d$bunions <- kleene_or(yes_no(d$LEALBUN, 1, 2), yes_no(d$LEARBUN, 1, 2))
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
    "Less than 9th grade", "9-11th grade", "High school", "Some college", "College graduate")),
    ref = "College graduate")
  d$pir <- d$INDFMPIR
  d
}
covariates <- c("age", "female", "race_eth", "education", "pir")
conditions <- c("knee_oa", "bunions", "obesity", "low_back_pain")

# NCHS weights: 2001-2004 WTMEC2YR / 2; 1999-2004 WTMEC4YR x 2/3 (1999-2002), WTMEC2YR x 1/3 (2003-2004)
nhanes_data <- function(folder, scope) {
  suffixes <- if (scope == "1999-2004") c("", "_B", "_C") else c("_B", "_C")
  d <- do.call(rbind, lapply(suffixes, function(s) read_cycle(folder, s)))
  d$weight <- if (scope == "2001-2004") d$WTMEC2YR / 2 else
    ifelse(d$suffix %in% c("", "_B"), d$WTMEC4YR * 2 / 3, d$WTMEC2YR / 3)
  d$cycle <- factor(d$cycle)
  define(d)
}

# the examined respondents' design (weight > 0), then the adults 20+ as a domain
nhanes_design <- function(d) {
  options(survey.lonely.psu = "adjust")
  examined <- d[d$WTMEC2YR > 0, ]
  des <- svydesign(ids = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~weight, nest = TRUE, data = examined)
  subset(des, RIDAGEYR >= 20)
}
analysis_rows <- function(d) d[d$WTMEC2YR > 0 & d$RIDAGEYR >= 20, ]

# the odds ratio of `a` for outcome `b` in one svyglm (quasibinomial), t intervals on its residual df
odds_ratio <- function(des, adults, a, b, terms) {
  f <- as.formula(paste(b, "~", paste(terms, collapse = " + ")))
  fit <- svyglm(f, des, family = quasibinomial())
  ci <- confint(fit)[a, ]
  used <- complete.cases(adults[, c(b, terms)])
  data.frame(n = sum(used), estimate = exp(coef(fit)[[a]]), se = SE(fit)[[a]], ci_low = exp(ci[[1]]),
             ci_high = exp(ci[[2]]))
}
# the models of a pair: crude, adjusted (+ covariates), mutual (+ covariates and the other conditions)
pair_models <- function(a, b, others) list(crude = a, adjusted = c(a, covariates), mutual = c(a, covariates, others))
