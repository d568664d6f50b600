# metafor's random-effects meta-analysis of each pair's odds ratios across datasets, the reference for
# reports/comparison.csv (src/msk_cooccurrence/meta_analysis.py, comparison.py).
# Input: a CSV with dataset, condition_a, condition_b, model, estimate (odds ratio), se (of the log
# odds ratio): the rows of each dataset's odds_ratios.csv. Each (condition_a, condition_b, model)
# with two or more finite estimates and positive SEs is pooled by rma(yi = log(estimate), sei = se,
# method = m) for m in REML and DL, metafor's defaults otherwise (test = "z", level 95, control
# threshold 1e-5, maxiter 100, tau2 >= 0). Output: condition_a, condition_b, model, method, k,
# estimate = exp(b), ci_low = exp(ci.lb), ci_high = exp(ci.ub), tau2, i2 = I2 (percent), q = QE,
# q_p_value = QEp, with 17 significant digits.
# usage: Rscript comparison.R IN.csv OUT.csv
suppressMessages(library(metafor))
args <- commandArgs(trailingOnly = TRUE)
odds <- read.csv(args[1], stringsAsFactors = FALSE)
odds$yi <- log(odds$estimate)
usable <- is.finite(odds$yi) & is.finite(odds$se) & odds$se > 0
odds <- odds[usable, ]
keys <- unique(odds[, c("condition_a", "condition_b", "model")])
rows <- list()
for (i in seq_len(nrow(keys))) {
  key <- keys[i, ]
  part <- odds[odds$condition_a == key$condition_a & odds$condition_b == key$condition_b &
                 odds$model == key$model, ]
  if (nrow(part) < 2) next
  for (m in c("REML", "DL")) {
    fit <- rma(yi = part$yi, sei = part$se, method = m)
    rows[[length(rows) + 1]] <- data.frame(
      condition_a = key$condition_a, condition_b = key$condition_b, model = key$model, method = m,
      k = fit$k, estimate = exp(c(fit$b)), ci_low = exp(fit$ci.lb), ci_high = exp(fit$ci.ub),
      tau2 = fit$tau2, i2 = fit$I2, q = fit$QE, q_p_value = fit$QEp)
  }
}
out <- do.call(rbind, rows)
for (col in names(out)) if (is.double(out[[col]])) out[[col]] <- sprintf("%.17g", out[[col]])
write.csv(out, args[2], row.names = FALSE, quote = FALSE)
