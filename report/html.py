"""The HTML report: one self-contained file a client can open offline.

Everything is inside the file: the style sheet in a ``<style>`` element, every image as a
base64 ``data:image/png`` URI, no script, no font, no link to anything outside. A report is a
title, the scenario in a planner's words, the run manifest, and sections of paragraphs, tables
and figures (:class:`Section`); the commands build their sections from their results.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from report.tables import cell
from report.tables import estimate_text as tables_estimate_text
from scenarios.calendar import clock_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from scenarios.schema import Distribution, Scenario

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 2em auto;
       max-width: 70em; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; border-bottom: 2px solid #0072B2; padding-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 2em; color: #0072B2; }
table { border-collapse: collapse; margin: .8em 0 1.4em; font-size: .88em; }
caption { text-align: left; font-weight: 600; padding-bottom: .3em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th { background: #eef4fa; }
td:first-child, th:first-child { text-align: left; }
figure { margin: 1em 0 2em; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: .9em; color: #555; }
.key { display: flex; flex-wrap: wrap; gap: 1em; }
.key div { background: #f4f7fb; border-left: 4px solid #0072B2; padding: .5em 1em; }
.key b { display: block; font-size: 1.3em; }
.manifest { font-size: .8em; color: #555; }
"""


@dataclass
class Section:
    """A heading, then key figures, paragraphs, tables and figures, in that order.

    ``tables`` holds ``(caption, columns, rows)`` with rows as dicts; ``figures`` holds
    ``(caption, matplotlib Figure)``; ``key_figures`` holds ``(label, value text)``.
    """

    title: str
    paragraphs: list[str] = field(default_factory=list)
    key_figures: list[tuple[str, str]] = field(default_factory=list)
    tables: list[tuple[str, Sequence[str], Sequence[dict[str, Any]]]] = field(
        default_factory=list)
    figures: list[tuple[str, Figure]] = field(default_factory=list)


def image_tag(fig: Figure, alt: str) -> str:
    """``<img>`` with the figure embedded as a base64 PNG."""
    from report.plots import png_bytes

    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def table_html(caption: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    """A ``<table>`` with a caption and a header row (cells as :func:`report.tables.cell`)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_text(row.get(c)))}</td>" for c in columns) + "</tr>"
        for row in rows)
    return (f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else cell(value)


def render(title: str, sections: Sequence[Section], manifest: dict[str, Any] | None = None) -> str:
    """The whole document as text."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>"]
    for s in sections:
        parts.append(f"<section><h2>{html.escape(s.title)}</h2>")
        if s.key_figures:
            parts.append('<div class="key">' + "".join(
                f"<div>{html.escape(k)}<b>{html.escape(v)}</b></div>" for k, v in s.key_figures)
                + "</div>")
        parts += [f"<p>{html.escape(p)}</p>" for p in s.paragraphs]
        parts += [table_html(*t) for t in s.tables]
        for caption, fig in s.figures:
            parts.append(f"<figure>{image_tag(fig, caption)}"
                         f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        parts.append("</section>")
    if manifest:
        items = "".join(f"<li><code>{html.escape(str(k))}</code>: {html.escape(str(v))}</li>"
                        for k, v in manifest.items())
        parts.append(f'<section class="manifest"><h2>Run manifest</h2><ul>{items}</ul>'
                     "</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write(path: str | Path, title: str, sections: Sequence[Section],
          manifest: dict[str, Any] | None = None) -> Path:
    """Write the report to ``path`` (its folder is made if missing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(title, sections, manifest), encoding="utf-8")
    return path


def _dist(d: Distribution | None) -> str:
    if d is None:
        return "waits without limit"
    if d.kind == "deterministic":
        return f"{d.mean_s:g} s exactly"
    if d.kind == "exponential":
        return f"{d.mean_s:g} s on average (exponential)"
    return f"{d.mean_s:g} s on average ({d.kind}, CV {d.cv:g})"


def describe_scenario(sc: Scenario) -> list[str]:
    """The scenario in a planner's words, one paragraph per part."""
    cal = sc.calendar
    days = len(cal.days)
    hours = ("open all day" if cal.open_s is None
             else f"open {clock_label(cal.open_s)}-{clock_label(cal.close_s)}")
    out = [f"{days} day(s) of {cal.intervals_per_day} intervals of {cal.interval_s / 60:g} "
           f"minutes from {clock_label(cal.start_s)}, {hours}."
           + (f" All call volumes scaled by {sc.arrival_scale:g}." if sc.arrival_scale != 1
              else "")]
    for ct in sc.call_types:
        per_day = sum(sum(ct.calls_for(p)) for p in cal.days) / days
        out.append(
            f"Call type '{ct.name}': about {per_day:.0f} calls a day, priority {ct.priority} "
            f"(smaller first); talk {_dist(ct.handle_time)}, wrap-up {_dist(ct.wrap_up)}; "
            f"callers hold {_dist(ct.patience)} before hanging up.")
    ivr = sc.ivr
    if ivr.greeting.mean_s > 0 or ivr.served_share > 0:
        out.append(f"Every caller first hears a greeting of {_dist(ivr.greeting)}; callers "
                   f"listen {_dist(ivr.patience)}; {ivr.served_share:.0%} are served by it.")
    out.append("Phone lines: unlimited." if sc.lines is None else
               f"{sc.lines} phone lines: a caller who finds them all busy hears a busy signal.")
    for g in sc.agent_groups:
        staff = (f"{min(g.staffing)}-{max(g.staffing)} agents on duty per interval"
                 if g.staffing else f"{len(g.shifts)} shifts")
        walk = (f", {g.availability:.0%} of their time free for calls (walk-ins of "
                f"{g.walk_in_s:g} s take the rest)" if g.availability < 1 else "")
        out.append(f"Agent group '{g.name}': {staff}, answering {', '.join(g.skills)} "
                   f"(in that preference){walk}.")
    t = sc.targets
    extra = []
    if t.max_abandon is not None:
        extra.append(f"at most {t.max_abandon:.0%} abandoning")
    if t.max_asa_s is not None:
        extra.append(f"ASA at most {t.max_asa_s:g} s")
    if t.max_occupancy is not None:
        extra.append(f"occupancy at most {t.max_occupancy:.0%}")
    out.append(f"Targets: {t.service_level:.0%} answered within {t.awt_s:g} s "
               f"(definition '{t.sl_definition}')" + (f"; {'; '.join(extra)}" if extra else "")
               + ".")
    return out


def estimate_text(mean: float | None, ci: float | None, digits: int = 3) -> str:
    """``0.612 ± 0.017`` (``-`` when undefined): :func:`report.tables.estimate_text`, spaced."""
    return tables_estimate_text(mean, ci, digits, sep=" ± ")
