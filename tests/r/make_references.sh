#!/usr/bin/env bash
# Regenerate every R reference figure committed under tests/reference/ (R >= 4 with survey 4.1.1,
# haven and metafor 3.8). The tests compare against these files everywhere; where R is installed they also rerun R live.
set -euo pipefail
cd "$(dirname "$0")/../reference"
Rscript survey_small/oracle.R survey_small/survey_small.csv survey_small/reference_design.csv
Rscript survey_small/oracle.R survey_small/survey_small.csv survey_small/reference_weights_only.csv weights-only
Rscript ../r/loglinear.R survey_small/survey_small.csv survey_small/loglinear.csv
Rscript ../r/loglinear_anova.R survey_small/survey_small.csv survey_small/loglinear_anova.csv
Rscript arq/oracle_arq.R arq/arq.csv arq/reference_weights_only.csv
for lonely in adjust average certainty remove; do
  Rscript ../r/domains.R domains/input.csv "domains/${lonely}_design.csv" "$lonely"
  Rscript ../r/domains.R domains/input.csv "domains/${lonely}_weights_only.csv" "$lonely" weights-only
done
Rscript ../r/tables.R survey_small survey_small/survey_small.csv tables
Rscript ../r/tables.R domains tables/small_domains.csv tables
python nchs/make_nchs_domains.py
Rscript ../r/nchs_reliability.R nchs/nchs_domains.csv nchs/nchs_domains_surveytable.csv
Rscript ../r/nchs_reliability.R tables/small_domains.csv nchs/small_domains_surveytable.csv
python own_model/make_cohort.py own_model/cohort.csv
Rscript ../r/own_model.R own_model/cohort.csv own_model
python comparison/make_inputs.py comparison/inputs.csv
Rscript ../r/comparison.R comparison/inputs.csv comparison/metafor.csv
generated="$(mktemp -d)"
python ../corpus/generate.py identical_conditions "$generated/identical.csv"
Rscript ../r/corpus.R "$generated/identical.csv" corpus/identical_conditions.csv design knee_oa=KOA bunions=KOA low_back_pain=LBP
python ../corpus/generate.py rare_condition "$generated/rare.csv"
Rscript ../r/corpus.R "$generated/rare.csv" corpus/rare_condition.csv design knee_oa=KOA low_back_pain=LBP
rm -r "$generated"
fixtures="$(mktemp -d)"
python ../nhanes_fixtures.py "$fixtures"
for scope in 2001-2004 1999-2004; do
  Rscript ../r/nhanes_reference.R "$fixtures" "$scope" "nhanes/nhanes_${scope/-/_}.csv"
done
rm -r "$fixtures"
unseen="$(mktemp -d)"
python ../nhanes_fixtures.py --unseen "$unseen"
Rscript ../r/nhanes_unseen.R "$unseen" nhanes/unseen_2001_2004.csv
rm -r "$unseen"
drifting="$(mktemp -d)"
python ../nhanes_fixtures.py --drift "$drifting"
Rscript ../r/nhanes_cycles.R "$drifting" cycles/nhanes_cycles.csv
rm -r "$drifting"
