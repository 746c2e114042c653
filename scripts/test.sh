#!/usr/bin/env bash
# Runs every CodeMentor test (unit, integration, bunit components, headless-Chromium end to end,
# OpenAI's own SDKs against /v1) on a fresh Debian machine: installs what is missing, restores, builds, tests.
# Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use: chromium (browser journeys), prometheus (its promtool parses the
# /metrics scrape), nodejs and npm (the official openai npm package calls /v1), postgresql (the data,
# ledger and dashboard suites also run on a throwaway PostgreSQL server the tests start themselves),
# redis-server (the multi-node tests start a throwaway Redis each), python3-doc (the Python tutorial is
# the course material retrieval is measured on) and shared-mime-info (its specification PDF is the PDF
# the material splitter is tested on).
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
missing=()
[ -x "$chromium_path" ] || missing+=(chromium)
command -v promtool >/dev/null || missing+=(prometheus)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
ls -d /usr/share/doc/python3.*/html/tutorial >/dev/null 2>&1 || missing+=(python3-doc)
[ -f /usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf ] || missing+=(shared-mime-info)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian's ${missing[*]} for the tests..."
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { echo "Could not install ${missing[*]} (apt-get install ${missing[*]})."; echo "0 passed, 1 failed"; exit 1; }
fi
export CHROMIUM_PATH="$chromium_path"

# The openai npm package at the version in its lock file, for the API client tests.
if ! (cd CodeMentor.Tests/Clients/openai-node && npm ci --no-audit --no-fund --loglevel=error); then
  echo "Could not install the openai npm package (npm ci in CodeMentor.Tests/Clients/openai-node)."; echo "0 passed, 1 failed"; exit 1
fi

if ! dotnet restore CodeMentor.sln; then
  echo "0 passed, 1 failed"; exit 1
fi
if ! dotnet build CodeMentor.sln --no-restore -c Release; then
  echo "0 passed, 1 failed"; exit 1
fi

log=$(mktemp)
dotnet test CodeMentor.sln --no-build -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-assembly summaries: "Passed!  - Failed: 0, Passed: 78, Skipped: 0, Total: 78"
summary=$(grep -E '^(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' "$log")
passed=$(echo "$summary" | sed -nE 's/.*Passed: +([0-9]+).*/\1/p' | awk '{s+=$1} END {print s+0}')
failed=$(echo "$summary" | sed -nE 's/.*- Failed: +([0-9]+).*/\1/p' | awk '{s+=$1} END {print s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the run broke before it could count (a crash, a build error)
fi
echo "$passed passed, $failed failed"
exit "$status"
