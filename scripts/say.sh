#!/usr/bin/env bash
# say.sh KEY: print the phrase KEY of src/helpers/text/cli.yml in the language of CCHC_LANG
# (vi, else English), for make before Python and the environment are there. Only for
# phrases written on one line in double quotes, without placeholders.
key=$1
lang=en
[[ ${CCHC_LANG:-} == vi ]] && lang=vi
awk -v key="$key" -v lang="$lang" '
  $0 == key ":" { found = 1; next }
  found && /^[^ ]/ { exit }
  found && $1 == lang ":" {
    sub(/^[^"]*"/, ""); sub(/"[^"]*$/, ""); print; exit
  }' src/helpers/text/cli.yml
