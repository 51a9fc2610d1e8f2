"""The benchmark stays runnable: a tiny size end to end (generate, import, time, compare with the reference)."""

from __future__ import annotations

from bench import run


def test_a_tiny_benchmark_runs_and_agrees_with_the_raw_reference(engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    results = run.main(["--orders", "3000", "--customers", "600", "--campaigns", "12", "--years", "1",
                        "--chunk", "1000", "--url", url, "--out", str(tmp_path), "--skip-app"])
    assert [r["rows"] for r in results["imports"]][0] == 3000
    assert results["queries"]["scorecard_queries_reading_orders_table"] == 0
    assert results["references"]["pandas_raw_tables"]["max_relative_difference"] < 1e-9
    assert (tmp_path / "results.json").exists()
