"""The pure builders: figures, the national table's cells and colours, the AHSN page's sentences."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import figures
from dashboard.ahsn_story import change_words, trusts_to_go, what_changed
from dashboard.national_table import STYLES, change_style, change_text, small_denominator
from etl.programmes import TCAM
from etl.quarters import Quarter
from tests.conftest import ROOT


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("key", list(STYLES))
def test_every_cell_colour_meets_wcag_aa(key):
    assert contrast(STYLES[key]["text"], STYLES[key]["background"]) >= 4.5


def test_stylesheet_uses_the_same_colours():
    css = (ROOT / "assets" / "dashboard.css").read_text()
    for key, style in STYLES.items():
        assert f".c.{key} {{ background: {style['background']}; color: {style['text']};" in css


def test_change_cells_carry_a_symbol_and_a_sign():
    assert [change_text(v, TCAM) for v in (20, 36, -19, 0, 25, 26)] == [
        "▲ +20", "▲▲ +36", "▼ −19", "● 0", "▲ +25", "▲▲ +26"]
    assert [change_style(v, TCAM) for v in (0, 1, 25, 26, -1)] == [
        "no-change", "increase", "increase", "big-increase", "decrease"]


def test_small_denominator_is_fewer_than_four_trusts():
    assert [small_denominator(n, TCAM) for n in (1, 2, 3, 4, 7)] == [True, True, True, False, False]


def _rates():
    return pd.DataFrame({"quarter": ["Q1 2019/20", "Q3 2019/20"], "rate_percent": [20, 60],
                         "adopted_trusts": [1, 3], "counted_trusts": [5, 5]})


def valid(fig: dict) -> dict:
    """The dict is a figure plotly accepts (plotly raises on any unknown or mistyped property)."""
    go.Figure(fig)
    assert set(fig) == {"data", "layout"}
    return fig


def test_rate_chart_has_the_target_line_at_50_and_gaps_for_no_return():
    axis = ["Q1 2019/20", "Q2 2019/20", "Q3 2019/20"]
    fig = valid(figures.rate_over_time(_rates(), axis, 50))
    target, rate = fig["data"]
    assert target["name"] == "Target 50%" and target["y"] == [50, 50, 50] and target["line"]["dash"] == "dash"
    assert rate["y"] == [20, None, 60] and rate["connectgaps"] is False
    assert rate["customdata"] == ["1 of 5 acute trusts", "no return", "3 of 5 acute trusts"]
    assert fig["layout"]["annotations"][0]["text"] == "Target 50%"
    assert fig["layout"]["yaxis"]["range"] == [0, 105]
    assert fig["layout"]["xaxis"]["categoryarray"] == axis


def test_level_chart_stacks_one_bar_per_level():
    levels = pd.DataFrame({"quarter": ["Q1 2019/20"] * 5, "level": [1, 2, 3, 4, 5], "trusts": [1, 2, 0, 3, 1]})
    fig = valid(figures.level_counts(levels, {lv.number: lv.name for lv in TCAM.levels}, 4))
    assert [t["name"] for t in fig["data"]] == ["1 Not started", "2 Engaged", "3 Implementing",
                                               "4 Live (adopted)", "5 Embedded (adopted)"]
    assert [t["y"] for t in fig["data"]] == [[1], [2], [0], [3], [1]]
    patterns = [t["marker"]["pattern"] for t in fig["data"]]
    assert [p["shape"] for p in patterns] == ["/", "/", "/", "", ""]
    assert {p["fillmode"] for p in patterns} == {"overlay"}  # hatching over the colour, not replacing it
    assert fig["layout"]["barmode"] == "stack"


def test_referrals_chart_completion_rate_on_its_own_axis():
    rates = pd.DataFrame({"quarter": ["Q1 2019/20", "Q2 2019/20"], "referrals_made": [200, 0],
                          "referrals_completed": [101, 0]})
    fig = valid(figures.referrals(rates))
    made, completed, completion = fig["data"]
    assert made["y"] == [200, 0] and completed["y"] == [101, 0]
    assert completion["y"] == [51, None] and completion["yaxis"] == "y2"
    assert fig["layout"]["yaxis2"]["overlaying"] == "y" and fig["layout"]["yaxis2"]["side"] == "right"


def test_small_multiples_one_panel_per_ahsn_on_the_same_axes():
    rates = pd.DataFrame({"ahsn": ["B", "A"], "quarter": ["Q1 2019/20"] * 2, "rate_percent": [10, 90],
                          "adopted_trusts": [1, 9], "counted_trusts": [10, 10]})
    fig = valid(figures.small_multiples(rates, ["A", "B", "C", "D"], ["Q1 2019/20"], 50))
    layout = fig["layout"]
    assert [a["text"] for a in layout["annotations"]] == ["A", "B", "C", "D"]
    assert [t["y"] for t in fig["data"]] == [[50], [90], [50], [10], [50], [None], [50], [None]]
    assert [t["customdata"] for t in fig["data"][1::2]] == [
        ["9 of 10 acute trusts"], ["1 of 10 acute trusts"], ["no return"], ["no return"]]
    assert [(t["xaxis"], t["yaxis"]) for t in fig["data"][1::2]] == [("x", "y"), ("x2", "y2"), ("x3", "y3"),
                                                                     ("x4", "y4")]
    # Three panels a row: D starts the second row; every axis matches the first.
    assert layout["xaxis4"]["domain"] == layout["xaxis"]["domain"]
    assert layout["yaxis4"]["domain"][1] < layout["yaxis"]["domain"][0]
    assert layout["xaxis2"]["matches"] == "x" and layout["yaxis3"]["matches"] == "y"
    # Tick labels on the lowest panel of each column (A has D below it) and the left of each row.
    assert [layout[k]["showticklabels"] for k in ("xaxis", "xaxis2", "xaxis3", "xaxis4")] == [
        False, True, True, True]
    assert [layout[k]["showticklabels"] for k in ("yaxis", "yaxis2", "yaxis3", "yaxis4")] == [
        True, False, False, True]


def test_small_multiples_hide_tick_labels_above_the_bottom_row():
    fig = figures.small_multiples(pd.DataFrame(columns=["ahsn", "quarter", "rate_percent", "adopted_trusts",
                                                        "counted_trusts"]), list("ABCDEF"), ["Q1 2019/20"], 50)
    assert [fig["layout"][f"xaxis{n}"]["showticklabels"] for n in ("", 2, 3, 4, 5, 6)] == [
        False, False, False, True, True, True]


def test_at_target_and_referrals_by_ahsn_show_no_return_as_no_bar():
    counts = pd.DataFrame({"quarter": ["Q1 2019/20"], "at_target": [7], "returned": [15]})
    assert valid(figures.at_target(counts, 50))["data"][0]["text"] == ["7 of 15"]
    frame = pd.DataFrame({"ahsn": ["A", "B"], "referrals_made": [120, None], "referrals_completed": [80, None]})
    made, completed = valid(figures.referrals_by_ahsn(frame))["data"]
    assert made["y"] == ["B", "A"] and made["x"] == [None, 120] and completed["x"] == [None, 80]


def test_trusts_to_go_uses_the_rounded_rate():
    assert trusts_to_go(3, 9, 50) == 2  # 4/9 = 44%, 5/9 = 56%
    assert trusts_to_go(0, 7, 50) == 4  # 3/7 = 43%, 4/7 = 57%
    assert trusts_to_go(1, 2, 50) == 0
    assert trusts_to_go(0, 8, 50) == 4


def test_change_words():
    assert change_words(44, 33, "Q1 2020/21") == "up 11 percentage points since Q1 2020/21 (33%)"
    assert change_words(44, 45, "Q1 2020/21") == "down 1 percentage point since Q1 2020/21 (45%)"
    assert change_words(44, None, "Q2 2019/20") == "no return to compare with Q2 2019/20"


def test_what_changed_names_trusts_that_moved_new_and_missing():
    trusts = pd.DataFrame({"trust_code": ["AAA", "BBB", "CCC"], "trust_name": ["Alpha", "Beta", "Gamma"],
                           "adoption_level": [4, 2, 1], "previous_level": [3, 2, None]})
    missing = pd.DataFrame({"trust_code": ["DDD"], "trust_name": ["Delta"], "adoption_level": [2]})
    q = Quarter.parse("Q2 2020/21")
    assert what_changed(trusts, missing, ["a warning"], TCAM, q, True) == [
        "Alpha (AAA) moved up from level 3 Implementing to 4 Live: now counted as adopted.",
        "Gamma (CCC) is new in this return, at level 1 Not started.",
        "Delta (DDD) was in the Q1 2020/21 return but not in Q2 2020/21.",
        "Warning kept with the return: a warning",
    ]
    assert what_changed(trusts, missing, [], TCAM, q, False) == [
        "There is no return for Q1 2020/21 to compare Q2 2020/21 with."]
