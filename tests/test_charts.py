"""Charts that don't mislead: notes on the series without stretching its axis, small multiples for channels
more than 10x apart, and the period the data starts in shown as partial instead of a value (figure objects)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.catalog import KPI_BY_ID
from ui import charts

NAN = float("nan")
NPS = KPI_BY_ID["serve.nps"]
WEEKS = [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]


def _nps() -> pd.DataFrame:
    return pd.DataFrame({"period_start": WEEKS, "value": [22.0, 48.0, NAN, 35.0], "reason": [None] * 4})


def _on_value_axis(fig) -> list[float]:
    """Every y value drawn against the value axis (traces on the overlay band are not)."""
    return [y for t in fig.data if (t.yaxis or "y") == "y" for y in t.y if y is not None and y == y]


def test_note_markers_sit_on_the_series_and_keep_its_axis():
    """NPS runs 22-48; a note in W46 (value 48) sits at 48; a note in W47 (no value) sits on the top band."""
    fig = charts.trend_chart(NPS, _nps())
    notes = pd.DataFrame({"week_start": [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 9)],
                          "text": ["Courier delays", "Backlog <b>cleared</b>", "Survey changed"]})
    charts.add_notes(fig, notes, NPS)
    on_series, on_band = [t for t in fig.data if t.name == "Notes"]
    assert list(on_series.y) == [48.0] and on_series.customdata == ("Courier delays<br>Survey changed",)
    assert on_band.yaxis == "y9" and list(on_band.y) == [charts.BAND_Y]
    assert on_band.customdata == ("Backlog &lt;b&gt;cleared&lt;/b&gt;",)
    assert min(_on_value_axis(fig)) == 22.0 and max(_on_value_axis(fig)) == 48.0  # no marker at 0
    band = fig.layout.yaxis9
    assert band.overlaying == "y" and tuple(band.range) == (0, 1) and band.visible is False
    assert fig.layout.yaxis.range is None and fig.layout.yaxis.rangemode is None  # autorange over the data


def test_note_in_a_longer_period_sits_on_that_periods_value():
    months = pd.DataFrame({"period_start": [date(2026, 10, 1), date(2026, 11, 1)], "value": [30.0, 40.0]})
    fig = charts.add_notes(charts.trend_chart(NPS, months), pd.DataFrame(
        {"week_start": [date(2026, 10, 19)], "text": ["x"]}), NPS)
    assert list(fig.data[-1].y) == [30.0]  # week of 19 Oct: October's value


def test_no_notes_no_trace():
    fig = charts.trend_chart(NPS, _nps())
    assert len(charts.add_notes(fig, pd.DataFrame(columns=["week_start", "text"]), NPS).data) == 1


def test_period_the_data_starts_in_is_not_drawn_as_a_value():
    """A monthly revenue trend whose first month holds two days ($9,000) before $130,000 and $140,000 months."""
    revenue = KPI_BY_ID["sell.revenue"]
    frame = pd.DataFrame({
        "period_start": [date(2024, 10, 1), date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1)],
        "value": [NAN, 9000.0, 130000.0, 140000.0],
        "reason": [None, "data starts 2024-11-29 (28 of 30 days missing)", None, None],
        "complete_through": [None] * 4, "starts_late": [None, date(2024, 11, 29), None, None]})
    fig = charts.trend_chart(revenue, frame)
    series = fig.data[0]
    assert pd.isna(series.y[1]) and list(series.y[2:]) == [130000.0, 140000.0]  # a gap, not a $9,000 fall
    assert min(_on_value_axis(fig)) == 130000.0
    partial = fig.data[1]
    assert partial.name == "Partial period" and partial.yaxis == "y9" and partial.marker.opacity == 0  # no point
    assert partial.customdata == ("$9,000 over the days with data (partial: data starts 2024-11-29 "
                                  "(28 of 30 days missing))",)
    (shade,) = fig.layout.shapes
    assert (pd.Timestamp(shade.x0), pd.Timestamp(shade.x1)) == (pd.Timestamp("2024-11-01"), pd.Timestamp("2024-12-01"))
    assert [a.text for a in fig.layout.annotations] == ["partial"]


def test_trend_without_a_late_start_is_unchanged():
    fig = charts.trend_chart(NPS, _nps().assign(starts_late=None))
    assert len(fig.data) == 1 and not fig.layout.shapes and "yaxis9" not in fig.layout.to_plotly_json()


def _roas() -> pd.DataFrame:
    """ROAS by channel over three weeks: SMS 30, 35, 40 (median 35); Paid Search 2, 2.5, 3 (2.5); Paid Social
    1, 1, 1.2 (1); Email no ROAS of its own (no ad cost). SMS is 35 times Paid Social."""
    rows = {"SMS": [30.0, 35.0, 40.0], "Paid Search": [2.0, 2.5, 3.0], "Paid Social": [1.0, 1.0, 1.2],
            "Email": [NAN, NAN, NAN]}
    return pd.DataFrame([(w, c, v) for c, values in rows.items() for w, v in zip(WEEKS, values)],
                        columns=["period_start", "channel", "value"])


def test_value_spread_by_hand():
    assert charts.value_spread(_roas(), "channel") == (35.0, "SMS", "Paid Social")
    close = _roas()[_roas()["channel"] != "SMS"]
    assert charts.value_spread(close, "channel") == (2.5, "Paid Search", "Paid Social")
    signed = pd.DataFrame({"channel": ["A", "B"], "value": [-5.0, 60.0]})  # NPS-like: a ratio means nothing
    assert charts.value_spread(signed, "channel") is None


def test_channels_more_than_10x_apart_get_one_panel_each():
    fig = charts.breakdown_chart(KPI_BY_ID["save.roas"], _roas(), "channel", "ROAS by channel")
    assert [t.name for t in fig.data] == ["SMS", "Paid Search", "Paid Social"]  # Email has no ROAS: no panel
    assert [t.yaxis for t in fig.data] == ["y", "y2", "y3"]  # each its own scale
    assert fig.layout.yaxis2.matches is None and fig.layout.yaxis2.ticksuffix == "×"
    assert [a.text for a in fig.layout.annotations] == ["SMS", "Paid Search", "Paid Social"]
    assert fig.layout.title.text == "ROAS by channel"
    assert fig.layout.title.subtitle.text == ("SMS's ROAS is 35× Paid Social's: one panel per channel, each on "
                                              "its own scale")


def test_channels_within_10x_share_one_axis():
    close = _roas()[_roas()["channel"] != "SMS"]
    fig = charts.breakdown_chart(KPI_BY_ID["save.roas"], close, "channel", "ROAS by channel")
    assert {t.yaxis or "y" for t in fig.data} == {"y"} and fig.layout.title.subtitle.text is None
    flow = charts.breakdown_chart(KPI_BY_ID["sell.revenue"], _roas(), "channel")  # flows stack, never split
    assert {t.type for t in flow.data} == {"bar"} and flow.layout.title.subtitle.text is None


def test_breakdown_leaves_out_the_period_the_data_starts_in():
    fig = charts.breakdown_chart(KPI_BY_ID["save.roas"], _roas(), "channel", late_starts=[WEEKS[0]])
    sms = next(t for t in fig.data if t.name == "SMS")
    assert pd.isna(sms.y[0]) and list(sms.y[1:]) == [35.0, 40.0]
    assert {(pd.Timestamp(s.x0), pd.Timestamp(s.x1)) for s in fig.layout.shapes} == {
        (pd.Timestamp(WEEKS[0]), pd.Timestamp(WEEKS[1]))}
    assert "partial" in [a.text for a in fig.layout.annotations]


@pytest.mark.parametrize("kpi_id", ["save.roas", "serve.nps"])
def test_figures_serialise(kpi_id):
    fig = charts.breakdown_chart(KPI_BY_ID[kpi_id], _roas(), "channel", late_starts=[WEEKS[0]])
    assert fig.to_json()


def _revenue_with_range() -> pd.DataFrame:
    """Four weeks of revenue; the first has too little history for an expected range (NaN), the third jumps to 900
    above its 190-270 range."""
    return pd.DataFrame({"period_start": WEEKS, "value": [200.0, 250.0, 900.0, 260.0],
                         "expected_low": [NAN, 180.0, 190.0, 200.0], "expected_high": [NAN, 260.0, 270.0, 280.0],
                         "target": [300.0] * 4})


def _band(fig) -> list:
    return [t for t in fig.data if t.legendgroup == "expected"]


def test_the_expected_range_is_a_band_behind_the_series_with_the_range_on_hover():
    revenue = KPI_BY_ID["sell.revenue"]
    frame = _revenue_with_range()
    fig = charts.add_plan_lines(charts.trend_chart(revenue, frame), revenue, frame)
    assert fig.data[0].name == "Revenue"  # the series stays the first trace
    low, high = _band(fig)
    weeks = [pd.Timestamp(w) for w in WEEKS[1:]]  # the first week has no range: not shaded
    assert [pd.Timestamp(x) for x in low.x] == weeks and [pd.Timestamp(x) for x in high.x] == weeks
    assert list(low.y) == [180.0, 190.0, 200.0] and list(high.y) == [260.0, 270.0, 280.0]
    assert high.fill == "tonexty" and low.fill is None  # filled between the two lines
    assert low.zorder == high.zorder == -1 and fig.data[0].zorder is None  # drawn behind the series
    assert low.line.width == high.line.width == 0
    assert (low.showlegend, high.showlegend) == (False, True) and high.name == "Expected range"
    # one hover per week, on the upper line: a hovertemplate on the low edge would override 'skip' in plotly's
    # unified hover (seen in chromium: the range listed twice)
    assert low.hoverinfo == "skip" and low.hovertemplate is None
    assert high.customdata == ("$180.00 to $260.00", "$190.00 to $270.00", "$200.00 to $280.00")
    assert high.hovertemplate == "%{customdata}<extra>Expected range</extra>"


def test_a_gap_in_the_expected_range_splits_the_band_and_the_legend_shows_it_once():
    revenue = KPI_BY_ID["sell.revenue"]
    frame = _revenue_with_range().assign(expected_low=[180.0, NAN, 190.0, 200.0], expected_high=[250.0, 260.0,
                                                                                                   270.0, 280.0])
    low1, high1, low2, high2 = _band(charts.trend_chart(revenue, frame))
    assert (list(low1.y), list(high1.y)) == ([180.0], [250.0])  # week 1 alone: week 2 lacks its low end
    assert (list(low2.y), list(high2.y)) == ([190.0, 200.0], [270.0, 280.0])  # weeks 3-4
    assert [pd.Timestamp(x) for x in high2.x] == [pd.Timestamp(WEEKS[2]), pd.Timestamp(WEEKS[3])]
    assert [t.showlegend for t in (high1, high2)] == [True, False]  # one legend entry for the whole band


def test_no_expected_range_no_band():
    """Before the statistics fill the columns they are absent or all NaN: the chart is as before."""
    revenue = KPI_BY_ID["sell.revenue"]
    without = _revenue_with_range().drop(columns=["expected_low", "expected_high"])
    unknown = _revenue_with_range().assign(expected_low=NAN, expected_high=NAN)
    for frame in (without, unknown):
        fig = charts.add_plan_lines(charts.trend_chart(revenue, frame), revenue, frame)
        assert _band(fig) == [] and [t.name for t in fig.data] == ["Revenue", "Target"]


def test_the_band_widens_the_value_axis_to_show_the_range():
    """English: plotly autoranges over every trace, the band's too; the band's 180-280 lies within 200-900, so
    here the check is that a range below the series (100-150 under values of 200+) is on the value axis."""
    revenue = KPI_BY_ID["sell.revenue"]
    frame = _revenue_with_range().assign(expected_low=[NAN, 100.0, 100.0, 100.0],
                                         expected_high=[NAN, 150.0, 150.0, 150.0])
    fig = charts.trend_chart(revenue, frame)
    assert min(_on_value_axis(fig)) == 100.0  # the band is drawn on the value axis, not on the overlay band
