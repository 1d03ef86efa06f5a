"""First paint without waiting for JavaScript: the page, as static HTML, in the first response.

Dash sends an empty page and builds it in the browser once its bundles have loaded and a
callback has answered. `install(app)` makes the first response of every page carry the
page's layout rendered on the server (the shell and the page, built by the same layout
functions Dash calls, from the same URL), so the national table and each page's headline
are readable at once. Dash's own root is laid out hidden beside it; assets/prerender.js
swaps the two in one frame once Dash has drawn the same page (its elements and charts), so
nothing moves. Charts, which need JavaScript, are boxes of their final height until then.

`to_html` renders Dash html components as HTML (every text and attribute escaped); of the
dcc components, a Graph is a box of the figure's height, a Dropdown shows its chosen values,
and the invisible ones (Location, Store, Download) render nothing.
"""

from __future__ import annotations

import html as escape
import json
import re
from collections.abc import Callable

from dash import Dash
from dash._pages import _parse_query_string, _path_to_page
from dash.development.base_component import Component
from flask import g, request, session

from dashboard.presentation import shell
from dashboard.presentation.shared_pages import EXTENSION, SharedPages, key_for

PAGE_CONTENT = "_pages_content"  # where Dash's pages router puts a page's layout
VOID = {"br", "img", "input", "hr", "meta", "col", "wbr"}
RENAMED = {
    "className": "class",
    "htmlFor": "for",
    "tabIndex": "tabindex",
    "colSpan": "colspan",
    "rowSpan": "rowspan",
    "autoComplete": "autocomplete",
    "maxLength": "maxlength",
}
SKIPPED = {"children", "n_clicks", "n_clicks_timestamp", "loading_state", "key", "disable_n_clicks", "setProps"}
WILDCARDS = ("data-", "aria-")
BOOLEAN = {"hidden", "disabled", "required", "checked", "multiple", "readOnly"}
# Dash's scripts (about 1.2 MB) wait in an inert <template> until the browser has painted the
# page the server sent; LOADER then adds them, in order, as Dash's own index would have run them.
# At the end of the body, as Dash puts them, they were fetched and run before the first frame.
INDEX = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            <template id="dash-scripts">{%scripts%}{%renderer%}</template>
            <script>{%loader%}</script>
        </footer>
    </body>
</html>"""
# After the first paint (the browser's own First Contentful Paint, reported once the frame is
# on screen; in a browser without paint timing, two frames; at once in a tab not shown, which
# has no frames) each script of the template is added as a new element, in its order: the
# external ones at once with async=false, fetched together and run in order; an inline one once
# the script before it has run. On a page with charts, plotly (the address dash-renderer gives
# dcc.Graph, window._dashPlotlyJSURL) is preloaded at low priority with them, rather than asked
# for only once Dash has drawn a Graph. Meanwhile the controls only Dash can work (a dropdown, a
# file drop zone) are marked as loading (assets/dashboard.css shows it).
LOADER = """(function () {
  var template = document.getElementById("dash-scripts"), started = false;
  document.querySelectorAll("#prerendered .prerender-control").forEach(function (c) { c.setAttribute("aria-busy", "true"); });
  function add(list, i) {
    var last = null;
    for (; i < list.length; i++) {
      var old = list[i], el = document.createElement("script");
      for (var a = 0; a < old.attributes.length; a++) el.setAttribute(old.attributes[a].name, old.attributes[a].value);
      if (old.hasAttribute("src")) { el.async = false; last = el; }
      else if (last) { var rest = i; var go = function () { add(list, rest); };
        last.addEventListener("load", go); last.addEventListener("error", go); return; }
      else el.text = old.text;
      template.parentNode.appendChild(el);
    }
  }
  function start() {
    if (started || !template) return;
    started = true;
    add(template.content.querySelectorAll("script"), 0);
    var config = JSON.parse((document.getElementById("_dash-config") || {}).textContent || "{}");
    if (config.serve_locally && document.querySelector("#prerendered .prerender-graph")) {
      // plotly (4.8 MB) is fetched by the Graph once Dash has drawn it: asked for now, behind Dash's own
      var plotly = document.createElement("link");
      plotly.rel = "preload"; plotly.as = "script"; plotly.fetchPriority = "low";
      plotly.href = config.requests_pathname_prefix + "_dash-component-suites/plotly/package_data/plotly.min.js";
      document.head.appendChild(plotly);
    }
  }
  if (document.visibilityState === "hidden") return start();
  var timed = window.PerformanceObserver && (PerformanceObserver.supportedEntryTypes || []).indexOf("paint") >= 0;
  if (timed) new PerformanceObserver(function (list, observer) {
    if (list.getEntriesByName("first-contentful-paint").length) { observer.disconnect(); start(); }
  }).observe({type: "paint", buffered: true});
  // without paint timing, two frames; with it, a page that never paints content still gets Dash
  requestAnimationFrame(function () { requestAnimationFrame(function () { setTimeout(start, timed ? 3000 : 0); }); });
})();"""


class Rendered:
    """HTML being written, and the ids and charts Dash must have drawn before the swap."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.ids: list[str] = []
        self.graphs: list[str] = []


