"""report.html: one self-contained page (inline CSS and SVG, no scripts, no network)."""

from __future__ import annotations

import calendar
from html import escape

CELL_W, CELL_H, LABEL_W, HEADER_H = 64, 22, 210, 26

STYLE = """
body{font-family:system-ui,sans-serif;margin:24px;color:#222}
h1{margin:0 0 4px}.meta{color:#666;margin-bottom:16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:1.5em}
.flag{background:#fde2e1;border:1px solid #e0908b;padding:6px 10px;margin:4px 0}
.ok{background:#e3f4e1;border:1px solid #8fc98a;padding:6px 10px;margin:4px 0}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:3px 8px}
th{background:#f3f3f3;text-align:left}td.num{text-align:right}
"""


def render(report: dict) -> str:
    s = report["summary"]
    quality = "n/a" if s["quality_score"] is None else f"{s['quality_score']:.4f}"
    error_rate = "n/a" if s["error_rate"] is None else f"{s['error_rate']:.2%}"
    cards = [
        ("quality score", quality),
        ("error rate", error_rate),
        ("expected games", s["expected_games"]),
        ("complete games", s["complete_games"]),
        ("missing", s["missing"]),
        ("dead-lettered", s["dead_lettered"]),
        ("not yet played", s["not_yet_played"]),
        ("problems", s["problems"]),
    ]
    flags = "".join(f'<div class="flag">{escape(f)}</div>' for f in s["flags"]) or (
        '<div class="ok">All thresholds met (error rate &le; '
        f"{s['thresholds']['max_error_rate']:.0%}, quality &ge; "
        f"{s['thresholds']['min_quality']}).</div>"
    )
    entity = "".join(
        f"<li>{escape(name)}: {escape(v['status'])}"
        f"{escape(' - ' + v['reason']) if v.get('reason') else ''}</li>"
        for name, v in report.get("entity_checks", {}).items()
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Validation {escape(report["season"])}</title><style>{STYLE}</style></head>
<body>
<section id="summary">
<h1>Season {escape(report["season"])}: validation report</h1>
<div class="meta">generated {escape(report["generated_at"])} from {escape(report["lake"])}
 &middot; games: {escape(report["scope"]["games"])} &middot;
 endpoints: {escape(", ".join(report["scope"]["endpoints"]))}</div>
<div class="cards">{"".join(_card(k, v) for k, v in cards)}</div>
{flags}
<ul>{entity}</ul>
</section>
<section id="completeness"><h2>Completeness by month and dataset</h2>
{completeness_svg(report["completeness"]["by_month_dataset"])}
</section>
<section id="rules"><h2>Problems by rule</h2>{_rule_table(report)}</section>
<section id="problems"><h2>Problems ({len(report["problems"])})</h2>
{_problem_table(report["problems"])}</section>
<section id="schemas"><h2>Tables and their schemas</h2>
{_schema_table(report.get("tables", {}))}
<h3>Columns the API added</h3>{_added_table(report.get("tables", {}))}</section>
<section id="era"><h2>Not recorded in this era</h2>
{_era_table(report.get("era") or dict())}</section>
<section id="compaction"><h2>Compacted files</h2>
{_compaction_table(report.get("compaction", {}))}</section>
</body></html>
"""


def _card(label: str, value) -> str:
    return f'<div class="card">{escape(label)}<b>{escape(str(value))}</b></div>'


def _color(fraction: float) -> str:
    """Red (0) through amber to green (1)."""
    if fraction >= 1.0:
        return "#4caf50"
    hue = int(100 * max(0.0, fraction) * 0.9)
    return f"hsl({hue},75%,55%)"


def completeness_svg(cells: list[dict]) -> str:
    """A heat map: one row per dataset, one column per month, present/expected in each cell."""
    months = list(dict.fromkeys(c["month"] for c in cells))
    datasets = list(dict.fromkeys(c["dataset"] for c in cells))
    width = LABEL_W + CELL_W * max(1, len(months))
    height = HEADER_H + CELL_H * max(1, len(datasets))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="completeness-chart" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="sans-serif" font-size="11">'
    ]
    for i, month in enumerate(months):
        x = LABEL_W + i * CELL_W + CELL_W / 2
        parts.append(
            f'<text x="{x}" y="{HEADER_H - 8}" text-anchor="middle">'
            f"{calendar.month_abbr[month]}</text>"
        )
    for j, dataset in enumerate(datasets):
        y = HEADER_H + j * CELL_H
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + CELL_H * 0.68}" '
            f'text-anchor="end">{escape(dataset)}</text>'
        )
    for c in cells:
        x = LABEL_W + months.index(c["month"]) * CELL_W
        y = HEADER_H + datasets.index(c["dataset"]) * CELL_H
        fraction = c["present"] / c["expected"] if c["expected"] else 1.0
        label = f"{c['present']}/{c['expected']}"
        parts.append(
            f"<g><title>{escape(c['dataset'])} {calendar.month_name[c['month']]}: {label}"
            f'</title><rect class="cell" x="{x + 1}" y="{y + 1}" width="{CELL_W - 2}" '
            f'height="{CELL_H - 2}" fill="{_color(fraction)}"/>'
            f'<text x="{x + CELL_W / 2}" y="{y + CELL_H * 0.68}" text-anchor="middle">'
            f"{label}</text></g>"
        )
    if not cells:
        parts.append(f'<text x="10" y="{HEADER_H + 14}">no expected games</text>')
    parts.append("</svg>")
    return "".join(parts)


def _rule_table(report: dict) -> str:
    counts = report["summary"]["problems_by_rule"]
    if not counts:
        return "<p>None.</p>"
    rows = "".join(
        f"<tr><td>{escape(rule)}</td><td class=num>{n}</td>"
        f"<td>{escape(report['rules'].get(rule, {}).get('description', ''))}</td></tr>"
        for rule, n in counts.items()
    )
    return f"<table><tr><th>rule</th><th>problems</th><th>meaning</th></tr>{rows}</table>"


def _problem_table(problems: list[dict]) -> str:
    if not problems:
        return "<p>None.</p>"
    rows = "".join(
        f"<tr><td>{escape(p['game_id'])}</td><td>{escape(p['dataset'])}</td>"
        f"<td>{escape(p['rule'])}</td><td>{escape(p['detail'])}</td></tr>"
        for p in problems
    )
    return (
        "<table id=problem-table><tr><th>game</th><th>dataset</th><th>rule</th>"
        f"<th>detail</th></tr>{rows}</table>"
    )


def _schema_table(tables: dict) -> str:
    rows = "".join(
        f"<tr><td>{escape(table)}</td><td>{escape(t['schema_version'])}</td>"
        f"<td class=num>{t['files']}</td><td class=num>{t['files_not_in_schema']}</td>"
        f"<td>{escape('; '.join(f'{k}: {v}' for k, v in t['examples'].items()))}</td></tr>"
        for table, t in tables.items()
    )
    return (
        "<table id=schema-table><tr><th>table</th><th>schema version</th><th>files</th>"
        f"<th>not in the table's schema</th><th>examples</th></tr>{rows}</table>"
    )


def _added_table(tables: dict) -> str:
    rows = "".join(
        f"<tr><td>{escape(table)}</td><td>{escape(column)}</td><td>{escape(a['type'])}</td>"
        f"<td class=num>{a['files']}</td><td>{escape(a['first_file'])}</td></tr>"
        for table, entry in tables.items()
        for column, a in entry["added_columns"].items()
    )
    if not rows:
        return "<p>None: every file has its table's schema from the catalogue.</p>"
    return (
        "<p>Landed as nullable columns and recorded in each file; add them to the "
        "catalogue entry's <code>extra_columns</code> to make them part of the schema.</p>"
        "<table><tr><th>table</th><th>column</th><th>type</th><th>files</th>"
        f"<th>first file</th></tr>{rows}</table>"
    )


def _era_table(era: dict) -> str:
    """Apart from missing and dead letters: what the season's eras do not have."""
    rows = "".join(
        f"<tr><td>{escape(n['endpoint'])}</td><td>{escape(n['why'])}</td></tr>"
        for n in era.get("not_recorded", [])
    )
    columns = "".join(
        f"<tr><td>{escape(t)}</td><td>{escape(', '.join(c))}</td>"
        f"<td>{escape(', '.join(era.get('filled', {}).get(t, [])))}</td></tr>"
        for t, c in era.get("unrecorded_columns", {}).items()
    )
    learned = "".join(
        f"<li>{escape(v['endpoint'])}: {'recorded' if v['recorded'] else 'not recorded'} "
        f"({escape(v['why'])}; probed {escape(', '.join(v['probed']))})</li>"
        for v in era.get("learned", [])
    )
    return (
        f"<table id=era-table><tr><th>endpoint</th><th>why</th></tr>{rows}</table>"
        "<h3>Columns not recorded (left out of the checks)</h3><table id=era-columns>"
        f"<tr><th>table</th><th>columns</th><th>holding values after all</th></tr>{columns}"
        f"</table><h3>Learned by probes</h3><ul>{learned}</ul>"
    )


def _compaction_table(compaction: dict) -> str:
    if not compaction:
        return "<p>None.</p>"
    rows = "".join(
        f'<tr class="{escape(c["state"])}"><td>{escape(table)}</td><td>{escape(c["state"])}'
        f"</td><td class=num>{c['inputs']}</td><td>{escape(c['detail'])}</td></tr>"
        for table, c in compaction.items()
    )
    return (
        "<table id=compaction-table><tr><th>table</th><th>state</th><th>files</th>"
        f"<th>detail</th></tr>{rows}</table>"
    )
