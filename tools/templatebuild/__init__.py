"""The source of sop-docs' Word templates and placeholder logo, and of the README's example pictures.

Why code: the templates are committed as .docx, but a binary file cannot be reviewed or merged, so
these modules are their source (run `python tools/build_templates.py`). `docxkit` holds the
python-docx helpers, `blocks` the kop and signature every form shares, `forms` one function per
template, `logo` the placeholder PNG, and `contoh` the example pictures.
"""

from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "sop_docs" / "templates"
"""The package's own templates folder, where the builder writes by default."""
