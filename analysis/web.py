"""Figures (analysis.figure) as plotly.js figure JSON for the HTML report.

Built by hand as plain dicts (no plotly.graph_objects validation: it costs seconds for a
report's few hundred traces) and encoded once per figure by `figure_json`. Daily series go
out as a start date and a step (`x0`, `dx`), numbers rounded to what the axis shows, NaN as
null (plotly draws a gap), so that a report stays far below its 12 MB budget. plotly.js
itself comes from Debian's python3-plotly (`plotly_js`) and is embedded once per page.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from analysis.figure import Figure, Panel, Trace, nice_step

DAY_MS = 86_400_000
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
#: plotly.js `config` of every figure: no logo, no send-to-cloud, no link; PNG export kept.
CONFIG = {"displaylogo": False, "responsive": True, "showLink": False, "showSendToCloud": False,
          "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
          "toImageButtonOptions": {"format": "png", "scale": 2}}
DASH = {"solid": "solid", "dash": "dash", "dot": "dot", "dashdot": "dashdot"}
MONEY = 1e-6   # money axes show millions of USD

_PLOTLY_JS: bytes | None = None


def plotly_js() -> bytes:
    """The plotly.js bundle of Debian's python3-plotly as UTF-8 bytes (read once): the file
    `plotly.offline.get_plotlyjs` reads, read here as bytes so that its 8.6 MB are neither
    decoded nor encoded again; `get_plotlyjs()` itself where the file is elsewhere."""
    global _PLOTLY_JS
    if _PLOTLY_JS is None:
        path = Path("/usr/share/python3-plotly/plotly.js")
        if path.is_file():
            _PLOTLY_JS = path.read_bytes()
        else:
            from plotly.offline import get_plotlyjs
            _PLOTLY_JS = get_plotlyjs().encode("utf-8")
        if b"</script" in _PLOTLY_JS.lower():
            raise RuntimeError("plotly.js contains </script and cannot be inlined")
    return _PLOTLY_JS


def plotly_js_version() -> str:
    head = plotly_js()[:200].decode("utf-8", "replace")
    i = head.find("plotly.js v")
    return head[i + len("plotly.js "):].split()[0] if i >= 0 else "?"


# ------------------------------------------------------------------------------------------
# Arrays

def _num(a, digits: int | None = None) -> list:
    """A numeric array as a JSON list: rounded to `digits` significant-ish decimals, NaN and
    inf as null."""
    a = np.asarray(a, dtype=np.float64)
    if digits is not None:
        a = np.round(a, digits)
    out = a.tolist()
    if not np.isfinite(a).all():
        bad = ~np.isfinite(a)
        if a.ndim == 1:
            for i in np.flatnonzero(bad):
                out[i] = None
        else:
            out = [[None if not math.isfinite(v) else v for v in row] for row in out]
    return out


def _digits(values, fmt: str) -> int:
    """Decimals worth keeping for an axis format: counts 1, fractions 4, money (in $M) 3,
    others by magnitude (4 significant digits)."""
    if fmt == "percent":
        return 4
    if fmt == "money":
        return 3
    if fmt == "count":
        return 1
    a = np.asarray(values)
    if a.dtype.kind not in "iuf":
        return 3
    a = a.astype(np.float64)
    a = a[np.isfinite(a)]
    if not a.size:
        return 3
    m = float(np.abs(a).max())
    if m == 0:
        return 3
    return max(0, 3 - int(math.floor(math.log10(m))))


def _is_dates(x) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.kind == "M"


def _date_str(d) -> str:
    return str(np.datetime64(d, "D"))


def _x_fields(x) -> dict:
    """x of a trace: dates of consecutive days as x0/dx, other dates as ISO strings, numbers
    as a list, text as text."""
    if x is None:
        return {}
    if _is_dates(x):
        d = x.astype("datetime64[D]")
        if d.size > 2 and (np.diff(d.astype(np.int64)) == 1).all():
            return {"x0": _date_str(d[0]), "dx": DAY_MS}
        return {"x": [str(v) for v in d]}
    arr = np.asarray(x)
    if arr.dtype.kind in "iuf":
        return {"x": _num(arr, 6)}
    return {"x": [str(v) for v in x]}


def _scale(a, axis_fmt: str):
    if a is None:
        return None
    a = np.asarray(a, dtype=np.float64)
    return a * MONEY if axis_fmt == "money" else a


def _rgba(color: str, alpha: float) -> str:
    c = color.lstrip("#")
    r, g, b = int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    return f"rgba({r},{g},{b},{alpha:g})"


def default_hover(fmt: str, var: str = "y") -> str:
    return {"count": f"%{{{var}:,.0f}}", "percent": f"%{{{var}:.1%}}",
            "money": f"$%{{{var}:,.2f}}M", "date": f"%{{{var}|%d %b %Y}}"}.get(
        fmt, f"%{{{var}:,.4~g}}")


# ------------------------------------------------------------------------------------------
# Layout

def _grid(fig: Figure):
    """[(panel, row, col)], row count, row weights."""
    cells = [(p, i // fig.cols, i % fig.cols) for i, p in enumerate(fig.panels)]
    nrows = max(1, math.ceil(len(fig.panels) / fig.cols))
    weights = [max([p.weight for p, r, _ in cells if r == row] or [1.0]) for row in range(nrows)]
    return cells, nrows, weights


def _axis_names(i: int) -> tuple[str, str, str, str]:
    """(layout key of x, of y, trace ref of x, of y) for panel i."""
    n = "" if i == 0 else str(i + 1)
    return f"xaxis{n}", f"yaxis{n}", f"x{n}", f"y{n}"


def _date_ticks(lo, hi, width: float = 1.0) -> dict:
    """Ticks of a date axis spanning lo..hi on `width` of the layout's width: at most one
    label per ~80 pixels, every label with its year."""
    span = int((np.datetime64(hi, "D") - np.datetime64(lo, "D")).astype(int))
    # "Sep 2025" takes ~60 pixels; leave room for the y axis' labels on the left
    most = max(2, int((LAYOUT_WIDTH - 120) * width / 95))
    if span <= 12:
        return {"dtick": DAY_MS, "tickformat": "%d %b %Y"}
    if span / 7 <= most:
        return {"dtick": 7 * DAY_MS, "tickformat": "%d %b %Y"}
    for months in (1, 2, 3, 6):
        if span / (30.4 * months) <= most:
            return {"dtick": f"M{months}", "tickformat": "%b %Y"}
    years = 1
    while span / (365.25 * years) > most:
        years *= 2
    return {"dtick": f"M{12 * years}", "tickformat": "%Y"}


def _extent(panel: Panel, which: str):
    """(min, max) of the panel's data along x or y (numbers or dates), None if none."""
    vals = []
    for t in panel.traces:
        cand = [t.x] if which == "x" else [t.y, t.y0]
        if which == "y" and t.err is not None:
            cand += list(t.err)
        if which == "x" and t.xerr is not None:
            cand += list(t.xerr)
        for a in cand:
            if a is None:
                continue
            arr = np.asarray(a)
            if arr.dtype.kind == "M":
                arr = arr.astype("datetime64[D]")
                if arr.size:
                    vals.append((arr.min(), arr.max()))
            elif arr.dtype.kind in "iuf" and arr.size:
                f = arr.astype(np.float64)
                f = f[np.isfinite(f)]
                if f.size:
                    vals.append((f.min(), f.max()))
    refs = panel.hlines if which == "y" else panel.vlines
    for r in refs:
        v = r.value
        vals.append((v, v))
    if not vals:
        return None
    return min(v[0] for v in vals), max(v[1] for v in vals)


