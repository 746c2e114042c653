#!/usr/bin/env bash
# Runs every CodeMentor test (unit, integration, bunit components, headless-Chromium end to end)
# on a fresh Debian machine: installs Debian's chromium if missing, restores, builds, tests.
# Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium_path" ]; then
  echo "Installing Debian's chromium for the browser tests..."
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null \
    || { echo "Could not install chromium (apt-get install chromium)."; echo "0 passed, 1 failed"; exit 1; }
fi
export CHROMIUM_PATH="$chromium_path"

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
