#!/usr/bin/env bash
# Writes every proof file of the summarize second-pass proof into the current
# directory (check.sh compares them with proofs/generated/summarize-second-pass/).
# Needs python3; PYTHONPATH must name this folder.
set -euo pipefail
python3 -m lemmas && python3 -m l_harv && python3 -m l_smear && python3 -m l_init && python3 -m l_bound
for t in init smfinal smdouble harv; do
  v=x2; [ "$t" = init ] && v=x1
  sed "s/(check-sat)/(assert (isMask $v))\n(check-sat)/" "${t}_I1.vac.smt2" > "${t}_ante_exit.smt2"
  sed "s/(check-sat)/(assert (not (isMask $v)))\n(check-sat)/" "${t}_I1.vac.smt2" > "${t}_ante_cont.smt2"
done