def _axis(ax, panel: Panel, which: str, show_labels: bool, dom, anchor: str,
          matches: str | None) -> dict:
    label = ax.label if show_labels else ""
    if label and which == "x":   # wrap to the panel's width
        label = "<br>".join(_esc(x) for x in _wrap(label, max(30, int(LAYOUT_WIDTH * (
            dom[1] - dom[0]) / 7.0))))
    elif label:
        label = _esc(label)
    a = {"domain": list(dom), "anchor": anchor, "automargin": True, "zeroline": False,
         "showline": True, "linecolor": "#bdbdbd", "ticks": "outside", "tickcolor": "#bdbdbd",
         "gridcolor": "#eeeeee", "title": {"text": label, "font": {"size": 12}}}
    if matches:
        a["matches"] = matches
    if not show_labels:
        a["showticklabels"] = False
    ext = _extent(panel, which)
    if ax.kind == "date":
        a["type"] = "date"
        a["hoverformat"] = "%d %b %Y"
        a["tickangle"] = 0
        lo, hi = ax.range if ax.range else (ext if ext else (None, None))
        if lo is not None:
            a.update(_date_ticks(lo, hi, dom[1] - dom[0] if which == "x" else 1.0))
        if ax.range:
            a["range"] = [_date_str(ax.range[0]), _date_str(ax.range[1])]
    elif ax.kind == "category" and ax.categories is not None:
        # Rows as numbers 0..n-1 with their labels as ticks: plotly.js 2.6 heatmaps fail on a
        # category axis whose categoryarray lists rows a trace does not have.
        n = len(ax.categories)
        a.update(type="linear", tickmode="array", tickvals=list(range(n)),
                 ticktext=["<br>".join(_esc(x) for x in _wrap(str(c), 30))
                           for c in ax.categories], showgrid=False, zeroline=False, ticks="")
        a["range"] = [n - 0.5, -0.5] if which == "y" else [-0.5, n - 0.5]
    elif ax.kind == "category":
        a["type"] = "category"
        a["showgrid"] = False
    else:
        a["type"] = "linear"
        scale = MONEY if ax.fmt == "money" else 1.0
        rng = ax.range
        if rng:
            a["range"] = [rng[0] * scale, rng[1] * scale]
        if ax.fmt == "percent":
            lo, hi = rng if rng else (ext if ext else (0, 1))
            step = nice_step(100 * (float(hi) - float(lo)), 6)
            dec = max(0, -int(math.floor(math.log10(step)))) if step > 0 else 0
            a["tickformat"] = f".{dec}%"
            a["hoverformat"] = f".{dec + 1}%"
        elif ax.fmt == "money":
            a["tickprefix"] = "$"
            a["ticksuffix"] = "M"
            a["tickformat"] = ",~g"
        elif ax.fmt == "count":
            a["tickformat"] = ",d"
            lo, hi = rng if rng else (ext if ext else (0, 1))
            a["tick0"] = 0
            a["dtick"] = nice_step(float(hi) - float(lo), 6, integer=True)
        else:
            a["tickformat"] = ",~g"
        if ax.ticks is not None:
            a["tickmode"] = "array"
            a["tickvals"] = _num(np.asarray(ax.ticks, dtype=float) * scale, 6)
            a["ticktext"] = list(ax.ticklabels) if ax.ticklabels is not None else None
            a.pop("dtick", None)
    return a


