"""UNO worker for the LibreOffice test harness (runs under the *system* python, not pytest's).

Why it exists: Debian's ``python3-uno`` only works in ``/usr/bin/python3``, while the tests run in
another interpreter. ``tests/lo.py`` starts this script next to a listening ``soffice`` and sends it
one JSON request per line on stdin; each answer is one JSON line on stdout. It does what a person at
a desktop would do: load a document for editing (which makes LibreOffice write its ``.~lock.NAME#``
file), type into cells, save in the Office format, close.

Protocol: ``{"op": ..., ...}`` -> ``{"ok": true, ...}`` or
``{"ok": false, "error": ..., "kind": ...}``.
Ops: ``connect``, ``calc_edit``, ``open``, ``close``, ``writer_edit``, ``terminate``.

Stdlib and ``uno`` only; must stay compatible with the system python (Debian 12: 3.11).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
import traceback
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]
from com.sun.star.text.ControlCharacter import (  # type: ignore[import-not-found]
    PARAGRAPH_BREAK,
)

CALC_FILTER = "Calc MS Excel 2007 XML"
WRITER_FILTER = "MS Word 2007 XML"
SPREADSHEET = "com.sun.star.sheet.SpreadsheetDocument"
TEXT_DOCUMENT = "com.sun.star.text.TextDocument"
TEXT_FORMAT = 256                    # com.sun.star.util.NumberFormat.TEXT


class HarnessError(Exception):
    """A refusal a desktop user would also get (protected cell, invalid value, locked file)."""


def _props(**kwargs: Any) -> tuple[Any, ...]:
    out = []
    for name, value in kwargs.items():
        prop = PropertyValue()
        prop.Name = name
        prop.Value = value
        out.append(prop)
    return tuple(out)


class Worker:
    def __init__(self, pipe_name: str) -> None:
        self.pipe_name = pipe_name
        self.desktop: Any = None
        self.held: dict[int, Any] = {}
        self.next_handle = 1

    # -- connection ------------------------------------------------------------------------------
    def connect(self, deadline_s: float) -> dict[str, Any]:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:pipe,name={self.pipe_name};urp;StarOffice.ComponentContext"
        end = time.monotonic() + deadline_s
        while True:
            try:
                ctx = resolver.resolve(url)
                break
            except NoConnectException:
                # soffice has not opened its pipe yet: retrying the connection is the only
                # readiness signal LibreOffice offers.
                if time.monotonic() > end:
                    raise
                time.sleep(0.05)
        self.desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        return {}

    # -- documents -------------------------------------------------------------------------------
    def _load(self, path: str, service: str) -> Any:
        url = uno.systemPathToFileUrl(os.path.abspath(path))
        doc = self.desktop.loadComponentFromURL(url, "_blank", 0, _props(Hidden=True))
        if doc is None:
            lock = os.path.join(os.path.dirname(path), f".~lock.{os.path.basename(path)}#")
            if os.path.exists(lock):
                # A desktop user would get the "Document in Use" dialog here.
                with open(lock, encoding="utf-8", errors="replace") as fh:
                    owner = fh.read().strip()
                raise HarnessError(f"{path} is locked by another user ({owner}); not opened")
            raise HarnessError(f"LibreOffice could not load {path}")
        if not doc.supportsService(service):
            kind = doc.getIdentifier() or "another kind of document"
            doc.close(True)
            raise HarnessError(f"{path} is not a {service.rsplit('.', 1)[-1]}: opened as {kind}")
        if doc.isReadonly():
            # A desktop user gets the "Document in Use" dialog and may only open a copy.
            doc.close(True)
            raise HarnessError(f"{path} opened read-only (locked by another user?); not editable")
        return doc

    @staticmethod
    def _store(doc: Any, path: str, filter_name: str) -> None:
        url = uno.systemPathToFileUrl(os.path.abspath(path))
        doc.storeAsURL(url, _props(FilterName=filter_name, Overwrite=True))

    # -- Calc ------------------------------------------------------------------------------------
    @staticmethod
    def _sheet(doc: Any, sheet: str | int) -> Any:
        sheets = doc.Sheets
        if isinstance(sheet, int):
            if not 0 <= sheet < sheets.getCount():
                raise HarnessError(f"no sheet with index {sheet}")
            return sheets.getByIndex(sheet)
        if not sheets.hasByName(sheet):
            raise HarnessError(f"no sheet named {sheet!r}; sheets: {list(sheets.getElementNames())}")
        return sheets.getByName(sheet)

    @staticmethod
    def _list_choices(cell: Any) -> list[str] | None:
        """The literal choices of a list validation with a stop alert, or None (not enforced)."""
        val = cell.Validation
        if val.Type.value != "LIST" or not val.ShowErrorMessage:
            return None
        if val.ErrorAlertStyle.value != "STOP":
            return None
        formula = val.getFormula1()
        if not re.fullmatch(r'\s*"[^"]*"(\s*;\s*"[^"]*")*\s*', formula):
            return None  # a range reference: not checked here
        return re.findall(r'"([^"]*)"', formula)

    def _type_into(self, doc: Any, sheet: Any, ref: str, text: str, check_validation: bool) -> None:
        cell = sheet.getCellRangeByName(ref)
        # UNO's setString/setFormula ignore sheet protection; Calc's UI refuses with this message.
        if sheet.isProtected() and cell.CellProtection.IsLocked:
            raise HarnessError(
                f"{sheet.Name}!{ref}: Protected cells can not be modified (the cell is locked "
                "and the sheet is protected)"
            )
        if check_validation and text != "":
            choices = self._list_choices(cell)
            if choices is not None and text not in choices:
                raise HarnessError(f"{sheet.Name}!{ref}: Invalid value {text!r}; the list allows {choices}")
        if text == "":
            # Pressing Delete on the cell.
            cell.setString("")
        elif self._text_formatted(doc, cell):
            # A cell formatted as Text (@) takes what is typed as text, as Calc's UI does.
            cell.setString(text)
        else:
            # setFormula takes input as typed: "12" becomes a number, "=A1" a formula, else text.
            cell.setFormula(text)

    @staticmethod
    def _text_formatted(doc: Any, cell: Any) -> bool:
        fmt = doc.getNumberFormats().getByKey(cell.NumberFormat)
        return bool(fmt.Type & TEXT_FORMAT)

    def calc_edit(self, path: str, edits: list[list[Any]], check_validation: bool = True) -> dict[str, Any]:
        doc = self._load(path, SPREADSHEET)
        try:
            for sheet_key, ref, text in edits:
                self._type_into(doc, self._sheet(doc, sheet_key), ref, text, check_validation)
            self._store(doc, path, CALC_FILTER)
        finally:
            doc.close(True)
        return {}

    def open(self, path: str) -> dict[str, Any]:
        doc = self._load(path, SPREADSHEET)
        handle = self.next_handle
        self.next_handle += 1
        self.held[handle] = doc
        return {"handle": handle}

    def close(self, handle: int) -> dict[str, Any]:
        doc = self.held.pop(handle)
        doc.setModified(False)  # close without saving, and without a "save changes?" question
        doc.close(True)
        return {}

    # -- Writer ----------------------------------------------------------------------------------
    def writer_edit(self, path: str, out: str, append_paragraph: str | None) -> dict[str, Any]:
        doc = self._load(path, TEXT_DOCUMENT)
        try:
            if append_paragraph is not None:
                text = doc.getText()
                cursor = text.createTextCursor()
                cursor.gotoEnd(False)
                text.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
                text.insertString(cursor, append_paragraph, False)
            self._store(doc, out, WRITER_FILTER)
        finally:
            doc.close(True)
        return {}

    def terminate(self) -> dict[str, Any]:
        for handle in list(self.held):
            self.close(handle)
        if self.desktop is not None:
            # The bridge may die with the office before answering; termination is what we want.
            with contextlib.suppress(Exception):
                self.desktop.terminate()
        return {}


def main() -> int:
    pipe_name = sys.argv[1]
    # Keep the protocol channel clean: anything the office libraries print goes to stderr.
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    worker = Worker(pipe_name)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        op = request.pop("op")
        try:
            answer = {"ok": True, **getattr(worker, op)(**request)}
        except HarnessError as exc:
            answer = {"ok": False, "kind": "refused", "error": str(exc)}
        except Exception as exc:
            message = getattr(exc, "Message", "") or str(exc)
            answer = {
                "ok": False,
                "kind": type(exc).__name__,
                "error": message,
                "traceback": traceback.format_exc(),
            }
        proto.write(json.dumps(answer) + "\n")
        if op == "terminate":
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
