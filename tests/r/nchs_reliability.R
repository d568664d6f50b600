# CDC's NCHS reliability verdicts on domain proportions, for tests/test_reliability.py: the formulas of
# CDCgov/surveytable (commit ea5d660) in its NCHS mode, set_opts(mode = "nchs") (adj = "nchs"),
# transcribed from its source (surveytable needs a newer R than this project's), calling survey's
# svymean, degf and svystandardize as surveytable does. Line numbers are of that commit.
#
# usage: Rscript nchs_reliability.R IN.csv OUT.csv
#   IN.csv: domain, stratum, psu, weight, y (0/1, NA unknown) and optionally age. OUT.csv: one row per
#   domain ("all" and each domain; with age, also "standardized:all" and "standardized:<d>" for the
#   domains in STANDARDIZED) with surveytable's n effective, interval, flags and the rule that
#   suppressed it. tests/reference/nchs/ holds the committed output (tests/r/make_references.sh).
suppressMessages({library(survey); library(magrittr)})
options(survey.lonely.psu = "adjust")
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
STANDARD <- c(108151, 60991, 34710)  # the age groups 18-44, 45-64, 65+ of tests/r/tables.R
STANDARDIZED <- c("all", "stratified", "ok")

# svyciprop_adjusted.R 132-159 (.svyciprop_n_eff): p(1 - p)/var, or for an age-adjusted p
# sum(n_k) / deff with deff = var / sum(s_k^2 p_k (1 - p_k) / n_k)
n_eff_of <- function(design, m, aa_vr = NULL, aa_pop = NULL) {
  p <- coef(m)[1]
  v <- stats::vcov(m)[1, 1]
  if (is.null(aa_vr)) return(p * (1 - p) / v)
  population_weights <- aa_pop$Population / sum(aa_pop$Population)  # set_survey.R 208
  p_k <- n_k <- rep_len(NA, length(aa_pop$Level))
  for (ii in seq_along(aa_pop$Level)) {
    idx <- which(design$variables[, aa_vr] == aa_pop$Level[ii])
    n_k[ii] <- length(idx)
    stopifnot(n_k[ii] > 0)
    m_k <- svymean(~as.numeric(.y), design[idx, ])
    p_k[ii] <- coef(m_k)[1]
  }
  srsvar <- sum(population_weights^2 * p_k * (1 - p_k) / n_k)
  if (srsvar <= 0) return(sum(n_k))
  sum(n_k) / (v / srsvar)
}

# svyciprop_adjusted.R 53-123 with adj = "nchs", level = 0.95; then tab.R 232-250
percent_row <- function(design, aa_vr = NULL, aa_pop = NULL) {
  level <- 0.95
  df <- degf(design)                                                     # 73-74
  m <- svymean(~as.numeric(.y), design)                                  # 79
  rval <- coef(m)[1]                                                     # 80
  n.eff <- n_eff_of(design, m, aa_vr, aa_pop)                            # 83-90
  alpha <- 1 - level                                                     # 93
  if (df > 0) {                                                          # 102-106
    rat.squ <- (qt(alpha / 2, nrow(design) - 1) / qt(alpha / 2, df))^2
  } else {
    rat.squ <- 0
  }
  if (rval > 0) {                                                        # 108-112
    n.eff <- min(nrow(design), n.eff * rat.squ)
  } else {
    n.eff <- nrow(design)
  }
  ci <- c(stats::qbeta(alpha / 2, n.eff * rval, n.eff * (1 - rval) + 1),  # 114
          stats::qbeta(1 - alpha / 2, n.eff * rval + 1, n.eff * (1 - rval)))
  ret1 <- data.frame(Proportion = as.numeric(rval), SE = sqrt(as.numeric(stats::vcov(m))))  # tab.R 232-233
  ret1$`n effective` <- n.eff                                            # tab.R 234
  LL <- ci[1]; UL <- ci[2]
  if (is.na(LL)) LL <- 0                                                 # tab.R 238-239
  if (is.na(UL)) UL <- 1
  if (ret1$SE == 0) LL <- UL <- ret1$Proportion                          # tab.R 242-244
  ret1$LL <- LL; ret1$UL <- UL
  ret1$`n numerator` <- sum(design$variables$.y == 1)                   # tab.R 248-249
  ret1$`n denominator` <- nrow(design)
  ret1$degf <- df                                                        # tab.R 252
  ret1
}