# ------------------------------------------------------------------------------------------
# Traces

def _rows(values, categories):
    """Row labels as their indices in `categories` (category axes drawn as numbers)."""
    index = {c: i for i, c in enumerate(categories)}
    return np.array([index[str(v)] for v in values], dtype=np.float64)


def _trace_json(t: Trace, xr: str, yr: str, xfmt: str, yfmt: str, show_legend: bool,
                xext, ycats=None, xcats=None) -> list[dict]:
    if xcats is not None and t.x is not None:
        import dataclasses
        t = dataclasses.replace(t, x=_rows([str(v) for v in t.x], xcats))
    if ycats is not None and t.y is not None:
        import dataclasses
        labels = [str(v) for v in t.y]
        hover = t.hover
        if hover and len(set(labels)) == 1:   # the row's name, not its number
            hover = hover.replace("%{y}", _esc(labels[0]))
        t = dataclasses.replace(t, y=_rows(labels, ycats), hover=hover)
    base = {"xaxis": xr, "yaxis": yr, "name": t.name, "legendgroup": t.group or t.name,
            "showlegend": bool(t.name) and show_legend}
    if not t.visible:
        base["visible"] = "legendonly"
    label = t.name or ""
    hover = t.hover or default_hover(yfmt)
    tmpl = (f"{label}: {hover}" if label else hover) + "<extra></extra>"
    yd = _digits(t.y if t.y is not None else [], yfmt) if t.kind not in ("heat",) else 3
    x = _x_fields(t.x)
    if xfmt == "money" and "x" in x and t.x is not None and not _is_dates(t.x):
        x = {"x": _num(np.asarray(t.x, float) * MONEY, 4)}
    line = {"color": t.color, "width": t.width, "dash": DASH.get(t.dash, "solid")}
    if t.kind in ("line", "step"):
        out = dict(base, type="scatter", mode="lines", **x,
                   y=_num(_scale(t.y, yfmt), yd), line=dict(line, shape="hv" if t.kind == "step"
                                                            else "linear"),
                   hovertemplate=tmpl, opacity=t.opacity)
        return [out]
    if t.kind == "band":
        lo_lab, hi_lab = t.text if isinstance(t.text, tuple) else (None, None)
        low = dict(base, type="scatter", mode="lines", **x, y=_num(_scale(t.y0, yfmt), yd),
                   line={"width": 0, "color": t.color}, showlegend=False,
                   hoverinfo="skip" if lo_lab is None else None,
                   hovertemplate=None if lo_lab is None else
                   f"{lo_lab}: {hover}<extra></extra>")
        high = dict(base, type="scatter", mode="lines", **x, y=_num(_scale(t.y, yfmt), yd),
                    fill="tonexty", fillcolor=_rgba(t.color, t.opacity),
                    line={"width": 0, "color": t.color},
                    hoverinfo="skip" if hi_lab is None else None,
                    hovertemplate=None if hi_lab is None else
                    f"{hi_lab}: {hover}<extra></extra>")
        for d in (low, high):
            for k in [k for k, v in d.items() if v is None]:
                del d[k]
        return [low, high]
    if t.kind == "stack":
        return [dict(base, type="scatter", mode="lines", **x, y=_num(_scale(t.y, yfmt), yd),
                     stackgroup="stack", line={"width": 0.5, "color": t.color},
                     fillcolor=_rgba(t.color, t.opacity), hovertemplate=tmpl)]
    if t.kind == "bars":
        out = dict(base, type="bar", **x, y=_num(_scale(t.y, yfmt), yd),
                   marker={"color": t.color, "opacity": t.opacity, "line": {"width": 0}},
                   hovertemplate=tmpl if t.text is None else "%{text}<extra></extra>")
        if t.text is not None:
            out["text"] = list(t.text)
            out["textposition"] = "none"
        if t.width and t.width != 1.5:
            w = t.width * (DAY_MS if _is_dates(t.x) else 1.0)
            if xfmt == "money":
                w *= MONEY
            out["width"] = w
            if _is_dates(t.x):   # a day's bar covers the day, [d, d + 1)
                out["offset"] = 0
        return [out]
    if t.kind == "points":
        yv = np.asarray(t.y)
        yj = _num(_scale(yv, yfmt), 6) if yv.dtype.kind in "iuf" else [str(c) for c in yv]
        out = dict(base, type="scatter", mode="markers", **x, y=yj,
                   marker={"color": t.color, "opacity": t.opacity,
                           "size": _num(t.size, 1) if t.size is not None else 8,
                           "line": {"width": 0}})
        if t.text is not None:
            out["text"] = list(t.text)
            out["hovertemplate"] = "%{text}<extra></extra>"
        else:
            out["hovertemplate"] = tmpl
        for key, err, fmt, src in (("error_y", t.err, yfmt, t.y), ("error_x", t.xerr, xfmt, t.x)):
            if err is None:
                continue
            lo, hi = (np.asarray(e, np.float64) for e in err)
            v = np.asarray(src, np.float64)
            up, down = _scale(hi - v, fmt), _scale(v - lo, fmt)
            out[key] = {"type": "data", "symmetric": False, "array": _num(up, 6),
                        "arrayminus": _num(down, 6), "color": t.color, "thickness": 1.2,
                        "width": 3}
        return [out]
    if t.kind == "heat":
        z = np.asarray(t.z, dtype=np.float64)
        cs = t.colorscale or [[0.0, "rgba(255,255,255,0)"], [1.0, t.color]]
        if "x0" in x:   # a day's cell covers the day, [d, d + 1)
            x = dict(x, x0=x["x0"] + " 12:00")
        out = dict(base, type="heatmap", **x, z=_num(z, 4), colorscale=cs,
                   zmin=0.0 if t.zmin is None else t.zmin,
                   zmax=1.0 if t.zmax is None else t.zmax,
                   showscale=t.colorbar is not None, ygap=1, xgap=0,
                   hovertemplate=(t.hover or "%{y}: %{z}") + "<extra></extra>")
        out["showlegend"] = False
        ys = t.y
        if ys is not None:
            arr = np.asarray(ys)
            out["y"] = _num(arr, 6) if arr.dtype.kind in "iuf" else [str(v) for v in ys]
        if t.colorbar is not None:
            out["colorbar"] = {"title": {"text": t.colorbar, "side": "right"}, "thickness": 12,
                               "len": 0.9}
        if t.text is not None and not isinstance(t.text, tuple):
            out["text"] = [[_esc(str(c)).replace("\n", "<br>") for c in row] for row in t.text]
            out["hovertemplate"] = "%{text}<extra></extra>"
        return [out]
    raise ValueError(f"unknown trace kind {t.kind!r}")


