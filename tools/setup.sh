#!/usr/bin/env bash
# Everything sop-docs needs on a fresh Debian/Ubuntu machine: LibreOffice (PDF and format conversion,
# and the tests' real Calc/Writer), fonts for the templates, poppler (PDF pages to PNG), the package.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui libreoffice-calc-nogui)
dpkg -s python3-uno >/dev/null 2>&1 || need+=(python3-uno libreoffice-script-provider-python)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
dpkg -s fonts-liberation >/dev/null 2>&1 || need+=(fonts-liberation fonts-dejavu-core)
dpkg -s fonts-crosextra-carlito >/dev/null 2>&1 || need+=(fonts-crosextra-carlito)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e ".[test]"
