"""The office's settings (`sop.toml`): defaults shipped with the package, overridden by the workspace.

Read once at start and checked, so a typo in the file is reported to the administrator in one clear
line instead of surfacing later in the middle of a case.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sop_docs.errors import InvalidSettings

_DAYS = {"senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "sabtu": 5, "minggu": 6,
         "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
         "sunday": 6}


def default_settings_text() -> str:
    return resources.files("sop_docs").joinpath("workspace/sop.toml").read_text("utf-8")


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), dict) else v
    return out


@dataclass(frozen=True)
class Settings:
    raw: Mapping[str, Any]
    sop_ref: str
    database: str
    max_file_bytes: int
    office: Mapping[str, str]
    officials: Mapping[str, Mapping[str, str]]
    numbering: Mapping[str, Any]
    timezone: ZoneInfo
    hours: Mapping[int, tuple[time, time]]
    days_off: frozenset[date]
    watch_mode: str = "auto"
    settle_seconds: float = 2.0
    rescan_seconds: float = 60.0
    poll_seconds: float = 1.0
    backup_folder: str = ".sop_docs/backup"
    backup_days: int = 30
    share_mode: int | None = None
    share_group: str = ""
    text: str = ""              # the workspace's sop.toml as written (to name a line in errors)
    kantor: str = ""            # the office's code in a database of many (PostgreSQL)


def _choice(value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _positive(value: object) -> float:
    number = float(value)  # type: ignore[arg-type]
    if not number > 0:
        raise ValueError(f"{value!r} must be a positive number of seconds")
    return number


def _mode(value: object) -> int | None:
    """`[share] mode`: an octal string such as "0664", or empty for the umask's."""
    text = str(value).strip()
    if not text:
        return None
    mode = int(text, 8)
    if not 0 <= mode <= 0o777:
        raise ValueError(f"share mode {text!r} is not a file mode like \"0664\"")
    return mode


def load_settings(root: Path) -> Settings:
    raw: dict[str, Any] = tomllib.loads(default_settings_text())
    path = root / "sop.toml"
    text = ""
    if path.exists():
        try:
            text = path.read_text("utf-8")
            over = tomllib.loads(text)
            raw = _merge(raw, over)
            if "hours" in over.get("calendar", {}):
                raw["calendar"]["hours"] = over["calendar"]["hours"]   # the week is one value
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise InvalidSettings(f"{path}: {e}") from e
    try:
        system, cal = raw["system"], raw["calendar"]
        tz = ZoneInfo(cal["timezone"])
        hours: dict[int, tuple[time, time]] = {}
        for day, span in dict(cal["hours"]).items():
            a, b = (time.fromisoformat(x.strip()) for x in str(span).split("-"))
            if b <= a:
                raise ValueError(f"office hours '{span}' end before they start")
            hours[_DAYS[day.lower()]] = (a, b)
        days_off = frozenset(date.fromisoformat(str(d)) for d in cal.get("days_off", []))
        return Settings(
            raw=raw,
            sop_ref=str(system["sop"]),
            # the service's environment may point it elsewhere (a unit file, a test run on
            # PostgreSQL); an office code in sop.toml wins over the environment's
            database=os.environ.get("SOP_DOCS_DATABASE") or str(system["database"]),
            kantor=str(system.get("kantor", "")) or os.environ.get("SOP_DOCS_KANTOR", ""),
            max_file_bytes=int(float(system["max_file_mb"]) * 2**20),
            office={k: str(v) for k, v in raw["office"].items()},
            officials={k: {kk: str(vv) for kk, vv in v.items()}
                       for k, v in raw.get("officials", {}).items()},
            numbering=dict(raw["numbering"]),
            timezone=tz,
            hours=hours,
            days_off=days_off,
            watch_mode=_choice(raw["watch"]["mode"], ("auto", "native", "polling")),
            settle_seconds=_positive(raw["watch"]["settle_seconds"]),
            rescan_seconds=_positive(raw["watch"]["rescan_seconds"]),
            poll_seconds=_positive(raw["watch"]["poll_seconds"]),
            backup_folder=str(system.get("backup_folder", ".sop_docs/backup")),
            backup_days=int(_positive(system.get("backup_days", 30))),
            share_mode=_mode(raw.get("share", {}).get("mode", "")),
            share_group=str(raw.get("share", {}).get("group", "")),
            text=text,
        )
    except (KeyError, ValueError, TypeError, ZoneInfoNotFoundError) as e:
        raise InvalidSettings(f"{path}: {type(e).__name__}: {e}") from e
