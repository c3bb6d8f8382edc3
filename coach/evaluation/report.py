"""Write a run: ``results.json`` and a self-contained ``report.html``.

Inline CSS and SVG only: no script, font or stylesheet is fetched, so the page opens offline.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from coach.evaluation.results import CaseResult, Comparison, Rate, RunResult

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1100px}
body{color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}
.pass{color:#176a2c;font-weight:600}.fail{color:#a11;font-weight:600}.na{color:#888}
.verdict{font-size:1.3rem;padding:.5rem 1rem;display:inline-block;border-radius:4px}
.verdict.pass{background:#e3f4e6}.verdict.fail{background:#fbe3e3}
details{border:1px solid #ddd;border-radius:4px;margin:.4rem 0;padding:.3rem .6rem}
summary{cursor:pointer}mark{background:#ffd0d0;padding:0 .1rem}
.reply{white-space:pre-wrap;background:#f7f7f7;padding:.5rem;border-radius:4px}
.side{display:grid;grid-template-columns:1fr 1fr;gap:.6rem}.small{font-size:.85rem;color:#555}
svg text{font-size:12px;font-family:inherit}
"""


def write(run: RunResult, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.json"
    results.write_text(run.model_dump_json(indent=1), encoding="utf-8")
    html = out / "report.html"
    html.write_text(render(run), encoding="utf-8")
    return results, html


def render(run: RunResult) -> str:
    parts = [
        f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>coach eval {escape(run.run_id)}</title>",
        f"<style>{_CSS}</style></head><body>",
        _header(run),
        _gates(run),
        _chart("Pass rate per metric", run.summary.metrics, "chart-metrics"),
        _rates(run),
        _splits(run),
        _groups(run),
        _failures(run),
    ]
    if run.comparison:
        parts.append(comparison_html(run.comparison))
    parts.append("</body></html>")
    return "\n".join(parts)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _header(run: RunResult) -> str:
    verdict = "pass" if run.passed else "fail"
    return (
        f"<h1>coach eval · {escape(', '.join(run.suites))}</h1>"
        f"<p class='verdict {verdict}' id='verdict'>{'PASS 通过' if run.passed else 'FAIL 未通过'}</p>"
        f"<p class='small'>run {escape(run.run_id)} · {escape(run.created)} · backend <b>{escape(run.backend)}</b> "
        f"{escape(run.model or '')} · {run.summary.cases} cases · {run.seconds:.1f} s · judge: {escape(run.judge)}</p>"
    )


def _gates(run: RunResult) -> str:
    rows = "".join(
        f"<tr><td>{escape(g.metric)}</td><td>{_pct(g.value)}</td><td>{g.op} {_pct(g.threshold)}</td>"
        f"<td class='{'pass' if g.passed else 'fail'}'>{'pass' if g.passed else 'FAIL'}</td>"
        f"<td>{escape(g.detail)}</td></tr>"
        for g in run.gates
    )
    head = "<tr><th>metric</th><th>value</th><th>threshold</th><th></th><th>cases</th></tr>"
    return f"<h2>Gates 门槛</h2><table id='gates'>{head}{rows}</table>"


def _chart(title: str, rates: dict[str, Rate], element_id: str) -> str:
    """Horizontal bars, one per metric, as inline SVG."""
    items = [(name, rate) for name, rate in rates.items() if rate.total]
    bar_w, row_h, label_w = 420, 22, 230
    height = row_h * len(items) + 10
    bars = []
    for i, (name, rate) in enumerate(items):
        y = 5 + i * row_h
        value = rate.rate or 0.0
        colour = "#2e7d32" if value >= 0.999 else "#f9a825" if value >= 0.8 else "#c62828"
        bars.append(
            f"<text x='0' y='{y + 15}'>{escape(name)}</text>"
            f"<rect x='{label_w}' y='{y + 3}' width='{bar_w}' height='14' fill='#eee'/>"
            f"<rect class='bar' data-metric='{escape(name)}' x='{label_w}' y='{y + 3}' width='{bar_w * value:.1f}' "
            f"height='14' fill='{colour}'><title>{escape(name)}: {_pct(value)}</title></rect>"
            f"<text x='{label_w + bar_w + 8}' y='{y + 15}'>{_pct(value)} ({rate.passed}/{rate.total})</text>"
        )
    return (
        f"<h2>{escape(title)}</h2><svg id='{element_id}' role='img' aria-label='{escape(title)}' "
        f"width='{label_w + bar_w + 140}' height='{height}'>{''.join(bars)}</svg>"
    )


def _rates(run: RunResult) -> str:
    names = list(run.summary.rates)
    head = "".join(f"<th>{escape(n)}</th>" for n in names)
    overall = "".join(f"<td>{_pct(r.rate)} ({r.passed}/{r.total})</td>" for r in run.summary.rates.values())
    rows = "".join(
        f"<tr><td>{escape(group)}</td>" + "".join(f"<td>{_pct(r.rate)}</td>" for r in rates.values()) + "</tr>"
        for group, rates in sorted(run.summary.rates_by_group.items())
    )
    return (
        f"<h2>Raw model outputs and fallbacks 原始输出与回退</h2><p class='small'>Share of cases where a raw "
        f"answer of the backend under test broke the guard, or the chain fell back to the offline composer.</p>"
        f"<table id='rates'><tr><th>group</th>{head}</tr><tr><td><b>all</b></td>{overall}</tr>{rows}</table>"
    )


def _matrix(title: str, table: dict[str, dict[str, Rate]], element_id: str) -> str:
    metrics = list(dict.fromkeys(m for rates in table.values() for m in rates))
    head = "".join(f"<th>{escape(m)}</th>" for m in metrics)
    rows = "".join(
        f"<tr><td>{escape(key)}</td>"
        + "".join(f"<td>{_pct(rates[m].rate) if m in rates else '—'}</td>" for m in metrics)
        + "</tr>"
        for key, rates in sorted(table.items())
    )
    return f"<h2>{escape(title)}</h2><table id='{element_id}'><tr><th></th>{head}</tr>{rows}</table>"


def _splits(run: RunResult) -> str:
    return _matrix("Dev vs held-out 开发集与保留集", run.summary.by_split, "splits")


def _groups(run: RunResult) -> str:
    chart = _chart("Pass rate (all metrics) per category / domain", _group_rates(run), "chart-groups")
    return chart + _matrix("Per category / domain 按类别", run.summary.by_group, "groups")


def _group_rates(run: RunResult) -> dict[str, Rate]:
    totals: dict[str, Rate] = {}
    for case in run.cases:
        totals.setdefault(f"{case.suite}/{case.group}", Rate()).add(case.passed)
    return dict(sorted(totals.items()))


def highlight(text: str, span: str | None) -> str:
    if not span or span not in text:
        return escape(text)
    at = text.index(span)
    return escape(text[:at]) + f"<mark>{escape(span)}</mark>" + escape(text[at + len(span) :])


def _failures(run: RunResult) -> str:
    failing = [c for c in run.cases if not c.passed]
    items = "".join(_case_html(c) for c in failing[:400])
    more = f"<p class='small'>{len(failing) - 400} more in results.json</p>" if len(failing) > 400 else ""
    return f"<h2>Failing cases 未通过的案例 ({len(failing)})</h2><div id='failures'>{items}{more}</div>"


def _case_html(case: CaseResult) -> str:
    broken = [m for m in case.metrics if m.passed is False]
    names = ", ".join(m.name for m in broken) or ("error" if case.error else "")
    span = next((m.span for m in broken if m.span), None)
    rules = "".join(
        f"<li><b>{escape(m.name)}</b> · rule <code>{escape(m.rule or '')}</code> · {escape(m.reason)}"
        + (f"<br><span class='small'>依据 source: {escape(m.source)}</span>" if m.source else "")
        + "</li>"
        for m in broken
    )
    raw = "".join(
        f"<li>raw {escape(r.backend)}: "
        + (escape(r.error) if r.error else highlight(r.text or "", r.violations[0].span if r.violations else None))
        + "".join(f" <code>{escape(v.category)}</code>" for v in r.violations)
        + "</li>"
        for r in case.raw
        if r.violations or r.error
    )
    message = case.input.get("message") or case.input.get("text") or ""
    fallback = f"<p class='small'>fell back: {escape(case.fallback_reason or '')}</p>" if case.fell_back else ""
    return (
        f"<details class='case' data-case='{escape(case.case_id)}'><summary>{escape(case.suite)}/{escape(case.case_id)}"
        f" · {escape(case.group)} · {case.split} · <span class='fail'>{escape(names)}</span></summary>"
        f"<p><b>客户 customer:</b> {escape(str(message))}</p>"
        f"<p><b>回复 draft</b> ({escape(case.backend or '—')}, {case.attempts} attempts):</p>"
        f"<div class='reply'>{highlight(case.reply or case.error or '', span)}</div>{fallback}"
        f"<ul>{rules}</ul>" + (f"<p><b>raw outputs</b></p><ul>{raw}</ul>" if raw else "") + "</details>"
    )


def comparison_html(comparison: Comparison) -> str:
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{_pct(a)}</td><td>{_pct(b)}</td><td class='"
        f"{'pass' if (d or 0) >= 0 else 'fail'}'>{'—' if d is None else f'{d * 100:+.1f} pt'}</td></tr>"
        for name, (a, b, d) in comparison.deltas.items()
    )
    flips = "".join(
        f"<details class='flip'><summary>{escape(f['case'])} · {escape(f['metric'])}: {escape(f['change'])}</summary>"
        f"<div class='side'><div><b>baseline</b><div class='reply'>{escape(f.get('baseline_reply') or '')}</div></div>"
        f"<div><b>current</b><div class='reply'>{escape(f.get('current_reply') or '')}</div></div></div></details>"
        for f in comparison.flipped
    )
    return (
        f"<h2 id='comparison'>Comparison 对比: {escape(comparison.baseline)} → {escape(comparison.current)}</h2>"
        f"<table id='deltas'><tr><th>metric</th><th>baseline</th><th>current</th><th>delta</th></tr>{rows}</table>"
        f"<p>{len(comparison.flipped)} case/metric pairs flipped pass↔fail.</p>{flips}"
    )
