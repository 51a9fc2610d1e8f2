"""`python cli.py copy-warehouse`: the whole warehouse to another database (PostgreSQL in the CI's second run)."""

from __future__ import annotations

import pytest

import cli
from connectors.loader import load
from metrics.engine import compute
from tests.conftest import content_hash
from tests.fixtures import FRAMES, WEEK, load_fixture
from warehouse.db import init_schema, make_engine


@pytest.fixture
def source(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    init_schema(eng)
    load_fixture(eng)
    yield eng
    eng.dispose()


def test_copy_then_work_on_the_copy(source, engine, capsys):
    url = engine.url.render_as_string(hide_password=False)
    assert cli.main(["copy-warehouse", "--from", str(source.url), "--to", url]) == 0
    assert "copied" in capsys.readouterr().out
    assert content_hash(engine) == content_hash(source)
    assert compute(engine, ["sell.revenue"], *WEEK).equals(compute(source, ["sell.revenue"], *WEEK))
    # ids continue after the copied ones (sequences moved on PostgreSQL): a new load is logged
    result = load(engine, "orders", FRAMES["orders"], source="after-copy")
    assert result.run_id > len(FRAMES)


def test_a_target_with_data_is_refused_unless_replace(source, engine, capsys):
    url = engine.url.render_as_string(hide_password=False)
    load_fixture(engine)
    assert cli.main(["copy-warehouse", "--from", str(source.url), "--to", url]) == 2
    assert "already holds data" in capsys.readouterr().err
    assert cli.main(["copy-warehouse", "--from", str(source.url), "--to", url, "--replace"]) == 0
    assert content_hash(engine) == content_hash(source)