def _style(style: dict) -> str:
    def kebab(name: str) -> str:
        return "".join("-" + c.lower() if c.isupper() else c for c in name)

    return "; ".join(f"{kebab(k)}: {v}" for k, v in style.items() if v is not None)


def _attributes(props: dict, out: Rendered) -> str:
    parts = []
    for name, value in props.items():
        if name in SKIPPED or value is None or value is False:
            continue
        if name == "id":
            out.ids.append(str(value))
        if name in BOOLEAN or value is True:
            if value:
                parts.append(RENAMED.get(name, name).lower())
            continue
        if name == "style":
            value = _style(value)
        parts.append(f'{RENAMED.get(name, name)}="{escape.escape(str(value), quote=True)}"')
    return (" " + " ".join(parts)) if parts else ""


def _props(node: Component) -> dict:
    """The props set on `node`, as node.to_plotly_json()["props"] has them (its named props, then
    data-* and aria-*) at a fraction of the cost: a page's table is thousands of components."""
    given = node.__dict__
    props = {name: given[name] for name in node._prop_names if name in given}
    props.update((name, value) for name, value in given.items() if name.startswith(WILDCARDS))
    return props


def _render(node, out: Rendered, page: Callable[[], object] | None) -> None:
    if node is None:
        return
    if isinstance(node, list | tuple):
        for child in node:
            _render(child, out, page)
        return
    if not isinstance(node, Component):
        out.parts.append(escape.escape(str(node), quote=False))
        return
    props = _props(node)
    if node._namespace == "dash_html_components":
        tag = node._type.lower()
        if "needs-script" in (props.get("className") or "").split():
            props = {**props, "disabled": True}  # works only once Dash has drawn the page: says so meanwhile
        children = page() if (page is not None and props.get("id") == PAGE_CONTENT) else props.get("children")
        out.parts.append(f"<{tag}{_attributes(props, out)}>")
        if tag not in VOID:
            _render(children, out, page)
            out.parts.append(f"</{tag}>")
        return
    _render_core(node._type, props, out, page)


def _render_core(kind: str, props: dict, out: Rendered, page) -> None:
    """dcc components, as they look before their JavaScript runs (no ids: Dash's own have them)."""
    if kind == "Graph":
        height = ((props.get("figure") or {}).get("layout") or {}).get("height") or 450
        out.graphs.append(str(props["id"]))
        out.parts.append(
            f'<div class="dash-graph prerender-graph {escape.escape(props.get("className") or "")}" '
            f'style="height: {int(height)}px"></div>'
        )
    elif kind == "Dropdown":
        out.ids.append(str(props["id"]))  # drawn lazily by Dash: the swap waits for it
        value = props.get("value")
        values = value if isinstance(value, list) else ([] if value is None else [value])
        chips = "".join(f'<span class="prerender-chip">{escape.escape(str(v))}</span>' for v in values)
        out.parts.append(
            f'<div class="prerender-dropdown prerender-control {escape.escape(props.get("className") or "")}">'
            f"{chips}</div>"
        )
    elif kind == "Input":
        kept = {k: props.get(k) for k in ("type", "name", "value", "placeholder")}
        out.parts.append(f"<input{_attributes(kept, Rendered())}>")
    elif kind == "Checklist":  # the boxes as they will be, inert until Dash has drawn them
        out.ids.append(str(props["id"]))
        chosen = set(props.get("value") or [])
        label_class = escape.escape(props.get("labelClassName") or "")
        out.parts.append(f'<div class="prerender-control {escape.escape(props.get("className") or "")}">')
        for option in props.get("options") or []:
            ticked = " checked" if option["value"] in chosen else ""
            out.parts.append(
                f'<label class="{label_class}"><input type="checkbox" disabled{ticked}>'
                f"{escape.escape(str(option['label']), quote=False)}</label>"
            )
        out.parts.append("</div>")
    elif kind in ("Location", "Store", "Download", "Interval"):
        return
    elif kind == "Upload":  # a drop zone that works once Dash has drawn it: says so meanwhile (LOADER)
        out.parts.append(f'<div class="prerender-control {escape.escape(props.get("className") or "")}">')
        _render(props.get("children"), out, page)
        out.parts.append("</div>")
    else:  # Loading and the like: their children, as a plain box
        out.parts.append(f'<div class="{escape.escape(props.get("className") or "")}">')
        _render(props.get("children"), out, page)
        out.parts.append("</div>")


