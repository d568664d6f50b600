#!/bin/sh
# Rewrite the committed R survey figures under tests/reference/ (needs R with survey 4.1.1).
set -e
cd "$(dirname "$0")/.."
Rscript r/tables.R survey_small reference/survey_small.csv reference
Rscript r/tables.R domains reference/small_domains.csv reference
