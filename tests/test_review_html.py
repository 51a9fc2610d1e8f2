"""The exported weekly review prints: a light stylesheet with print rules, a text summary at the top, statuses
that read without colour, one copy of plotly.js (the basic partial bundle), and a PDF printed by chromium with
background graphics off that still says which KPIs are off track."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import pytest

from metrics.catalog import KPIS
from metrics.periods import parse_period
from metrics.review import add_action, add_note
from reports import plotly_bundle
from reports.review_html import render
from tests.actors import ADMIN
from tests.conftest import ROOT
from tests.fixtures import load_fixture, set_targets

CHROMIUM = Path("/usr/bin/chromium")
W45 = parse_period("2026-W45")  # the hand-made shop's week: revenue 280, orders 4, marketing cost 120
TODAY = date(2026, 11, 30)
PLOTLY_HEADER = re.compile(r"\*\s*plotly\.js (\(basic - minified\) )?v\d")


@pytest.fixture
def review(engine) -> str:
    """The W45 review of the hand-made shop: revenue off track, marketing cost at risk, orders on track, one
    note, an overdue action of this week and an open one from the week before."""
    load_fixture(engine)
    set_targets(engine, [
        ("sell.revenue", "week", W45.start, "", 400.0),  # 280 is 30 % short: beyond 15 %, off track
        ("save.marketing_cost", "week", W45.start, "", 110.0),  # 120 is 9.1 % over: within 15 %, at risk
        ("sell.orders", "week", W45.start, "", 4.0),  # 4 of 4: on track
    ])
    add_note(engine, "sell.revenue", W45.start, "Checkout outage on Tuesday", author="Dara", actor=ADMIN)
    add_action(engine, "Fix the checkout", "Dara", W45.start, date(2026, 11, 6), "sell.revenue", actor=ADMIN)
    add_action(engine, "Renegotiate the CPC caps", "Lee", date(2026, 10, 26), date(2026, 12, 4),
               "save.marketing_cost", actor=ADMIN)
    return render(engine, W45, today=TODAY)


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed (inline bold and bidi isolates run on, other tags
    separate)."""
    return " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"</?(b|bdi)>", "", fragment)).split())


def test_the_summary_at_the_top_gives_counts_the_kpis_to_discuss_and_the_actions_due(review):
    summary = review[review.index('<section class="summary">'):review.index("</section>")]
    text = _text(summary)
    # every KPI has a value in W45; the 19 without a target say so, and 'No data' is left out when none lacks data
    assert f"✖ Off track 1 ▲ At risk 1 ✔ On track 1 – No target {len(KPIS) - 3} Off track and at risk" in text
    # worst first, value against target in the cards' format
    assert text.index("Revenue: $280.00 against a target of $400.00") < text.index(
        "Marketing cost: $120.00 against a target of $110.00")
    assert "Orders:" not in text  # on track: not in the list to discuss
    # open actions, soonest first: this week's (due 6 Nov, overdue on 30 Nov) then last week's (due 4 Dec)
    assert text.index("due 6 Nov 2026 overdue · Dara: Fix the checkout (Revenue)") < text.index(
        "due 4 Dec 2026 · Lee: Renegotiate the CPC caps (Marketing cost)")
    assert review.index('<section class="summary">') < review.index("<h2>Scorecard</h2>")


def test_the_stylesheet_is_light_has_print_rules_and_plotly_is_inlined_once(review):
    css = review[review.index("<style>") + 7:review.index("</style>")]
    assert "@page{size:auto;margin:" in css  # A4 or Letter, whichever the printer has
    assert "@media print{" in css and "section.break{break-before:page}" in css
    assert "background:#fff;color:#111" in css and "#111;color:#eee" not in css  # no dark page any more
    assert review.count('<section class="break">') == 3  # scorecard, off track and at risk, notes and actions
    # one copy of plotly.js for the two charts (revenue and marketing cost)
    assert len(PLOTLY_HEADER.findall(review)) == 1 and review.count('class="plotly-graph-div"') == 2
    assert "plotly.js (basic - minified) v" in review, (  # the partial bundle matches the installed plotly
        "reports/vendor/plotly-basic.min.js is built for another plotly.js than the installed plotly's: "
        "refresh it as reports/vendor/README.md says")
    assert len(review.encode()) < 1_500_000  # the full bundle alone is 4.8 MB
    assert not re.search(r"<(script|img|iframe|link)[^>]+(src|href)=", review)  # nothing fetched: opens offline
    # every status is a symbol and a word in a bordered label, not a colour alone
    for word, css_class in (("Off track", "off_track"), ("At risk", "at_risk"), ("On track", "on_track")):
        assert f'<span class="status {css_class}">' in review and f"{word}</span>" in review
        assert re.search(rf"\.status\.{css_class}\{{color:#[0-9a-f]{{6}}", css)


