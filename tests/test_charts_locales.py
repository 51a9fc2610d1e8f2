"""Charts in Persian and Arabic: plotly writes only Latin digits and Gregorian dates, so every axis carries
ready-made tick labels and every hover pre-formatted text (customdata) with its date; nothing is left for plotly
to format. Right to left: Vazirmatn, legend and title from the right, time still running left to right."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest

from i18n import _, using_locale
from metrics.catalog import KPI_BY_ID
from metrics.periods import using_calendar
from tests.test_charts import NAN, WEEKS, _nps, _roas
from ui import charts
from ui.chart_locale import PDF, RLE, plain

LATIN_DIGIT = re.compile(r"[0-9]")
PLOTLY_FORMATS = ("tickformat", "tickprefix", "ticksuffix", "hoverformat", "xhoverformat", "yhoverformat")


def shown(texts) -> list[str]:
    """Texts without the right-to-left embedding marks every line of an RTL chart carries."""
    return [plain(text) for text in texts]


@pytest.fixture(autouse=True)
def no_digit_or_currency_setting(monkeypatch):
    monkeypatch.delenv("KPI_DIGITS", raising=False)
    monkeypatch.delenv("KPI_CURRENCY", raising=False)


def _axes(fig) -> dict[str, dict]:
    layout = fig.layout.to_plotly_json()
    return {key: value for key, value in layout.items() if re.fullmatch(r"[xy]axis\d*", key)}


def _assert_nothing_left_to_plotly(fig) -> None:
    """Every shown axis has its tick labels, none Latin digits, and no plotly number format; every hover is
    pre-formatted text."""
    spec = json.loads(fig.to_json())
    for name, axis in _axes(fig).items():
        if axis.get("visible") is False:
            continue
        assert axis.get("tickmode") == "array" and axis["ticktext"], name
        assert not any(LATIN_DIGIT.search(text) for text in axis["ticktext"]), (name, axis["ticktext"])
        assert not any(key in axis for key in PLOTLY_FORMATS), name
    for trace in spec["data"]:
        if trace.get("hoverinfo") == "skip":  # never hovered (the expected range's low edge): nothing shown
            continue
        template = trace.get("hovertemplate", "")
        assert "%{customdata[0]}<br>%{customdata[1]}" in template, trace["name"]
        assert "%{x" not in template and "%{y" not in template
        assert not any(LATIN_DIGIT.search(str(part)) for row in trace["customdata"] for part in row)
    assert spec["layout"]["hovermode"] == "closest"  # a unified hover's header would be plotly's own date


def test_persian_trend_has_persian_ticks_dates_and_hover():
    nps = KPI_BY_ID["serve.nps"]
    frame = _nps().assign(target=[30.0, 30.0, 40.0, 40.0])
    with using_locale("fa"), using_calendar("jalali"):
        fig = charts.add_plan_lines(charts.trend_chart(nps, frame), nps, frame)
        label = _(nps.label)
    _assert_nothing_left_to_plotly(fig)
    # NPS 22..48 (and targets 30, 40): round steps of 5 (26/5 = 5.2), from 20 to 50
    assert list(fig.layout.yaxis.tickvals) == [20, 25, 30, 35, 40, 45, 50]
    assert shown(fig.layout.yaxis.ticktext) == ["۲۰", "۲۵", "۳۰", "۳۵", "۴۰", "۴۵", "۵۰"]
    # the four weeks in Jalali: 2 Nov 2026 = 11 Aban 1405, then 18 and 25 Aban, and 23 Nov = 2 Azar
    assert [pd.Timestamp(x).date() for x in fig.layout.xaxis.tickvals] == WEEKS
    assert shown(fig.layout.xaxis.ticktext) == ["۱۱ آبان<br>۱۴۰۵", "۱۸ آبان", "۲۵ آبان", "۲ آذر"]
    series = fig.data[0]
    # each line embedded right to left: SVG text is laid out left to right, which would show '۱۸ آبان' as 'آبان ۱۸'
    assert series.name == RLE + label + PDF and fig.layout.xaxis.ticktext[1] == RLE + "۱۸ آبان" + PDF
    assert series.hovertemplate == "%{customdata[0]}<br>%{customdata[1]}<extra>" + RLE + label + PDF + "</extra>"
    assert shown(series.customdata[1]) == ["۱۸ آبان ۱۴۰۵", "\u200e+۴۸"]  # 9 Nov: NPS 48, a score, signed
    assert shown(series.customdata[2]) == ["۲۵ آبان ۱۴۰۵", "—"]  # no value that week
    # right to left: the font, the legend and title from the right; time NOT reversed (it runs left to right)
    assert fig.layout.font.family == "Vazirmatn, sans-serif"
    assert fig.layout.legend.xanchor == "right" and fig.layout.legend.traceorder == "reversed"
    assert fig.layout.title.xanchor == "right" and fig.layout.xaxis.autorange != "reversed"


def test_arabic_stacked_bars_tick_the_stacks_and_keep_the_gregorian_calendar():
    revenue = KPI_BY_ID["sell.revenue"]
    with using_locale("ar"), using_calendar("gregorian"):
        fig = charts.breakdown_chart(revenue, _roas(), "channel", late_starts=[WEEKS[0]])
    _assert_nothing_left_to_plotly(fig)
    # stacks: week 1 is left out (late start); week 2 35 + 2.5 + 1 = 38.5, week 3 40 + 3 + 1.2 = 44.2; bars from
    # 0: 44.2/5 = 8.84 -> steps of 10
    assert list(fig.layout.yaxis.tickvals) == [0, 10, 20, 30, 40, 50]
    assert shown(fig.layout.yaxis.ticktext) == ["٠", "١٠", "٢٠", "٣٠", "٤٠", "٥٠"]
    assert fig.layout.xaxis.ticktext[0] == RLE + "٢ نوفمبر" + PDF + "<br>" + RLE + "٢٠٢٦" + PDF
    with using_locale("ar"):
        assert plain(fig.layout.annotations[0].text) == _("partial") != "partial"


def test_small_multiples_get_ticks_on_every_panel():
    with using_locale("fa"), using_calendar("jalali"):
        fig = charts.breakdown_chart(KPI_BY_ID["save.roas"], _roas(), "channel")
    _assert_nothing_left_to_plotly(fig)
    # SMS 30..40: 10/4 = 2.5 -> steps of 2.5 (4 ticks a panel, as in English)
    assert shown(fig.layout.yaxis.ticktext) == ["۳۰٫۰×", "۳۲٫۵×", "۳۵٫۰×", "۳۷٫۵×", "۴۰٫۰×"]  # one decimal each
    assert plain(fig.layout.yaxis3.ticktext[0]) == "۱٫۰۰×"  # Paid Social 1..1.2: 0.2/4 = 0.05 -> 1.00, 1.05, …
    assert "۳۵×" in plain(fig.layout.title.subtitle.text)  # SMS 35 times Paid Social


def test_daily_chart_in_persian_tomans():
    days = pd.DataFrame({"day": [date(2026, 11, 2), date(2026, 11, 3)], "orders": [12, 30],
                         "revenue": [1_250_000.0, 2_900_000.0], "cost": [400_000.0, None]})
    with pytest.MonkeyPatch.context() as patch, using_locale("fa"), using_calendar("jalali"):
        patch.setenv("KPI_CURRENCY", "IRT")
        fig = charts.daily_chart(days, "روزانه")
    _assert_nothing_left_to_plotly(fig)
    assert "dtick" not in fig.layout.yaxis2.to_plotly_json()
    # revenue from 0 (tozero) to 2,900,000: 2.9M/5 = 580,000 -> steps of 500,000
    assert shown(fig.layout.yaxis.ticktext[:3]) == ["۰", "۵۰۰٬۰۰۰", "۱٬۰۰۰٬۰۰۰"]
    assert shown(fig.layout.yaxis2.ticktext) == ["۰", "۵", "۱۰", "۱۵", "۲۰", "۲۵", "۳۰"]  # orders 0..30 by 5 (30/5 = 6)
    with using_locale("fa"):
        revenue = next(t for t in fig.data if plain(t.name) == _("Revenue") != "Revenue")
    assert shown(revenue.customdata[1]) == ["۱۲ آبان ۱۴۰۵", "۲٬۹۰۰٬۰۰۰ تومان"]


def test_english_charts_keep_plotlys_formats_and_unified_hover():
    fig = charts.trend_chart(KPI_BY_ID["sell.conversion_rate"], _nps().assign(value=[0.02, 0.03, None, 0.025]))
    assert fig.layout.yaxis.tickformat == ".1%" and fig.layout.yaxis.tickvals is None
    assert fig.layout.hovermode == "x unified" and fig.layout.font.family is None
    assert fig.data[0].customdata == ("2.0%", "3.0%", "—", "2.5%")


def test_english_with_the_jalali_calendar_writes_its_own_dates():
    with using_calendar("jalali"):
        fig = charts.trend_chart(KPI_BY_ID["serve.nps"], _nps())
    assert fig.layout.xaxis.ticktext[0] == "11 Aban<br>1405" and fig.layout.yaxis.tickformat == ",.0f"
    assert list(fig.data[0].customdata[0]) == ["11 Aban 1405", "+22"]


def test_an_axis_without_values_gets_no_plotly_ticks():
    empty = _nps().assign(value=[NAN] * 4)
    with using_locale("fa"):
        fig = charts.trend_chart(KPI_BY_ID["serve.nps"], empty)
    assert fig.layout.yaxis.tickmode == "array" and fig.layout.yaxis.tickvals == ()
    assert fig.layout.yaxis.tickformat is None


def test_rtl_legend_reads_from_the_right_on_one_row_only():
    revenue = KPI_BY_ID["sell.revenue"]
    four = _roas()  # SMS, Paid Search, Paid Social, Email: one row, the first rightmost
    five = pd.concat([four, four[four["channel"] == "SMS"].assign(channel="Referral")])
    with using_locale("fa"):
        assert charts.breakdown_chart(revenue, four, "channel").layout.legend.traceorder == "reversed"
        many = charts.breakdown_chart(revenue, five, "channel").layout.legend
    assert many.traceorder == "normal" and many.xanchor == "right"  # several rows fill left to right anyway


def test_the_expected_range_band_in_persian_hovers_its_range_in_persian_digits():
    from tests.test_charts import _revenue_with_range

    revenue = KPI_BY_ID["sell.revenue"]
    frame = _revenue_with_range()
    with using_locale("fa"), using_calendar("jalali"):
        fig = charts.add_plan_lines(charts.trend_chart(revenue, frame), revenue, frame)
        name = _("Expected range")
    _assert_nothing_left_to_plotly(fig)  # the band's hover too: date and range pre-formatted, no Latin digit
    low, high = [t for t in fig.data if t.legendgroup == "expected"]
    assert low.hoverinfo == "skip" and low.hovertemplate is None and low.customdata is None
    assert list(low.y) == [180.0, 190.0, 200.0] and list(high.y) == [260.0, 270.0, 280.0]  # values stay numbers
    assert high.name == RLE + name + PDF and high.fill == "tonexty"
    day, text = shown(high.customdata[1])  # 16 Nov 2026 = 25 Aban 1405: the range 190 to 270
    assert day == "۲۵ آبان ۱۴۰۵" and "۱۹۰" in text and "۲۷۰" in text and text.index("۱۹۰") < text.index("۲۷۰")
    # the value axis runs over the band too: 180..900 in round steps, Persian digits
    assert min(fig.layout.yaxis.tickvals) <= 180 and max(fig.layout.yaxis.tickvals) >= 900
