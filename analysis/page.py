"""The Jinja2 template of the report's HTML page (report.html, compare.html).

Kept as a Python string so that every way the package is installed carries it (`cmake
--install` copies the package's *.py files, pip its modules). analysis.report renders it with
autoescaping on; `figures`, `config` and the plotly.js placeholder are marked safe there. The
page needs nothing from outside itself: its CSS is here, plotly.js and the figures' JSON are
embedded by analysis.report.
"""

TEMPLATE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mss-sim analysis {{ generator }}">
<title>{{ title }}</title>
<style>
:root { --ink: #1f2328; --muted: #57606a; --rule: #d0d7de; --bg-soft: #f6f8fa; --accent: #08306b; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: white; }
header.top { padding: 22px 32px 12px; border-bottom: 1px solid var(--rule); background: var(--bg-soft); }
header.top h1 { margin: 0 0 4px; font-size: 24px; color: var(--accent); }
header.top p { margin: 2px 0; color: var(--muted); max-width: 1100px; }
.layout { display: flex; align-items: flex-start; }
nav.toc { position: sticky; top: 0; flex: 0 0 210px; max-height: 100vh; overflow-y: auto; padding: 18px 10px 18px 24px; font-size: 13.5px; border-right: 1px solid var(--rule); }
nav.toc ol { padding-left: 18px; margin: 0; }
nav.toc li { margin: 3px 0; }
nav.toc a { color: var(--ink); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
main { flex: 1 1 auto; min-width: 0; padding: 8px 32px 60px; max-width: 1280px; }
section { margin-top: 26px; }
h2 { font-size: 20px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; margin: 0 0 10px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
figure { margin: 10px 0 18px; }
.plot { width: 100%; border: 1px solid #eaeef2; border-radius: 4px; }
figcaption, .note { color: var(--muted); font-size: 13.5px; margin-top: 6px; max-width: 1100px; }
p { max-width: 1100px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px; margin: 10px 0 6px; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: 10px 14px; background: white; }
.card h3 { margin: 0 0 4px; font-size: 13px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
.card .big { font-size: 20px; font-weight: 600; color: var(--accent); }
.card .small { font-size: 13px; color: var(--muted); }
.tablewrap { overflow-x: auto; margin: 8px 0 14px; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #eaeef2; padding: 4px 9px; vertical-align: top; }
th { background: var(--bg-soft); text-align: left; font-weight: 600; white-space: nowrap; }
td.r, th.r { text-align: right; white-space: nowrap; }
tr.date td { color: var(--muted); border-bottom-color: #d8dee4; }
tr.chosen td { background: #e5f5e0; }
p.answer { font-size: 17px; }
td .long { display: block; }
td code, p code, li code { font-size: 12px; color: #444; background: var(--bg-soft); padding: 0 3px; border-radius: 3px; }
td.key code { background: none; padding: 0; }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--accent); }
pre { background: var(--bg-soft); padding: 10px 12px; overflow-x: auto; font-size: 12px; line-height: 1.4; max-height: 520px; }
dl.prov { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; font-size: 13.5px; }
dl.prov dt { color: var(--muted); }
dl.prov dd { margin: 0; word-break: break-word; }
.warn { border-left: 3px solid #d4a72c; background: #fff8c5; padding: 6px 10px; margin: 8px 0; }
@media print { nav.toc { display: none; } .plot { break-inside: avoid; } }
@media (max-width: 900px) { nav.toc { display: none; } main { padding: 8px 14px; } }
</style>
</head>
<body>
<header class="top">
<h1>{{ title }}</h1>
{% for line in subtitle %}<p>{{ line }}</p>
{% endfor %}
</header>
<div class="layout">
<nav class="toc" aria-label="Contents"><ol>
{% for s in sections %}<li><a href="#{{ s.id }}">{{ s.title }}</a></li>
{% endfor %}</ol></nav>
<main>
{% for s in sections %}
<section id="{{ s.id }}">
<h2>{{ s.title }}</h2>
{% for b in s.blocks %}
{% if b.kind == "html" %}{{ b.html }}
{% elif b.kind == "figure" %}<figure id="figure-{{ b.id }}">
<div class="plot" id="fig-{{ b.id }}" data-figure="{{ b.id }}" style="height: {{ b.height }}px" role="img" aria-label="{{ b.title }}"></div>
{% if b.caption %}<figcaption>{{ b.caption }}</figcaption>{% endif %}
</figure>
{% elif b.kind == "table" %}{% if b.title %}<h3>{{ b.title }}</h3>{% endif %}
<div class="tablewrap"><table{% if b.id %} id="table-{{ b.id }}"{% endif %}>
<thead><tr>{% for h in b.header %}<th{% if b.align[loop.index0] == "r" %} class="r"{% endif %}>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in b.rows %}<tr{% if row.cls %} class="{{ row.cls }}"{% endif %}{% if row.key %} data-key="{{ row.key }}"{% endif %}>{% for c in row.cells %}<td{% if b.align[loop.index0] == "r" %} class="r"{% elif loop.first and row.key %} class="key"{% endif %}>{{ c }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></div>
{% if b.note %}<p class="note">{{ b.note }}</p>{% endif %}
{% elif b.kind == "pre" %}<details{% if b.open %} open{% endif %}><summary>{{ b.title }}</summary><pre>{{ b.text }}</pre></details>
{% endif %}
{% endfor %}
</section>
{% endfor %}
</main>
</div>
<script>
{{ plotly_js }}
</script>
<script>
(function () {
  "use strict";
  var config = {{ config }};
  var figures = {{ figures }};
  window.MSS_FIGURES = figures;
  Object.keys(figures).forEach(function (id) {
    var f = figures[id];
    try {
      Plotly.newPlot("fig-" + id, f.data, f.layout, config);
    } catch (e) {
      console.error("figure " + id + ": " + e);
    }
  });
})();
</script>
</body>
</html>
"""
