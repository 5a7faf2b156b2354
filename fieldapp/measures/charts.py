"""Charts drawn on the server as SVG: no JavaScript, readable on a phone, with a title and a
description for screen readers, and always a table of the same numbers beside them."""

from markupsafe import Markup, escape

WIDTH, HEIGHT = 320, 160
LEFT, BOTTOM, TOP = 28, 20, 8


def weekly_bars(weeks: list, chart_id: str) -> Markup:
    """Visits per week (full bar) and the visits with no access (dark part of each bar)."""
    if not weeks:
        return Markup("")
    tallest = max(max(booked for _monday, booked, _none in weeks), 1)
    slot = (WIDTH - LEFT) / len(weeks)
    bar = max(slot * 0.7, 2)
    scale = (HEIGHT - BOTTOM - TOP) / tallest
    label_every = -(-len(weeks) // 5)  # at most five dates under the bars, so none overlap
    parts = []
    for index, (monday, booked, no_access) in enumerate(weeks):
        x = LEFT + index * slot + (slot - bar) / 2
        parts.append(_rect("chart__bar", x, booked, bar, scale))
        parts.append(_rect("chart__bar chart__bar--no-access", x, no_access, bar, scale))
        if index % label_every == 0:
            parts.append(f'<text class="chart__label" x="{x + bar / 2:.1f}" y="{HEIGHT - 6}"'
                         f' text-anchor="middle">{monday:%-d %b}</text>')
    parts.append(f'<text class="chart__label" x="{LEFT - 4}" y="{TOP + 10}" text-anchor="end">'
                 f'{tallest}</text>')
    parts.append(f'<line class="chart__axis" x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}"'
                 f' y2="{HEIGHT - BOTTOM}"/>')
    total = sum(booked for _m, booked, _n in weeks)
    missed = sum(none for _m, _b, none in weeks)
    description = (f"{len(weeks)} weeks from {weeks[0][0]:%-d %B}: {total} visits, {missed} "
                   "with no access. The table below gives each week's numbers.")
    # Numbers, dates and our own words only; the description is escaped.
    return Markup(  # noqa: S704
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">Visits and no access, by week</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{"".join(parts)}</svg>')


def _rect(css_class: str, x: float, value: int, width: float, scale: float) -> str:
    height = value * scale
    return (f'<rect class="{css_class}" x="{x:.1f}" y="{HEIGHT - BOTTOM - height:.1f}"'
            f' width="{width:.1f}" height="{height:.1f}"/>')
