"""UNO worker of the kept-alive LibreOffice: converts documents to PDF, one JSON request per line.

Why a separate script: Debian's `uno` only imports in the system python (`/usr/bin/python3`), not in
the one sop-docs runs in, so `pdf._Listener` starts this file under that python next to a listening
soffice. It dies with sop-docs: a thread watches the parent and, once it is gone, kills the soffice
process group and exits (SIGKILL of sop-docs gives nobody a chance to clean up otherwise).

Usage: python3 uno_worker.py PIPE START_TIMEOUT PARENT_PID OFFICE_PGID FOLDER SETTINGS_JSON
  FOLDER is the listener's temp folder (named so that `lo_orphans.sweep` can find this process);
  SETTINGS_JSON = {"load": [[name, uno type, value], ...], "pdf": [[name, uno type, value], ...]}.
Protocol: {"src": path, "dst": path} -> {"ok": true} or {"ok": false, "error": "..."}.
Standard library and `uno` only; must run on the system python (Debian 12: 3.11).
"""

import contextlib
import json
import os
import signal
import sys
import threading
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

POLL = 0.1


def props(items):
    out = []
    for name, kind, value in items:
        prop = PropertyValue()
        prop.Name, prop.Value = name, uno.Any(kind, value)
        out.append(prop)
    return tuple(out)


def watch_parent(parent: int, office_group: int) -> None:
    """Kill the office and exit as soon as the process that started us is gone."""
    while os.getppid() == parent:
        time.sleep(POLL)
    with contextlib.suppress(OSError):
        os.killpg(office_group, signal.SIGKILL)
    os._exit(1)


def connect(pipe: str, timeout: float):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
    end = time.monotonic() + timeout
    while True:
        try:
            ctx = resolver.resolve(url)
            break
        except NoConnectException:
            if time.monotonic() > end:
                raise
            time.sleep(0.05)
    return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)


def main(argv) -> None:
    pipe, timeout, parent, office_group, _folder, settings = argv
    threading.Thread(target=watch_parent, args=(int(parent), int(office_group)), daemon=True).start()
    settings = json.loads(settings)
    load = props(settings["load"])
    store = (PropertyValue("FilterName", 0, "writer_pdf_Export", 0),
             PropertyValue("FilterData", 0,
                           uno.Any("[]com.sun.star.beans.PropertyValue", props(settings["pdf"])), 0))
    desktop = connect(pipe, float(timeout))
    print(json.dumps({"ok": True}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        try:
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(req["src"]), "_blank", 0, load)
            if doc is None:
                raise RuntimeError("the document could not be opened")
            try:
                doc.storeToURL(uno.systemPathToFileUrl(req["dst"]), store)
            finally:
                doc.close(True)
            print(json.dumps({"ok": True}), flush=True)
        except Exception as e:
            print(json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