def _wrap(text: str, width: int) -> list[str]:
    import textwrap
    return textwrap.wrap(text, width) or [""]


#: Pixels of a panel title line, of x tick labels, of an x axis title, of a legend row.
TITLE_PX, TICKS_PX, XLABEL_PX, LEGEND_PX = 17, 26, 20, 21
#: The width a figure is laid out for (the page's main column; plotly resizes to the window).
LAYOUT_WIDTH = 1000


def figure_dict(fig: Figure) -> dict:
    """The plotly.js {data, layout} of `fig`."""
    cells, nrows, weights = _grid(fig)
    hgap = 0.08 if fig.cols > 1 else 0.0
    # Panels beside others need room on their left for their own y tick labels (rows named
    # in words, on category axes).
    longest = max([len(line) for p, _, c in cells if c > 0 and p.y.kind == "category"
                   and p.y.categories for cat in p.y.categories
                   for line in _wrap(str(cat), 30)] or [0])
    if longest:
        hgap = max(hgap, (7.0 * longest + 24) / LAYOUT_WIDTH)
    width = (1.0 - hgap * (fig.cols - 1)) / fig.cols
    chars = max(28, int(LAYOUT_WIDTH * width / 7.4))
    titles = {id(p): _wrap(p.title, chars) if p.title else [] for p, _, _ in cells}
    n_legend = len({t.name for p in fig.panels for t in p.traces if t.name}) + len(
        {h.label for p in fig.panels for h in p.hlines}) + len(
        {s.label for p in fig.panels for s in p.spans})
    legend_rows = math.ceil(n_legend / 3) if n_legend else 0
    head, below = [], []
    for r in range(nrows):
        row = [p for p, rr, _ in cells if rr == r]
        lines = max(len(titles[id(p)]) for p in row)
        head.append(TITLE_PX * lines + (6 if lines else 2))
        shows = [(not fig.share_x) or p.xticks or r == nrows - 1 for p in row]
        has_label = any(p.x.label for p in row)
        below.append((TICKS_PX + (XLABEL_PX if has_label else 0) + 8) if any(shows) else 6)
    margin = {"l": 70, "r": 30, "t": 6,
              "b": below[-1] + (LEGEND_PX * legend_rows + 8 if legend_rows else 0)}
    H = max(120.0, fig.height - margin["t"] - margin["b"])
    fixed = sum(head) + sum(below[:-1])
    avail = max(40.0 * nrows, H - fixed)
    heights = [avail * w / sum(weights) for w in weights]
    layout = {"height": fig.height, "margin": margin, "font": {"family": FONT, "size": 12},
              "paper_bgcolor": "white", "plot_bgcolor": "white", "hovermode": fig.hovermode,
              "legend": {"orientation": "h", "yanchor": "top", "x": 0.0, "xanchor": "left",
                         "y": -(below[-1] + 2) / H, "font": {"size": 11},
                         "tracegroupgap": 4},
              "barmode": "overlay", "bargap": 0.05, "shapes": [], "annotations": [],
              "hoverlabel": {"namelength": -1}}
    data = []
    seen_legend = set()
    cursor = H
    row_top = []
    for r in range(nrows):
        cursor -= head[r]
        row_top.append(cursor)
        cursor -= heights[r] + below[r]
    for i, (p, r, c) in enumerate(cells):
        xk, yk, xr, yr = _axis_names(i)
        y1 = row_top[r] / H
        y0 = (row_top[r] - heights[r] * (p.weight / weights[r])) / H
        x0 = c * (width + hgap)
        x1 = x0 + width
        show_x = (not fig.share_x) or bool(p.xticks) or r == nrows - 1
        layout[xk] = _axis(p.x, p, "x", show_x, (x0, x1), yr,
                           "x" if fig.share_x and i > 0 else None)
        layout[yk] = _axis(p.y, p, "y", True, (max(0.0, y0), min(1.0, y1)), xr, None)
        if titles[id(p)]:
            layout["annotations"].append({
                "text": "<br>".join(f"<b>{_esc(t)}</b>" for t in titles[id(p)]),
                "xref": "paper", "yref": "paper", "x": x0, "y": y1, "xanchor": "left",
                "yanchor": "bottom", "align": "left", "showarrow": False,
                "font": {"size": 12.5}, "yshift": 3})
        xext = _extent(p, "x")
        for t in p.traces:
            key = t.name
            show = key not in seen_legend
            if t.name:
                seen_legend.add(key)
            ycats = p.y.categories if p.y.kind == "category" else None
            xcats = p.x.categories if p.x.kind == "category" else None
            data += _trace_json(t, xr, yr, p.x.fmt, p.y.fmt, show, xext, ycats, xcats)
            if t.kind == "heat" and t.cell_labels and t.text is not None:
                layout["annotations"] += _cell_labels(t, xr, yr, xcats, ycats)
        for h in p.hlines:
            key = ("h", h.label)
            lo, hi = (xext if xext is not None else (0, 1))
            xs = [_date_str(lo), _date_str(hi)] if isinstance(lo, np.datetime64) else \
                [float(lo) * (MONEY if p.x.fmt == "money" else 1),
                 float(hi) * (MONEY if p.x.fmt == "money" else 1)]
            v = float(h.value) * (MONEY if p.y.fmt == "money" else 1)
            data.append({"type": "scatter", "mode": "lines", "xaxis": xr, "yaxis": yr,
                         "x": xs, "y": [v, v], "name": h.label, "legendgroup": h.label,
                         "showlegend": key not in seen_legend,
                         "line": {"color": h.color, "dash": DASH.get(h.dash, "dash"),
                                  "width": h.width},
                         "hovertemplate": f"{h.label}: {default_hover(p.y.fmt)}<extra></extra>"})
            seen_legend.add(key)
        for j, v in enumerate(p.vlines):
            xv = _date_str(v.value) if isinstance(v.value, np.datetime64) else float(v.value)
            layout["shapes"].append({"type": "line", "xref": xr, "yref": f"{yr} domain",
                                     "x0": xv, "x1": xv, "y0": 0, "y1": 1,
                                     "line": {"color": v.color, "width": v.width,
                                              "dash": DASH.get(v.dash, "dash")}})
            if not v.label:
                continue
            right = _near_right(v.value, p.x.range or xext)
            layout["annotations"].append({
                "text": _esc(v.label), "xref": xr, "yref": f"{yr} domain", "x": xv,
                "y": 1.0 - 0.075 * (j % 3), "xanchor": "right" if right else "left",
                "yanchor": "top", "showarrow": False, "font": {"size": 10.5, "color": v.color},
                "bgcolor": "rgba(255,255,255,0.75)", "xshift": -3 if right else 3})
        for s in p.spans:
            x0s = _date_str(s.x0) if isinstance(s.x0, np.datetime64) else float(s.x0)
            x1s = _date_str(s.x1) if isinstance(s.x1, np.datetime64) else float(s.x1)
            layout["shapes"].append({"type": "rect", "xref": xr, "yref": f"{yr} domain",
                                     "x0": x0s, "x1": x1s, "y0": 0, "y1": 1, "layer": "below",
                                     "fillcolor": s.color, "opacity": s.opacity,
                                     "line": {"width": 0}})
            key = ("s", s.label)
            if key not in seen_legend:
                seen_legend.add(key)
                data.append({"type": "scatter", "mode": "markers", "xaxis": xr, "yaxis": yr,
                             "x": [None], "y": [None], "name": s.label, "showlegend": True,
                             "hoverinfo": "skip",
                             "marker": {"symbol": "square", "size": 12, "color": s.color,
                                        "opacity": min(1.0, s.opacity * 2.5)}})
        if p.note:
            layout["annotations"].append({
                "text": _esc(p.note), "xref": f"{xr} domain", "yref": f"{yr} domain",
                "x": 0.5, "y": 0.5, "showarrow": False, "font": {"size": 12, "color": "#555"}})
    return {"data": data, "layout": layout}


