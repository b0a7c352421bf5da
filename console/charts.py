"""Charts of the dashboard as SVG drawn on the server: grouped columns (opened and closed per
period) and horizontal bars (a month beside the same month a year before). No JavaScript; labels
are escaped here, since the SVG goes into the page as markup."""

from __future__ import annotations

from html import escape

WIDTH = 640
BAR_HEIGHT = 18


def columns(labels: list[str], series: list[tuple[str, str, list[int]]], title: str) -> str:
    """Grouped columns; ``series``: (legend, css class, one value per label)."""
    height, top, bottom, left = 200, 20, 40, 36
    plot = height - top - bottom
    peak = max([1, *(v for _, _, values in series for v in values)])
    slot = (WIDTH - left) / max(len(labels), 1)
    bar = max(slot / (len(series) + 1), 2)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, peak // 2, peak):
        y = top + plot - plot * tick / peak
        parts.append(
            f'<line class="grid" x1="{left}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for i, label in enumerate(labels):
        x0 = left + i * slot + bar / 2
        for j, (legend, css, values) in enumerate(series):
            value = values[i]
            h = plot * value / peak
            x = x0 + j * bar
            parts.append(
                f'<rect class="{escape(css)}" x="{x:.1f}" y="{top + plot - h:.1f}" '
                f'width="{bar - 1:.1f}" height="{h:.1f}"><title>{escape(legend)} {escape(label)}: '
                f"{value}</title></rect>"
            )
        if len(labels) <= 12 or i % 2 == 0:
            parts.append(
                f'<text class="axis" x="{left + i * slot + slot / 2:.1f}" y="{height - bottom + 14}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for j, (legend, css, _) in enumerate(series):
        x = left + j * 120
        parts.append(
            f'<rect class="{escape(css)}" x="{x}" y="{height - 16}" width="10" height="10"/>'
            f'<text class="axis" x="{x + 14}" y="{height - 7}">{escape(legend)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bars(rows: list[tuple[str, int, int]], title: str, now_legend: str, before_legend: str) -> str:
    """Horizontal bars: (label, this month, same month last year)."""
    left, gap = 220, 8
    height = max(len(rows), 1) * (2 * BAR_HEIGHT // 2 + gap) + 36
    peak = max([1, *(max(a, b) for _, a, b in rows)])
    span = WIDTH - left - 50
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, now, before) in enumerate(rows):
        y = 8 + i * (BAR_HEIGHT + gap)
        w_now, w_before = span * now / peak, span * before / peak
        parts.append(
            f'<text class="axis" x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(label[:34])}</text>'
            f'<rect class="now" x="{left}" y="{y}" width="{w_now:.1f}" height="{BAR_HEIGHT * 0.6:.1f}">'
            f"<title>{escape(now_legend)}: {now}</title></rect>"
            f'<rect class="before" x="{left}" y="{y + BAR_HEIGHT * 0.6:.1f}" width="{w_before:.1f}" '
            f'height="{BAR_HEIGHT * 0.35:.1f}"><title>{escape(before_legend)}: {before}</title></rect>'
            f'<text class="axis" x="{left + w_now + 4:.1f}" y="{y + 10}">{now}</text>'
        )
    y = height - 16
    parts.append(
        f'<rect class="now" x="{left}" y="{y}" width="10" height="10"/>'
        f'<text class="axis" x="{left + 14}" y="{y + 9}">{escape(now_legend)}</text>'
        f'<rect class="before" x="{left + 160}" y="{y}" width="10" height="10"/>'
        f'<text class="axis" x="{left + 174}" y="{y + 9}">{escape(before_legend)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
