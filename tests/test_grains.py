"""A grain in words for the pages' sentences (ui/grains.py): singular and plural chosen by count, digits the
reader's."""

from __future__ import annotations

from i18n import using_locale
from ui.grains import grain_count, grain_name


def test_a_grain_is_counted_with_its_plural_and_the_readers_digits():
    with using_locale("en"):
        assert (grain_count("week", 1), grain_count("week", 26), grain_count("quarter", 13)) == (
            "1 week", "26 weeks", "13 quarters")
        assert grain_name("month") == "month" and grain_name("fortnight") == "fortnight"  # unknown: as it is
        assert grain_count("fortnight", 2) == "2 fortnight"
    with using_locale("fa"):
        assert "۲۶" in grain_count("week", 26) and "26" not in grain_count("week", 26)  # Persian digits
