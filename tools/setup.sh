#!/usr/bin/env bash
# Everything sop-docs needs on a fresh Debian/Ubuntu machine: LibreOffice Writer and Calc (PDF and
# format conversion, and the tests' real Calc/Writer over UNO), the fonts the templates and the
# register use, poppler (proof PDFs drawn for the print file, PDF pages to PNG in tests), PostgreSQL's
# server binaries (the suite's second pass runs on a throw-away cluster of its own, tests/pgcluster.py;
# the package's own `main` cluster on 5432 is not used), and this package with its test extras.
# Running it again installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
have() {  # any one of the packages is installed
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 && return 0; done
  return 1
}
need=()
have libreoffice-writer-nogui libreoffice-writer || need+=(libreoffice-writer-nogui)
have libreoffice-calc-nogui libreoffice-calc || need+=(libreoffice-calc-nogui)
have python3-uno || need+=(python3-uno)
have libreoffice-script-provider-python || need+=(libreoffice-script-provider-python)
have poppler-utils || need+=(poppler-utils)
have fonts-liberation || need+=(fonts-liberation)
have fonts-dejavu-core || need+=(fonts-dejavu-core)
have fonts-crosextra-carlito || need+=(fonts-crosextra-carlito)
have chromium || need+=(chromium)   # the dashboard's tests open laporan/index.html in it
have postgresql || compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || need+=(postgresql)  # tests/pgcluster.py
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e ".[test]"
