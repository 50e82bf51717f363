"""Where the shared corpus of real Word documents is: beside the clone (CI), or the workplace copy."""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


def _corpus() -> Path:
    candidates = [os.environ.get("SOP_DOCS_CORPUS"), _REPO.parent / "shared" / "corpus" / "word",
                  "/work/shared/corpus/word"]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    raise RuntimeError("the shared corpus (shared/corpus/word) is not beside the repository; "
                       "set SOP_DOCS_CORPUS to its folder")


CORPUS = _corpus()
