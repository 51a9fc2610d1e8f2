from metrics.docs import BEGIN, END, catalog_markdown
from tests.conftest import ROOT


def test_readme_catalog_is_generated_from_the_declarations():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(BEGIN)[1].split(END)[0]
    assert section.strip() == catalog_markdown().strip(), "run: python cli.py catalog --write-readme"


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if "requirements-dev.txt" in line and "pytest" in line)
    assert command.strip() in ci
