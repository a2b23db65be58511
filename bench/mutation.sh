#!/usr/bin/env bash
# Mutation testing of the modules that decide verdicts, reference data and updates
# (configuration: [tool.mutmut] in pyproject.toml; how to read the result:
# docs/testing.md). Not part of CI: a full run takes longer than CI's budget on a
# small machine. Results are kept in mutants/ between runs, so a second run only
# tests mutants whose function or tests changed.
#
#   bash bench/mutation.sh            # run, then print the score per module
#   bash bench/mutation.sh --score    # print the score of the last run only
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python=${PYTHON:-.venv/bin/python}
# Deterministic hypothesis examples, no example database (tests/conftest.py).
export HYPOTHESIS_PROFILE=mutation
if [ "${1:-}" != "--score" ]; then
  # The mutation workers share the machine; they yield to interactive work.
  nice -n 10 "$python" -m mutmut run --max-children "${MUTATION_WORKERS:-2}"
fi
"$python" bench/mutation_score.py
