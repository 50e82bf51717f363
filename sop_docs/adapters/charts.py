"""Charts as PNG pictures for Word documents (matplotlib, the Agg backend: no display needed).

Why pictures: a chart drawn by Word's own chart part looks different in LibreOffice and breaks
when restyled; a picture prints the same everywhere. The text is set in Liberation Sans (metric
twin of Arial, shipped with LibreOffice on Debian), then DejaVu Sans, then Arial, so the charts
match the documents' Arial/Liberation text; the fonts are drawn into the pixels, so Word needs
none of them. 200 dpi at the printed width is print resolution for charts of this size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator, PercentFormatter

DPI = 200
WIDTH_CM = 16.0
FONTS = ["Liberation Sans", "DejaVu Sans", "Arial"]
COLORS = ["#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0"]

matplotlib.rcParams.update({
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",
})


def _png(fig: plt.Figure) -> bytes:
    out = BytesIO()
    fig.savefig(out, format="png", dpi=DPI, bbox_inches="tight",
                metadata={"Software": None})      # the same picture for the same figures
    plt.close(fig)
    return out.getvalue()


def _figure(height_cm: float) -> tuple[plt.Figure, plt.Axes]:
    return plt.subplots(figsize=(WIDTH_CM / 2.54, height_cm / 2.54))


def stacked_bars(labels: Sequence[str], series: Mapping[str, Sequence[float]], *, title: str,
                 ylabel: str) -> bytes:
    """Bars per label, one stacked segment per series (announcements per month and kind)."""
    fig, ax = _figure(7.5)
    bottom = [0.0] * len(labels)
    for i, (name, values) in enumerate(series.items()):
        ax.bar(labels, values, bottom=bottom, label=name, color=COLORS[i % len(COLORS)])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title(title, fontsize=10, fontweight="bold")
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend(frameon=False)
    return _png(fig)


def grouped_bars(labels: Sequence[str], series: Mapping[str, Sequence[float]], *, title: str,
                 ylabel: str, percent: bool = False, horizontal_line: float | None = None) -> bytes:
    """Bars side by side per label, one per series (on-time share per step and kind)."""
    fig, ax = _figure(7.5)
    n = max(1, len(series))
    width = 0.8 / n
    for i, (name, values) in enumerate(series.items()):
        xs = [x - 0.4 + width * (i + 0.5) for x in range(len(labels))]
        ax.bar(xs, values, width=width, label=name, color=COLORS[i % len(COLORS)])
    ax.set_xticks(range(len(labels)), labels)
    ax.set_title(title, fontsize=10, fontweight="bold")
    ax.set_ylabel(ylabel)
    if percent:
        ax.set_ylim(0, 1.05)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if horizontal_line is not None:
        ax.axhline(horizontal_line, color="#808080", linewidth=0.8, linestyle="--")
    if len(series) > 1:
        ax.legend(frameon=False)
    return _png(fig)
