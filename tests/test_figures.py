"""The pure builders: figures, the national table's cells and colours, the AHSN page's sentences."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.presentation import figures
from dashboard.presentation.ahsn_story import change_words, trusts_to_go, what_changed
from dashboard.presentation.national_table import STYLES, change_style, change_text, small_denominator
from etl.programmes import TCAM
from etl.quarters import Quarter
from tests.conftest import ROOT


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
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
        "▲ +20",
        "▲▲ +36",
        "▼ −19",
        "● 0",
        "▲ +25",
        "▲▲ +26",
    ]
    assert [change_style(v, TCAM) for v in (0, 1, 25, 26, -1)] == [
        "no-change",
        "increase",
        "increase",
        "big-increase",
        "decrease",
    ]


def test_small_denominator_is_fewer_than_four_trusts():
    assert [small_denominator(n, TCAM) for n in (1, 2, 3, 4, 7)] == [True, True, True, False, False]


def _rates():
    return pd.DataFrame(
        {
            "quarter": ["Q1 2019/20", "Q3 2019/20"],
            "rate_percent": [20, 60],
            "adopted_trusts": [1, 3],
            "counted_trusts": [5, 5],
        }
    )


def valid(fig: dict) -> dict:
    """The dict is a figure plotly accepts (plotly raises on any unknown or mistyped property)."""
    go.Figure(fig)
    assert set(fig) == {"data", "layout"}
    return fig


def test_rate_chart_has_the_target_line_at_50_and_gaps_for_no_return():
    axis = ["Q1 2019/20", "Q2 2019/20", "Q3 2019/20"]
    fig = valid(figures.rate_over_time(_rates(), axis, 50, programme=TCAM))
    target, rate = fig["data"]
    assert rate["name"] == "Adoption rate"
    assert target["name"] == "Target 50%" and target["y"] == [50, 50, 50] and target["line"]["dash"] == "dash"
    assert rate["y"] == [20, None, 60] and rate["connectgaps"] is False
    assert rate["customdata"] == ["1 of 5 acute trusts", "no return", "3 of 5 acute trusts"]
    assert fig["layout"]["annotations"][0]["text"] == "Target 50%"
    assert fig["layout"]["yaxis"]["range"] == [0, 105]
    assert fig["layout"]["xaxis"]["categoryarray"] == axis


def test_rate_chart_draws_england_as_a_second_line_told_apart_without_colour():
    axis = ["Q1 2019/20", "Q2 2019/20", "Q3 2019/20"]
    england = pd.DataFrame(
        {"quarter": axis, "rate_percent": [30, 35, 40], "adopted_trusts": [30, 35, 40], "counted_trusts": [100] * 3}
    )
    fig = valid(figures.rate_over_time(_rates(), axis, 50, england, "Wessex", programme=TCAM))
    target, whole, rate = fig["data"]
    assert (whole["name"], whole["y"], whole["line"]["dash"], whole["marker"]["symbol"]) == (
        "England",
        [30, 35, 40],
        "dot",
        "square",
    )
    assert rate["name"] == "Wessex" and "dash" not in rate["line"]
    assert whole["customdata"][0] == "30 of 100 acute trusts"


def test_level_chart_stacks_one_bar_per_level():
    levels = pd.DataFrame({"quarter": ["Q1 2019/20"] * 5, "level": [1, 2, 3, 4, 5], "trusts": [1, 2, 0, 3, 1]})
    fig = valid(figures.level_counts(levels, {lv.number: lv.name for lv in TCAM.levels}, 4, programme=TCAM))
    assert [t["name"] for t in fig["data"]] == [
        "1 Not started",
        "2 Engaged",
        "3 Implementing",
        "4 Live (adopted)",
        "5 Embedded (adopted)",
    ]
    assert [t["y"] for t in fig["data"]] == [[1], [2], [0], [3], [1]]
    patterns = [t["marker"]["pattern"] for t in fig["data"]]
    assert [p["shape"] for p in patterns] == ["/", "/", "/", "", ""]
    assert {p["fillmode"] for p in patterns} == {"overlay"}  # hatching over the colour, not replacing it
    assert fig["layout"]["barmode"] == "stack"


def test_referrals_chart_completion_rate_on_its_own_axis():
    rates = pd.DataFrame(
        {"quarter": ["Q1 2019/20", "Q2 2019/20"], "referrals_made": [200, 0], "referrals_completed": [101, 0]}
    )
    fig = valid(figures.referrals(rates))
    made, completed, completion = fig["data"]
    assert made["y"] == [200, 0] and completed["y"] == [101, 0]
    assert completion["y"] == [51, None] and completion["yaxis"] == "y2"
    assert fig["layout"]["yaxis2"]["overlaying"] == "y" and fig["layout"]["yaxis2"]["side"] == "right"


def test_trend_is_one_small_chart_on_the_shared_axes_with_gaps_for_no_return():
    rates = pd.DataFrame(
        {
            "ahsn": ["A", "A"],
            "quarter": ["Q1 2019/20", "Q3 2019/20"],
            "rate_percent": [10, 90],
            "adopted_trusts": [1, 9],
            "counted_trusts": [10, 10],
        }
    )
    axis = ["Q1 2019/20", "Q2 2019/20", "Q3 2019/20"]
    fig = valid(figures.trend(rates, axis, 50, "A", programme=TCAM))
    target, rate = fig["data"]
    assert target["y"] == [50, 50, 50] and target["line"]["dash"] == "dash"
    assert rate["y"] == [10, None, 90] and rate["connectgaps"] is False
    assert rate["customdata"] == ["1 of 10 acute trusts", "no return", "9 of 10 acute trusts"]
    assert fig["layout"]["yaxis"]["range"] == [0, 105] and fig["layout"]["xaxis"]["categoryarray"] == axis
    # the title is the page's heading, never drawn inside the chart where it could overlap
    assert "annotations" not in fig["layout"] and fig["layout"]["showlegend"] is False
    empty = pd.DataFrame(columns=["quarter", "rate_percent", "adopted_trusts", "counted_trusts"])
    assert valid(figures.trend(empty, axis, 50, "B", programme=TCAM))["data"][1]["y"] == [None, None, None]


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


def test_what_changed_says_each_change_once_in_plain_words():
    trusts = pd.DataFrame(
        {
            "trust_code": ["AAA", "BBB", "CCC", "MMM"],
            "trust_name": ["Alpha", "Beta", "Gamma", "Mind"],
            "trust_type": ["acute", "acute", "acute", "mental_health"],
            "counted": [True, True, True, False],
            "adoption_level": [4, 2, 1, 4],
            "previous_level": [3, 2, None, 3],
        }
    )
    missing = pd.DataFrame({"trust_code": ["DDD"], "trust_name": ["Delta"], "adoption_level": [2]})
    q = Quarter.parse("Q2 2020/21")
    assert what_changed(trusts, missing, TCAM, q, True) == [
        "Alpha (AAA) moved up from level 3 Implementing to level 4 Live: it now counts as adopted.",
        "Gamma (CCC) is new in this return, at level 1 Not started.",
        "Mind (MMM), a mental health trust not counted toward the rate, moved up from level 3 Implementing "
        "to level 4 Live.",
        "Delta (DDD), at level 2 Engaged in Q1 2020/21, is not in the Q2 2020/21 return.",
    ]
    assert what_changed(trusts, missing, TCAM, q, False) == [
        "There is no return for Q1 2020/21 to compare Q2 2020/21 with."
    ]
