"""The Journey page (pages/journey.py) through Streamlit's AppTest: on the hand-made W45 shop (figures by hand) and
on the demo warehouse (en and fa, the channel drill-down)."""

from __future__ import annotations

import pytest

from i18n import using_locale
from tests.conftest import page_app

W45 = {"grain": "week", "period": "2026-W45"}
W47 = {"grain": "week", "period": "2026-W47"}


def _steps(app):
    """The step table: the first dataframe on the page."""
    return app.dataframe[0].value


def _subheaders(app) -> list[str]:
    return [s.value for s in app.subheader]


def test_shop_figures_by_hand_and_a_channel_choice(shop_app):
    app = page_app("journey", **W45).run()
    assert not app.exception
    table = _steps(app)
    # tests/fixtures.py, all channels: 7400 reached (4000 ad + 2000 social impressions + 1400 e-mails), 500 sessions,
    # 300 engaged sessions (no add-to-carts), 4 orders, 2 repeat orders; 500 / 7400 = 6.8%, 300 / 500 = 60.0%
    assert list(table["Value"]) == ["7,400", "500", "300", "4", "2"]
    assert list(table["Rate from the previous step"])[:3] == ["—", "6.8%", "60.0%"]
    assert any("Desire counts engaged sessions" in i.value for i in app.info)
    assert "Where each channel leaks" in _subheaders(app)

    app.selectbox(key="channel").set_value("Organic Search").run()
    assert not app.exception
    table = _steps(app)
    assert list(table["Value"]) == ["—", "400", "210", "2", "1"]  # sessions 100 + 300, engaged 60 + 150
    assert any("No ad impressions for channel Organic Search in 2–8 Nov 2026" in w.value for w in app.warning)
    assert "Campaigns of Organic Search" in _subheaders(app)
    assert "Where each channel leaks" not in _subheaders(app)


def test_each_step_says_what_it_counts(shop_app):
    app = page_app("journey", **W45).run()
    (what,) = [e for e in app.expander if e.label == "What each step counts"]
    text = what.markdown[0].value
    # the five steps' declarations in metrics.catalog.FUNNEL_STEPS, in order
    assert text.startswith("- **Attention**: People reached: ad impressions, social impressions and delivered")
    assert "- **Desire**: Add-to-carts where the web data has them, otherwise engaged sessions." in text
    assert text.index("**Interest**") < text.index("**Desire**") < text.index("**Action**") < text.index("**Loyalty**")


@pytest.mark.usefixtures("demo_env")
@pytest.mark.parametrize("lang", ["en", "fa"])
def test_demo_renders(lang):
    app = page_app("journey", lang=lang, **W47)
    with using_locale(lang):
        app.run()
    assert not app.exception
    assert len(app.get("plotly_chart")) == 2  # the funnel and the channel × step heatmap
    values = list(_steps(app).iloc[:, 1])  # the values (the frame keeps its order; only the display is mirrored)
    digits = "۰۱۲۳۴۵۶۷۸۹" if lang == "fa" else "0123456789"
    assert all(any(d in v for d in digits) for v in values), values  # Persian digits in Persian


@pytest.mark.usefixtures("demo_env")
def test_demo_drill_down_to_a_channel_and_a_campaign():
    app = page_app("journey", **W47).run()
    all_values = list(_steps(app)["Value"])
    app.selectbox(key="journey_open_channel").set_value("Paid Social").run()
    assert not app.exception
    assert app.selectbox(key="channel").value == "Paid Social"
    assert "Campaigns of Paid Social" in _subheaders(app)
    assert list(_steps(app)["Value"]) != all_values
    campaigns = app.dataframe[1].value
    assert "meta_prospecting" in list(campaigns["Campaign"])

    app.selectbox(key="journey_open_campaign").set_value("meta_prospecting").run()
    assert not app.exception
    assert app.selectbox(key="campaign").value == "meta_prospecting"
    assert _subheaders(app)[0] == "The funnel · Paid Social › meta_prospecting"
    campaign_values = list(_steps(app)["Value"])
    assert campaign_values[0] == campaigns.set_index("Campaign").loc["meta_prospecting", "Attention"]


def _contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of white text on ``colour`` ('#RRGGBB')."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_the_leak_heatmap_writes_white_text_that_reads_on_every_colour():
    """The brightest green once held grey text at 2.2:1 (SMS's 17.9% interest rate was hard to read): the text is
    white and each end of the scale (and its middle) gives it at least 4.5:1, so every blend between them does."""
    from metrics.funnel import STEP_IDS, Funnel, FunnelStepResult
    from metrics.periods import parse_period
    from ui.journey_view import LEAK_COLOURS, leak_heatmap

    def funnel(*values: float) -> Funnel:
        rates = [None] + [b / a for a, b in zip(values, values[1:])]
        steps = [FunnelStepResult(s, s, v, r, "test") for s, v, r in zip(STEP_IDS, values, rates)]
        return Funnel(parse_period("2026-W45"), None, None, steps)

    fig = leak_heatmap({"A": funnel(1000, 10, 5, 2, 1), "B": funnel(1000, 100, 10, 5, 2)}, "rates")
    heatmap = fig.data[0]
    assert heatmap.textfont.color == "white"
    assert [c for _stop, c in heatmap.colorscale] == list(LEAK_COLOURS)
    assert all(_contrast_with_white(c) >= 4.5 for c in LEAK_COLOURS), [_contrast_with_white(c) for c in LEAK_COLOURS]


def test_a_week_without_data_says_what_is_missing(shop_app):
    """W30 (20-26 Jul 2026) is before the hand-made shop's data: the page says there is no funnel and, step by step,
    which source has nothing for the week (it used to say only 'No funnel data')."""
    app = page_app("journey", grain="week", period="2026-W30").run()
    assert not app.exception, app.exception
    assert any("No funnel data for All channels" in i.value for i in app.info)
    warnings = [w.value for w in app.warning]
    assert len(warnings) == 5, warnings  # one per step: attention, interest, desire, action, loyalty
    assert warnings[0].startswith("Attention: No ad impressions") and warnings[3].startswith("Action:"), warnings
