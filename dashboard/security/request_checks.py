"""Crafted requests get a 400 or 404 saying what is wrong, never a 500 or a traceback.

The dashboard's pages only ever send Dash callback requests of the shapes their components
make. Anything else (a hand-made body, a value of the wrong kind, a callback that does not
exist or runs in the browser) is refused here, before Dash or a page callback reads it:
- the body is a JSON object naming a server callback, with exactly the inputs and state
  that callback declares;
- every value is JSON a component can send: text, a number, true/false, null or a flat list
  of those (a dcc.Store's `data` may hold anything); text is at most MAX_TEXT characters
  (an upload's `contents` is bounded by the request size instead);
- properties whose kind is fixed by their component are checked: a URL's `pathname` is a
  local path, `search`, `hash`, `href`, an upload's `contents` and `filename` are text,
  `n_clicks` and `n_intervals` whole numbers;
- a callback may say what it accepts with type annotations (`quarter: str | None`,
  `chosen: list[str] | None`); values of another kind are refused.
Quarters a user cannot have chosen (`Q5 2019/20`) are refused wherever they are parsed
(QuarterError), and asset paths Dash does not serve are a 404 (dashboard/endpoints/refusals.py).
"""

from __future__ import annotations

import functools
import inspect
import math
import types
import typing
from collections.abc import Callable

from dash import Dash
from flask import Flask, jsonify, request

CALLBACK_PATH = "/_dash-update-component"
MAX_TEXT = 4000
MAX_LIST = 200
# properties whose kind does not depend on the page: None, or ...
TEXT_PROPERTIES = {"search", "hash", "href", "contents", "filename"}
WHOLE_NUMBER_PROPERTIES = {"n_clicks", "n_clicks_timestamp", "n_intervals"}
ANY_JSON_PROPERTIES = {"data"}  # dcc.Store


class NotFromThePages(ValueError):
    """The callback request is not one the dashboard's pages make; the message says why."""


def register(app: Dash) -> None:
    server: Flask = app.server

    @server.before_request
    def check_callback_request():
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        try:
            try:
                body = request.get_json(silent=True)
            except RecursionError:  # [[[[...]]]] nested deeper than the JSON parser goes
                raise NotFromThePages("the body is nested too deeply") from None
            check_callback_body(body, app.callback_map)
        except NotFromThePages as err:
            return jsonify(error=f"This is not a request the dashboard's pages make: {err}."), 400
        return None


def check_callback_body(body: object, callback_map: dict) -> None:
    """Raise NotFromThePages unless `body` is a callback request the pages could make."""
    if not isinstance(body, dict):
        raise NotFromThePages("the body is not a JSON object")
    output = body.get("output")
    spec = callback_map.get(output) if isinstance(output, str) else None
    if spec is None or "callback" not in spec:
        raise NotFromThePages("it names no callback the server runs")
    _check_outputs(body.get("outputs"), spec)
    values = []
    for part in ("inputs", "state"):
        sent = body.get(part, [])
        declared = spec.get(part, [])
        if not isinstance(sent, list) or len(sent) != len(declared):
            raise NotFromThePages(f"its {part} are not the callback's")
        for item, wanted in zip(sent, declared):
            if not isinstance(item, dict) or not _same_component(item, wanted):
                raise NotFromThePages(f"its {part} are not the callback's")
            value = item.get("value")
            _check_value(wanted["property"], value)
            values.append(value)
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or len(changed) > MAX_LIST or not all(isinstance(c, str) for c in changed):
        raise NotFromThePages("its changedPropIds are not a list of names")
    _check_annotations(spec, values)


def _same_component(item: dict, wanted: dict) -> bool:
    if _is_pattern(wanted["id"]):
        return isinstance(item.get("property"), str)  # wildcards: Dash matches them itself
    return item.get("id") == wanted["id"] and item.get("property") == wanted["property"]


def _is_pattern(component_id: object) -> bool:
    return isinstance(component_id, dict) or (isinstance(component_id, str) and component_id.startswith("{"))


def _check_outputs(outputs: object, spec: dict) -> None:
    declared = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    sent = outputs if isinstance(outputs, list) else [outputs]
    if len(sent) != len(declared) or isinstance(outputs, list) != isinstance(spec["output"], list):
        raise NotFromThePages("its outputs are not the callback's")
    for item, wanted in zip(sent, declared):
        if not isinstance(item, dict) or not isinstance(item.get("property"), str):
            raise NotFromThePages("its outputs are not the callback's")
        if not _is_pattern(wanted.component_id) and (
            item.get("id") != wanted.component_id or item["property"] != wanted.component_property
        ):
            raise NotFromThePages("its outputs are not the callback's")


def _check_value(prop: str, value: object) -> None:
    if prop == "pathname":  # a dcc.Location always has one
        if not isinstance(value, str) or not value.startswith("/") or len(value) > MAX_TEXT:
            raise NotFromThePages("a pathname is a local path, starting with /")
        return
    if value is None or prop in ANY_JSON_PROPERTIES:
        return
    if prop in TEXT_PROPERTIES:
        if not isinstance(value, str) or (prop != "contents" and len(value) > MAX_TEXT):
            raise NotFromThePages(f"{prop} is text")
        return
    if prop in WHOLE_NUMBER_PROPERTIES:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**53:
            raise NotFromThePages(f"{prop} is a whole number")
        return
    items = value if isinstance(value, list) else [value]
    if isinstance(value, list) and len(value) > MAX_LIST:
        raise NotFromThePages(f"{prop} has more than {MAX_LIST} items")
    for item in items:
        if not _is_scalar(item):
            raise NotFromThePages(f"{prop} holds something no component sends")


def _is_scalar(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, str):
        return len(value) <= MAX_TEXT
    if isinstance(value, int):
        return abs(value) < 2**53
    if isinstance(value, float):
        return math.isfinite(value)
    return False


# ---- what a callback says it accepts -------------------------------------------------------


def _check_annotations(spec: dict, values: list) -> None:
    function = inspect.unwrap(spec["callback"])
    hints = _hints(function)
    if not hints:
        return
    names = _parameter_names(function, spec, len(values))
    for name, value in zip(names, values):
        if name in hints and not _matches(value, hints[name]):
            raise NotFromThePages(f"{name} is not {_describe(hints[name])}")


@functools.cache  # resolved once per callback, not on every request
def _hints(function: Callable) -> dict:
    try:
        return typing.get_type_hints(function)
    except Exception:  # an annotation that cannot be resolved checks nothing
        return {}


def _parameter_names(function: Callable, spec: dict, count: int) -> list[str]:
    indices = spec.get("inputs_state_indices")
    if isinstance(indices, dict):  # keyword arguments: name -> position
        by_position = {i: n for n, i in indices.items() if isinstance(i, int)}
        return [by_position.get(i, "") for i in range(count)]
    return list(inspect.signature(function).parameters)[:count]


def _matches(value: object, hint: object) -> bool:
    if hint is typing.Any:
        return True
    if hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, h) for h in typing.get_args(hint))
    if origin is list:
        (item_hint,) = typing.get_args(hint) or (typing.Any,)
        return isinstance(value, list) and all(_matches(v, item_hint) for v in value)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True  # a kind this check does not know: left to the callback


def _describe(hint: object) -> str:
    return str(hint).replace("typing.", "").replace("NoneType", "None")
