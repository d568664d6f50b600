#!/usr/bin/env bash
# Regenerate every R reference figure committed under tests/reference/ (R >= 4 with survey 4.1.1).
# The tests compare against these files everywhere; where R is installed they also rerun R live.
set -euo pipefail
cd "$(dirname "$0")/../reference"
Rscript survey_small/oracle.R survey_small/survey_small.csv survey_small/reference_design.csv
Rscript survey_small/oracle.R survey_small/survey_small.csv survey_small/reference_weights_only.csv weights-only
Rscript ../r/loglinear.R survey_small/survey_small.csv survey_small/loglinear.csv
Rscript arq/oracle_arq.R arq/arq.csv arq/reference_weights_only.csv
for lonely in adjust average certainty remove; do
  Rscript ../r/domains.R domains/input.csv "domains/${lonely}_design.csv" "$lonely"
  Rscript ../r/domains.R domains/input.csv "domains/${lonely}_weights_only.csv" "$lonely" weights-only
done
