#!/usr/bin/env bash
# up-to-date.sh STAMPS [REPORT ...]: exit 0 when make's stamp in the folder STAMPS says
# that the last good build was made of exactly the files here now (the same reports asked
# for, the same files under the inputs, the same contents); else 1, and `make report`
# starts the runner. The runner writes the stamp (src/helpers/run/stamps.py): keep the
# inputs (SCOPE there) and the find expression below the same as there.
# Run from the project's root. File names are never read by the shell as code.
stamps=$1
shift
[[ -f $stamps/inputs.list && -f $stamps/inputs.sha256 ]] || exit 1
starts=(data/raw notebooks src/helpers pyproject.toml)
for report in "$@"; do
  [[ $report == -* ]] && report=./$report   # a start point, not an option of find
  starts+=("$report" "${report%.*}.meta.json")
done
{
  for report in "$@"; do printf '%s\0' "$report"; done
  printf '\0'
  find "${starts[@]}" \( -name __pycache__ -o -name .ipynb_checkpoints \) -prune \
    -o ! -type d ! -name '*.pyc' -printf '%p\001%l\0' 2>/dev/null | LC_ALL=C sort -z
} | cmp -s - "$stamps/inputs.list" || exit 1
sha256sum --check --status --strict "$stamps/inputs.sha256" 2>/dev/null
