"""Build the Word templates of sop-docs (and the placeholder logo) with python-docx.

Why a script: the templates are committed as .docx, but a binary file cannot be reviewed or merged.
This script and the `templatebuild` package beside it are their source. Every docxtpl tag is
written into one run, so Word's run splitting never breaks a tag in the shipped files (PITFALLS.md
§3.1). Offices may later restyle the copies in their workspace in Word; the ones in the package
are regenerated from here.

Layout follows the Indonesian pemda forms (DOMAIN.md §1, §2): a kop naskah dinas (logo at left,
government and office name, address, the closing double rule), A4 paper, Arial (Liberation Sans in
LibreOffice, metric-compatible).

Run:  python tools/build_templates.py [OUT]        (writes sop_docs/templates/*.docx and logo.png)
      python tools/build_templates.py --contoh [DOCS]   (renders docs/contoh-*.png; LibreOffice)
"""

from __future__ import annotations

import sys
import zipfile
from io import BytesIO
from pathlib import Path

from docx.document import Document
from templatebuild import OUT
from templatebuild.contoh import contoh
from templatebuild.forms import TEMPLATES
from templatebuild.laporan import TEMPLATES as REPORTS
from templatebuild.logo import logo_png


def save_reproducibly(doc: Document, path: Path) -> None:
    """Save with fixed zip timestamps, so rebuilding an unchanged template changes no bytes."""
    raw = BytesIO()
    doc.save(raw)
    out = BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(fixed, zin.read(info))
    path.write_bytes(out.getvalue())


def main(out: Path = OUT) -> None:
    """Write every template and the logo into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for name, build in {**TEMPLATES, **REPORTS}.items():
        save_reproducibly(build(), out / name)
        print(f"wrote {out / name}")
    (out / "logo.png").write_bytes(logo_png())
    print(f"wrote {out / 'logo.png'}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--contoh"]:
        contoh(Path(sys.argv[2]) if len(sys.argv) > 2 else OUT.parent.parent / "docs")
    else:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