def to_html(component, page: Callable[[], object] | None = None) -> Rendered:
    """`component` as HTML; `page()` gives the children of Dash's page container, if any."""
    out = Rendered()
    _render(component, out, page)
    return out


def page_for(path: str, search: str) -> tuple[dict, Callable[[], object]] | None:
    """The registered page at `path` and a function laying it out for the query, as Dash's
    pages router does; None for an address no page answers."""
    found, variables = _path_to_page(path.strip("/"))
    if not found:
        return None
    query = _parse_query_string(search)
    layout = found["layout"]
    return found, (lambda: layout(**{**(variables or {}), **query}) if callable(layout) else layout)


def page_title(found: dict, path: str) -> str:
    title = found.get("title")
    if callable(title):
        _, variables = _path_to_page(path.strip("/"))
        return title(**(variables or {}))
    return str(title)


def prerendered(app_title: str) -> tuple[str, str]:
    """(the page's title, the HTML shown until Dash has drawn the page) for this request."""
    search = request.query_string.decode("utf-8", "replace")
    found = page_for(request.path, "?" + search if search else "")
    if found is None:
        return app_title, ""
    page, layout = found
    rendered = to_html(shell.layout(first_paint=True), layout)
    # Dash's shell fills the status line by a callback: the swap waits for it as well
    wait = {
        "ids": [i for i in rendered.ids if i not in rendered.graphs],
        "graphs": rendered.graphs,
        "filled": ["shell-status"],
    }
    return (
        page_title(page, request.path),
        (
            f"<div id=\"prerendered\" data-wait='{escape.escape(json.dumps(wait), quote=True)}'>"
            + "".join(rendered.parts)
            + "</div>"
        ),
    )


def text_of(component) -> str:
    """What `component` reads as, without markup: a CSS string shows tags literally."""
    return escape.unescape(re.sub(r"<[^>]*>", "", "".join(to_html(component).parts)))


def fill(template: str, parts: dict[str, str]) -> str:
    """Each {%name%} of the template replaced by its part, in one pass: a page whose own text
    says "{%renderer%}" keeps saying it (Dash's interpolate_str replaces inside the parts too)."""
    return re.sub(r"\{%(\w+)%\}", lambda m: parts.get(m.group(1), m.group(0)), template)


def install(app: Dash, shared_by: Callable[[], object] | None = None) -> SharedPages:
    """Every page's first response carries the page as HTML, in a document with lang="en".
    `shared_by()` names who may share a rendered page (None: this request's page is its own);
    such pages are rendered once and kept in the returned SharedPages (shared_pages.py)."""
    app.index_string = INDEX
    shared = SharedPages()
    app.server.extensions[EXTENSION] = shared

    def first_paint() -> tuple[str, str]:
        key = key_for(
            shared_by, request.base_url, request.query_string
        )  # with the programme's prefix if shared_by else None
        kept = shared.get(key) if key is not None else None
        if kept is not None:
            return kept
        page = prerendered(app.title)
        if key is not None and page[1] and not session.modified:
            shared.put(key, page)
        return page

    def interpolate_index(**parts) -> str:
        title, static = first_paint()
        index = app.index_string
        if static:
            g.prerendered_page = True  # for private(), without reading the (maybe compressed) body
            # printing works before any script has run: the stamp is in the page margin's CSS already
            stamp = text_of(shell.print_stamp(request.url))
            style = escape.escape("--print-stamp: " + json.dumps(stamp, ensure_ascii=False), quote=True)
            index = index.replace('<html lang="en">', f'<html lang="en" style="{style}">', 1)
            parts["title"] = escape.escape(title)
            parts["app_entry"] = static + parts["app_entry"].replace(
                'id="react-entry-point"', 'id="react-entry-point" class="dash-pending"'
            )
        return fill(index, {**parts, "loader": LOADER})

    app.interpolate_index = interpolate_index

    @app.server.after_request
    def private(response):
        """A page's HTML now holds the page itself, signed-in name and all: no shared cache keeps it."""
        if g.pop("prerendered_page", False):
            response.headers["Cache-Control"] = "private, no-cache"
        return response

    return shared
