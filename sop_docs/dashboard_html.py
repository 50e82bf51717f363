"""The dashboard as one HTML page that needs nothing but itself: opened from the share by a
double-click, printed on A4, with no script, no font, no picture or style fetched from anywhere.

Pure: a `dashboard.Snapshot` in, a string out. Every value that came from people (a Perihal, a
name, a schedule title) is data, escaped with `html.escape`; the page's Content-Security-Policy
(`default-src 'none'`) forbids the browser any request, so even a value that slipped through could
fetch nothing. The charts are inline SVG drawn here; labels and dates are Indonesian (babel).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from html import escape

from babel.dates import format_date, format_datetime, get_month_names

from sop_docs.dashboard import JadwalRow, OpenCase, Snapshot, StepShare

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
NO_SCHEDULE = "Belum ada jadwal berkala"

_STYLE = """
@page { size: A4 portrait; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 10.5pt;
       color: #1a1a1a; margin: 0 auto; max-width: 190mm; padding: 6mm 0; }
h1 { font-size: 16pt; margin: 0 0 1mm; }
h2 { font-size: 12.5pt; margin: 7mm 0 2mm; border-bottom: 1px solid #888; padding-bottom: 1mm;
     break-after: avoid; page-break-after: avoid; }
p.meta { margin: 0; color: #444; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 1mm 0 2mm; }
th, td { border: 1px solid #999; padding: 1mm 1.5mm; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; word-break: break-word; }
th { background: #e8e8e8; font-weight: bold; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.num, th.num { text-align: right; }
td.id { white-space: nowrap; overflow-wrap: normal; word-break: normal; font-size: 9.5pt; }
tr.late td { background: #fde2e2; }
.late-word { color: #a00000; font-weight: bold; }
.ok-word { color: #1d6b1d; }
.cards { display: flex; gap: 3mm; margin: 3mm 0; }
.card { flex: 1; border: 1px solid #999; padding: 2mm 3mm; }
.card b { display: block; font-size: 18pt; }
section { break-inside: auto; }
svg { max-width: 100%; height: auto; display: block; }
svg text { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; }
.empty { font-style: italic; color: #555; }
@media print { body { max-width: none; padding: 0; } .cards { break-inside: avoid; }
               figure { break-inside: avoid; page-break-inside: avoid; } }
figure { margin: 0; }
"""


def render(s: Snapshot) -> str:
    """The whole page."""
    late = sum(1 for c in s.open_cases if c.terlambat)
    month_name = _month(s.month)
    body = [
        f"<h1>Dasbor Waktu Layanan {_e(s.year)}</h1>",
        f'<p class="meta">{_e(s.office)}</p>' if s.office else "",
        f'<p class="meta">Diperbarui <span id="diperbarui">{_e(_datetime(s.now, s.zone))}'
        "</span>. Dihitung dari basis data sop-docs; halaman ini dibuat ulang otomatis.</p>",
        '<div class="cards">',
        f'<div class="card">Kasus terbuka<b id="jumlah-terbuka">{len(s.open_cases)}</b></div>',
        f'<div class="card">Terlambat<b id="jumlah-terlambat">{late}</b></div>',
        f'<div class="card">Tepat waktu bulan ini ({_e(month_name)})'
        f'<b id="persen-bulan">{_share(*_total(s.shares, "bulan"))}</b></div>',
        f'<div class="card">Tepat waktu tahun {_e(s.year)}'
        f'<b id="persen-tahun">{_share(*_total(s.shares, "tahun"))}</b></div>',
        "</div>",
        _open_section(s.open_cases),
        _by_holder(s.open_cases),
        _shares_section(s.shares, month_name, s.year),
        _trend_section(s.trend, s.year),
        _berkala_section(s.berkala),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Dasbor Waktu Layanan {_e(s.year)}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(b for b in body if b) + "\n</body>\n</html>\n")


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _month(m: int) -> str:
    return str(get_month_names("wide", locale="id")[m])


def _date(d: date) -> str:
    return str(format_date(d, "d MMMM y", locale="id"))


def _datetime(t: datetime, zone: str) -> str:
    text = str(format_datetime(t, "d MMMM y, HH.mm", locale="id"))
    return f"{text} {zone}".strip()


def _total(shares: Sequence[StepShare], period: str) -> tuple[int, int]:
    if period == "bulan":
        return sum(x.bulan for x in shares), sum(x.bulan_terlambat for x in shares)
    return sum(x.tahun for x in shares), sum(x.tahun_terlambat for x in shares)


def _pct(total: int, late: int) -> float | None:
    return None if total == 0 else 100.0 * (total - late) / total


def _share(total: int, late: int) -> str:
    p = _pct(total, late)
    return "–" if p is None else f"{p:.1f}".replace(".", ",") + "%"


def _open_section(cases: Sequence[OpenCase]) -> str:
    head = ("<h2>Kasus terbuka</h2>\n<p class=\"meta\">Yang terlambat di atas; batas waktu "
            "dihitung dengan jam kerja kantor (serta merta: jam kalender).</p>\n")
    if not cases:
        return head + '<p class="empty">Tidak ada kasus terbuka.</p>'
    rows = []
    for c in cases:
        status = ('<span class="late-word">Terlambat</span>' if c.terlambat
                  else '<span class="ok-word">Tepat Waktu</span>')
        holder = _e(c.posisi) + (f"<br>{_e(c.pemegang)}" if c.pemegang else "")
        rows.append(
            f'<tr class="{"late" if c.terlambat else "ok"}" data-case="{_e(c.case_id)}" '
            f'data-late="{int(c.terlambat)}"><td class="id">{_e(c.case_id)}</td><td>{_e(c.perihal)}</td>'
            f"<td>{_e(c.jenis)}</td><td>{_e(c.tahap)}</td><td>{holder}</td>"
            f"<td>{_e(_datetime(c.batas, ''))}</td><td>{status}</td></tr>")
    return head + _table(
        [("No. Agenda", 15), ("Perihal", 23), ("Jenis", 9), ("Tahap", 16), ("Posisi", 13),
         ("Batas Waktu", 12), ("Status Waktu", 12)], rows, "kasus-terbuka")


def _by_holder(cases: Sequence[OpenCase]) -> str:
    if not cases:
        return ""
    groups: dict[tuple[int, str, str, str], list[OpenCase]] = {}
    for c in cases:
        groups.setdefault((c.step, c.tahap, c.posisi, c.pemegang), []).append(c)
    rows = []
    for (step, tahap, posisi, pemegang), items in sorted(groups.items()):
        late = sum(1 for c in items if c.terlambat)
        nearest = min(c.batas for c in items)
        who = _e(posisi) + (f" ({_e(pemegang)})" if pemegang else "")
        rows.append(f'<tr data-step="{step}"><td>{_e(tahap)}</td><td>{who}</td>'
                    f'<td class="num">{len(items)}</td><td class="num">{late}</td>'
                    f"<td>{_e(_datetime(nearest, ''))}</td></tr>")
    return "<h2>Kasus terbuka per tahap dan pemegang</h2>\n" + _table(
        [("Tahap", 30), ("Pemegang", 26), ("Jumlah", 10), ("Terlambat", 12),
         ("Batas waktu terdekat", 22)], rows, "per-tahap", numeric=(2, 3))


def _shares_section(shares: Sequence[StepShare], month_name: str, year: int) -> str:
    rows = []
    for x in shares:
        rows.append(
            f'<tr data-step="{x.step}"><td>{_e(x.tahap)}</td><td>{_e(x.peran)}</td>'
            f"<td>{_e(x.standar)}</td>"
            f'<td class="num" data-period="bulan" data-total="{x.bulan}" '
            f'data-late="{x.bulan_terlambat}">{x.bulan}</td>'
            f'<td class="num">{_share(x.bulan, x.bulan_terlambat)}</td>'
            f'<td class="num" data-period="tahun" data-total="{x.tahun}" '
            f'data-late="{x.tahun_terlambat}">{x.tahun}</td>'
            f'<td class="num">{_share(x.tahun, x.tahun_terlambat)}</td></tr>')
    return (f"<h2>Ketepatan waktu per tahap (Mutu Baku)</h2>\n"
            f'<p class="meta">Tahap yang selesai, dan bagiannya yang selesai dalam waktu baku '
            f"SOP: bulan {_e(month_name)} dan tahun {_e(year)}.</p>\n"
            + _table([("Tahap", 27), ("Pelaksana", 13), ("Waktu baku", 12),
                      ("Selesai bulan ini", 12), ("Tepat waktu bulan ini", 12),
                      ("Selesai tahun ini", 12), ("Tepat waktu tahun ini", 12)],
                     rows, "ketepatan", numeric=(3, 4, 5, 6))
            + _bars(shares, year))


def _table(columns: Sequence[tuple[str, int]], rows: Sequence[str], ident: str,
           numeric: Sequence[int] = ()) -> str:
    cols = "".join(f'<col style="width:{w}%">' for _, w in columns)
    head = "".join(f'<th{" class=num" if i in numeric else ""}>{_e(name)}</th>'
                   for i, (name, _) in enumerate(columns))
    return (f'<table id="{ident}"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
            f"<tbody>\n" + "\n".join(rows) + "\n</tbody></table>")


def _bars(shares: Sequence[StepShare], year: int) -> str:
    """Horizontal bars: each step's on-time share this year."""
    w, left, row_h = 680, 230, 22
    h = 30 + row_h * len(shares)
    parts = [f'<figure><svg id="grafik-tahap" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
             f'role="img" aria-label="Tepat waktu per tahap, tahun {_e(year)}">']
    scale = w - left - 60
    for i, x in enumerate(shares):
        y = 20 + i * row_h
        p = _pct(x.tahun, x.tahun_terlambat)
        label = x.tahap
        parts.append(f'<text x="{left - 6}" y="{y + 14}" font-size="11" '
                     f'text-anchor="end">{_e(label[:40])}</text>')
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{scale}" height="14" fill="#eee"/>')
        if p is not None:
            parts.append(f'<rect x="{left}" y="{y + 3}" width="{scale * p / 100:.1f}" '
                         f'height="14" fill="{_colour(p)}"/>')
        parts.append(f'<text x="{left + scale + 6}" y="{y + 14}" font-size="11">'
                     f"{_share(x.tahun, x.tahun_terlambat)}</text>")
    parts.append(f'<text x="{left}" y="13" font-size="11">Tepat waktu tahun {_e(year)}</text>')
    parts.append("</svg></figure>")
    return "".join(parts)


def _colour(p: float) -> str:
    return "#2e7d32" if p >= 90 else "#f9a825" if p >= 70 else "#c62828"


def _trend_section(trend: Sequence[tuple[int, int, int]], year: int) -> str:
    """Columns: the on-time share of every step finished, per month of the year."""
    w, h, left, bottom, top = 680, 220, 40, 30, 20
    plot_h = h - bottom - top
    slot = (w - left - 10) / 12
    names = get_month_names("abbreviated", locale="id")
    parts = [f'<figure><svg id="grafik-tren" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
             f'role="img" aria-label="Tren ketepatan waktu per bulan, tahun {_e(year)}">']
    for pct in (0, 50, 100):
        y = top + plot_h * (1 - pct / 100)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - 10}" y2="{y:.1f}" '
                     f'stroke="#bbb" stroke-width="1"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" '
                     f'text-anchor="end">{pct}%</text>')
    rows = []
    for month, total, late in trend:
        x = left + (month - 1) * slot
        p = _pct(total, late)
        if p is not None:
            bh = plot_h * p / 100
            parts.append(f'<rect x="{x + slot * 0.15:.1f}" y="{top + plot_h - bh:.1f}" '
                         f'width="{slot * 0.7:.1f}" height="{bh:.1f}" fill="{_colour(p)}" '
                         f'data-month="{month}"/>')
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{top + plot_h - bh - 3:.1f}" '
                         f'font-size="9" text-anchor="middle">{round(p)}%</text>')
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{h - 12}" font-size="10" '
                     f'text-anchor="middle">{_e(names[month])}</text>')
        rows.append(f'<tr data-month="{month}" data-total="{total}" data-late="{late}">'
                    f"<td>{_e(_month(month))}</td><td class=\"num\">{total}</td>"
                    f'<td class="num">{late}</td><td class="num">{_share(total, late)}</td></tr>')
    parts.append("</svg></figure>")
    return (f"<h2>Tren ketepatan waktu {_e(year)}</h2>\n" + "".join(parts)
            + _table([("Bulan", 34), ("Tahap selesai", 22), ("Terlambat", 22),
                      ("Tepat waktu", 22)], rows, "tren", numeric=(1, 2, 3)))


def _berkala_section(rows: Sequence[JadwalRow] | None) -> str:
    head = "<h2>Jadwal informasi berkala</h2>\n"
    if not rows:
        return head + f'<p class="empty" id="jadwal-kosong">{NO_SCHEDULE}</p>'
    out = []
    for r in sorted(rows, key=lambda r: (not r.terlambat, r.jatuh_tempo or date.max, r.judul)):
        status = ('<span class="late-word">Terlambat</span>' if r.terlambat
                  else '<span class="ok-word">Sesuai jadwal</span>')
        out.append(f'<tr class="{"late" if r.terlambat else "ok"}" data-late="{int(r.terlambat)}">'
                   f"<td>{_e(r.judul)}</td><td>{_e(r.periode)}</td>"
                   f"<td>{_e(_date(r.jatuh_tempo)) if r.jatuh_tempo else '–'}</td>"
                   f"<td class=\"id\">{_e(r.kasus_terakhir or '–')}</td><td>{status}</td></tr>")
    return head + _table([("Informasi", 34), ("Periode", 16), ("Jatuh tempo berikutnya", 18),
                          ("Kasus terakhir", 17), ("Status", 15)], out, "jadwal-berkala")
