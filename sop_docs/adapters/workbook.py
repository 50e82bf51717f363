"""An openpyxl workbook's bytes, made in memory before anything touches the disk.

openpyxl writes straight into a ZipFile on the target and does not close it when the write fails:
on a full disk the half-written zip's `__del__` later prints "Exception ignored … Traceback" into
the service's log. Made in memory, only the plain write of finished bytes can meet the disk's
trouble, and it is answered as any other full disk.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook


def to_bytes(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