def test_the_basic_bundle_is_used_only_for_basic_traces_and_the_same_plotly_version(tmp_path, monkeypatch):
    scatter = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    assert plotly_bundle.plotlyjs_for([scatter])[1] == "basic"
    assert plotly_bundle.plotlyjs_for([scatter, go.Figure(go.Heatmap(z=[[1]]))])[1] == "full"
    stale = tmp_path / "plotly-basic.min.js"
    stale.write_text("/**\n* plotly.js (basic - minified) v0.0.1\n*/", encoding="utf-8")
    monkeypatch.setattr(plotly_bundle, "BASIC_BUNDLE", stale)
    plotly_bundle._basic_bundle.cache_clear()
    try:
        source, which = plotly_bundle.plotlyjs_for([scatter])
        assert which == "full" and len(source) > 3_000_000
    finally:
        plotly_bundle._basic_bundle.cache_clear()
    assert plotly_bundle.script_tag("a</script>b") == '<script type="text/javascript">a<\\/script>b</script>'


def _contrast(rgb: str) -> float:
    """WCAG contrast ratio of a CSS 'rgb(r, g, b)' colour against white paper."""
    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (float(v) for v in re.findall(r"[\d.]+", rgb)[:3])
    luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_printed_without_background_graphics_the_statuses_and_kpis_read(review, tmp_path, paper):
    if not CHROMIUM.exists():
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    page_file, pdf_file = tmp_path / "review.html", tmp_path / "review.pdf"
    page_file.write_text(review, encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            tab = browser.new_page(viewport={"width": 1440, "height": 900})
            tab.goto(page_file.as_uri())
            tab.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
            tab.emulate_media(media="print")
            badges = tab.eval_on_selector_all(".status", """els => els.map(e => {
                const s = getComputedStyle(e);
                return [e.innerText.trim(), s.color, parseFloat(s.borderTopWidth), s.borderTopStyle]; })""")
            tab.pdf(path=str(pdf_file), format=paper, print_background=False)
            if paper == "A4":
                (ROOT / "test-artifacts").mkdir(exist_ok=True)
                tab.screenshot(path=str(ROOT / "test-artifacts" / "review-print.png"), full_page=False)
        finally:
            browser.close()
    # on white paper each label's own text and border carry the status: dark enough, never white on nothing
    assert {b[0] for b in badges} >= {"✖ Off track", "▲ At risk", "✔ On track"}
    for word, colour, border, style in badges:
        assert _contrast(colour) >= 4.5, (word, colour)
        assert border >= 1 and style != "none", (word, border, style)
    reader = PdfReader(pdf_file)
    pages = [unicodedata.normalize("NFKC", p.extract_text()) for p in reader.pages]  # 'ﬀ' ligatures -> 'ff'
    first = " ".join(pages[0].split())
    assert "Off track" in first and "At risk" in first and "On track" in first
    assert "Revenue: $280.00 against a target of $400.00" in first
    assert "Marketing cost: $120.00 against a target of $110.00" in first
    assert "Scorecard" not in first  # the summary has the first page to itself; sections start on a new page
    everything = " ".join(" ".join(pages).split())
    for kpi in KPIS:
        assert kpi.label in everything, kpi.label
    assert "Checkout outage on Tuesday" in everything and "Renegotiate the CPC caps" in everything
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    expected = {"A4": (595.3, 841.9), "Letter": (612, 792)}[paper]  # points; @page size:auto takes the printer's
    assert abs(width - expected[0]) < 2 and abs(height - expected[1]) < 2, (width, height)


def test_a_ratio_kpis_movers_show_own_rate_and_mix_as_on_the_page(demo_url):
    """On the demo's W47, cost per click is at risk: its channels table in the export carries the own-rate / mix
    split of the page, and the caption says what a contribution is."""
    from sqlalchemy import create_engine

    page = render(create_engine(demo_url), parse_period("2026-W47"), today=date(2026, 11, 24))
    section = page[page.index("<h3>Cost per click"):]
    section = section[:section.index("</table>")]
    assert "<th>own rate</th>" in section and "<th>mix</th>" in section
    assert "split into its own Cost per click moving (own rate) and its share of ad clicks moving (mix)" in \
        _text(section).replace("&#x27;", "'")


def _font_faces(document: str) -> dict[str, bytes]:
    """The fonts embedded in a document's stylesheet: font-weight -> the decoded WOFF2 bytes."""
    import base64

    return {weight: base64.b64decode(data) for weight, data in re.findall(
        r"@font-face\{font-family:Vazirmatn;[^}]*font-weight:(\d+);[^}]*base64,([A-Za-z0-9+/=]+)\)", document)}


@pytest.fixture
def review_fa(engine) -> str:
    """The W45 review of the hand-made shop in Persian: the overdue action of this week is due 6 Nov 2026."""
    load_fixture(engine)
    set_targets(engine, [("sell.revenue", "week", W45.start, "", 400.0)])
    add_action(engine, "Fix the checkout", "Dara", W45.start, date(2026, 11, 6), "sell.revenue", actor=ADMIN)
    return render(engine, W45, today=TODAY, lang="fa")


def test_the_persian_review_is_right_to_left_with_vazirmatn_embedded_and_jalali_dates(review_fa):
    assert review_fa.startswith('<!doctype html><html lang="fa" dir="rtl">')
    fonts = _font_faces(review_fa)
    fonts_dir = ROOT / "static" / "fonts"
    assert fonts == {"400": (fonts_dir / "Vazirmatn-Regular.woff2").read_bytes(),
                     "700": (fonts_dir / "Vazirmatn-Bold.woff2").read_bytes()}
    assert all(data[:4] == b"wOF2" for data in fonts.values())  # WOFF2, inline: renders offline
    css = review_fa[review_fa.index("<style>") + 7:review_fa.index("</style>")]
    assert "body{font-family:Vazirmatn," in css and "bidi-override" not in css
    assert "td{unicode-bidi:plaintext}" in css  # a Latin name in a cell keeps its own direction
    # 6 Nov 2026 is 15 Aban 1405 (1 Aban = 23 Oct: 23 Oct + 14 days), in Persian digits; W45 = 2–8 Nov 2026 =
    # 11–17 Aban 1405
    assert "۱۵ آبان ۱۴۰۵" in review_fa and "۱۱–۱۷ آبان ۱۴۰۵" in review_fa
    assert not re.search(r"<(script|img|iframe|link)[^>]+(src|href)=", review_fa)  # nothing fetched


def test_the_persian_review_speaks_persian(review_fa):
    """Passes once the central catalogue holds the review's messages (tr/rtl.fa.po)."""
    from i18n import _, using_locale

    with using_locale("fa"):
        summary, scorecard = _("Summary"), _("Scorecard")
    assert f"<h2>{summary}</h2>" in review_fa and f"<h2>{scorecard}</h2>" in review_fa
    assert re.search("[\u0600-\u06ff]", summary), summary  # Persian, not the English source


def test_english_and_arabic_reviews_carry_their_language_and_direction(engine):
    load_fixture(engine)
    english = render(engine, W45, today=TODAY, lang="en")
    assert english.startswith('<!doctype html><html lang="en" dir="ltr">') and not _font_faces(english)
    arabic = render(engine, W45, today=TODAY, lang="ar")
    assert arabic.startswith('<!doctype html><html lang="ar" dir="rtl">') and set(_font_faces(arabic)) == {"400", "700"}
    # Arabic keeps the Gregorian calendar: W45 = 2–8 Nov 2026, in Arabic-Indic digits
    assert "٢–٨ نوفمبر ٢٠٢٦" in arabic


def test_cli_review_takes_lang_and_keeps_its_own_messages_english(engine, cli_url, tmp_path, capsys, monkeypatch):
    import cli

    load_fixture(engine)
    out_file = tmp_path / "review-fa.html"
    assert cli.main(["review", "--week", "2026-W45", "--out", str(out_file), "--lang", "fa"]) == 0
    assert out_file.read_text(encoding="utf-8").startswith('<!doctype html><html lang="fa" dir="rtl">')
    assert "the review of 2026-W45, opens offline" in capsys.readouterr().out
    monkeypatch.setenv("KPI_LOCALE", "ar")  # the default language of --lang
    assert cli.main(["review", "--week", "2026-W45", "--out", str(out_file)]) == 0
    assert out_file.read_text(encoding="utf-8").startswith('<!doctype html><html lang="ar" dir="rtl">')


def test_the_persian_reviews_channel_table_has_persian_headers(review_fa):
    from i18n import _, using_locale
    from ui.movers import HEADERS

    with using_locale("fa"):
        channel, this_week = _(HEADERS["channel"]), _(HEADERS["this week"])
    assert f"<th>{channel}</th>" in review_fa and f"<th>{this_week}</th>" in review_fa  # the movers table of W45
    assert "<th>channel</th>" not in review_fa and "<th>this week</th>" not in review_fa  # not the frame's ids


def _unusual_review() -> dict:
    from metrics.review import unusual_items
    from tests.test_review import _week_of_results

    items = _week_of_results()
    return {"items": items, "unusual": unusual_items(items)}


def test_the_summary_lists_unusual_kpis_on_track_or_not_with_range_and_method():
    from reports.review_html import _unusual

    text = _text(_unusual(_unusual_review()))
    # revenue is on track yet 900 is far above its 190-270 range; marketing cost's 50 is below 100-140
    assert text.startswith("Unusual this week ✔ On track Revenue: $900.00, above its expected range of "
                           "$190.00 to $270.00 (score +6.1) ▲ At risk Marketing cost: $50.00, below its expected "
                           "range of $100.00 to $140.00 (score -3.9)")
    assert "NPS" not in text and "Orders" not in text  # within its range; not judged
    assert text.endswith("Method: robust z.")


def test_the_unusual_list_says_none_or_is_left_out_when_nothing_could_be_judged():
    from reports.review_html import _unusual
    from tests.test_review import _week_of_results

    judged = [i for i in _week_of_results() if i.unusual is False]
    assert _text(_unusual({"items": judged, "unusual": []})) == (
        "Unusual this week No KPI moved beyond its usual variation this week.")
    assert _unusual({"items": [i for i in _week_of_results() if i.unusual is None], "unusual": []}) == ""


def test_the_persian_unusual_list_isolates_values_and_writes_persian_digits():
    from i18n import using_locale
    from reports.review_html import _unusual

    with using_locale("fa"):
        fragment = _unusual(_unusual_review())
    values = re.findall(r"<bdi>(.*?)</bdi>", fragment)
    # each value, range and score in its own bidi isolate: value, range, score per KPI
    assert len(values) == 6 and "۹۰۰" in values[0] and "۱۹۰" in values[1]
    # scores signed, a left-to-right mark keeping the sign left of the number in right-to-left text
    assert (values[2], values[5]) == ("\u200e+۶٫۱", "\u200e−۳٫۹")
    assert not re.search(r"[0-9]", _text(fragment).replace("robust z", ""))  # Persian digits throughout


def test_the_exported_demo_review_lists_the_unusual_kpis_and_shades_the_expected_range(demo_engine):
    """Demo shop, W47 (as of 24 Nov 2026): First response time is unusual (117 min above its 66-117 min range) and
    off track; its chart in the export carries the expected-range band, restyled for paper like the rest."""
    html_text = render(demo_engine, parse_period("2026-W47"), today=date(2026, 11, 24))
    summary = _text(html_text[html_text.index('<section class="summary">'):html_text.index("</section>")])
    assert ("Unusual this week ✖ Off track First response time: 117 min, above its expected range of 66 min to "
            "117 min (score +3.5)") in summary
    assert "Method: robust z (median/MAD)" in summary and "±3.5" in summary
    assert html_text.count('"legendgroup":"expected"') >= 2  # each attention chart's band: low and high edges
    assert '"name":"Expected range"' in html_text and '"fill":"tonexty"' in html_text


def test_a_week_less_than_half_over_says_when_the_unusual_check_runs(demo_engine):
    """Demo shop on Tue 24 Nov 2026: W48 has one day counted, so the scorecard has not checked it for being
    unusual; the export says when it will (as the page does), not that there is too little history."""
    html_text = render(demo_engine, parse_period("2026-W48"), today=date(2026, 11, 24))
    summary = _text(html_text[html_text.index('<section class="summary">'):html_text.index("</section>")])
    assert "Unusual this week The unusual check runs once half the week is counted." in summary