def _near_right(value, extent) -> bool:
    """True when `value` lies in the right 15% of `extent` (its label then goes left)."""
    if extent is None:
        return False
    lo, hi = extent
    try:
        if isinstance(value, np.datetime64) or isinstance(lo, np.datetime64):
            value, lo, hi = (np.datetime64(x, "D").astype(np.int64) for x in (value, lo, hi))
        return float(hi) > float(lo) and float(value) > float(lo) + 0.85 * (float(hi) - float(lo))
    except (TypeError, ValueError):
        return False


def _cell_labels(t: Trace, xr: str, yr: str, xcats=None, ycats=None) -> list[dict]:
    xs = list(_rows([str(v) for v in t.x], xcats)) if xcats is not None else list(t.x)
    ys = list(_rows([str(v) for v in t.y], ycats)) if ycats is not None else list(t.y)
    out = []
    z = np.asarray(t.z, dtype=float)
    zmin = 0.0 if t.zmin is None else t.zmin
    zmax = 1.0 if t.zmax is None else t.zmax
    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            v = z[i, j]
            dark = math.isfinite(v) and zmax > zmin and (v - zmin) / (zmax - zmin) > 0.6
            out.append({"text": _esc(str(t.text[i][j])).replace("\n", "<br>"), "xref": xr,
                        "yref": yr, "x": xv if not isinstance(xv, (np.floating, np.integer))
                        else float(xv), "y": yv if not isinstance(yv, (np.floating, np.integer))
                        else float(yv), "showarrow": False,
                        "font": {"size": 11, "color": "white" if dark else "#222"}})
    return out


def _esc(s: str) -> str:
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def figure_json(fig: Figure) -> str:
    """`figure_dict` as compact JSON, safe inside a <script> element."""
    return json.dumps(figure_dict(fig), separators=(",", ":"), allow_nan=False).replace(
        "</", "<\\/")