# z_lpe.R 81-153 (.lpe_percents), as written; returns the flags as tab.R 284 joins them and the
# rule that decided Display
lpe_percents <- function(ret) {
  idx.neff <- is.na(ret$`n effective`)                                   # 85-88
  if (any(idx.neff)) {
    ret$`n effective`[idx.neff] <- with(ret[idx.neff, ], Proportion * (1 - Proportion) / (SE^2))
  }
  ret$`CI width` <- with(ret, UL - LL)                                   # 89
  idx.bad <- (ret$`n numerator` == 0L | ret$`n numerator` == ret$`n denominator`)  # 91-93
  ret$`n effective`[idx.bad] <- ret$`n denominator`[idx.bad]
  ret$`CI width`[idx.bad] <- 0
  idx.nbig <- (ret$`n effective` > ret$`n denominator`)                  # 95-96
  ret$`n effective`[idx.nbig] <- ret$`n denominator`[idx.nbig]
  ret$`relative CI width` <- with(ret, `CI width` / Proportion)          # 98
  ret$Display <- as.logical(NA)                                          # 101-109
  ret$Display[idx.30 <- (ret$`n effective` < 30)] <- FALSE
  ret$Display[!idx.30 & (idx.s <- (ret$`CI width` <= 0.05))] <- TRUE
  ret$Display[!(idx.30 | idx.s) & (idx.l <- (ret$`CI width` >= 0.30))] <- FALSE
  ret$Display[!(idx.30 | idx.s | idx.l) & (idx.r <- (ret$`relative CI width` > 1.30))] <- FALSE
  ret$Display[!(idx.30 | idx.s | idx.l) & !idx.r] <- TRUE
  stopifnot(!anyNA(ret$Display))                                         # 110
  flags <- rep("", nrow(ret))
  bool <- (!ret$Display)                                                 # 115-120
  flags[bool] %<>% paste("Px")
  bool <- (ret$Display & !(idx.30 | idx.s | idx.l) & !idx.r              # 122-128
           & (idx.c <- (ret$`CI width` / (1 - ret$Proportion) > 1.30)))
  flags[bool] %<>% paste("Pc")
  bool <- (ret$Display & ret$degf < 8)                                   # 130-135
  flags[bool] %<>% paste("Pdf")
  bool <- (ret$Display & (ret$`n numerator` == 0L | ret$`n numerator` == ret$`n denominator`))  # 137-143
  flags[bool] %<>% paste("P0")
  ret$flags <- trimws(flags)
  # the comments of 102-108 name the rule that decided
  ret$rule <- ifelse(idx.30, "effective sample size < 30", ifelse(idx.s, "width <= 0.05",
              ifelse(idx.l, "width >= 0.30", ifelse(idx.r, "relative width > 130%", "relative width <= 130%"))))
  ret
}

des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)
des <- update(des, .y = d$y)
if ("age" %in% names(d)) des <- update(des, agegrp = cut(d$age, c(18, 45, 65, Inf), right = FALSE))
rows <- list()
for (dom in c("all", unique(d$domain))) {
  keep <- !is.na(d$y) & (dom == "all" | d$domain == dom)
  rows[[length(rows) + 1]] <- cbind(domain = dom, percent_row(des[keep, ]))
  if ("age" %in% names(d) && dom %in% STANDARDIZED) {
    std <- svystandardize(des[keep, ], by = ~agegrp, over = ~1, population = STANDARD)  # set_survey.R 228-233
    pop <- data.frame(Level = levels(std$variables$agegrp), Population = STANDARD)
    rows[[length(rows) + 1]] <- cbind(domain = paste0("standardized:", dom), percent_row(std, "agegrp", pop))
  }
}
out <- lpe_percents(do.call(rbind, rows))
out <- out[, c("domain", "n denominator", "Proportion", "SE", "degf", "n effective", "LL", "UL", "CI width",
               "rule", "flags")]
names(out) <- c("domain", "n", "estimate", "se", "df", "n_effective_nchs", "nchs_low", "nchs_high",
                "nchs_width", "rule", "flags")
write.csv(out, args[2], row.names = FALSE)
