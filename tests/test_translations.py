"""The catalogues are complete: every message marked in the code has a Persian and an Arabic translation, keeps
its {placeholders}, and the compiled .mo files are what the .po files say."""

from __future__ import annotations

import re
from configparser import ConfigParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fa", "ar")
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def _method_map() -> list[tuple[str, str]]:
    config = ConfigParser()
    config.read(ROOT / "babel.cfg")
    return [(section.split(":", 1)[1].strip(), section.split(":", 1)[0]) for section in config.sections()]


def _marked_messages() -> set[str | tuple[str, str]]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(ROOT, _method_map()):
        found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


MARKED = _marked_messages()


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def _catalog(language: str):
    with open(ROOT / "locales" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def test_the_code_marks_messages_for_translation() -> None:
    assert len(MARKED) > 300  # the pages, KPI catalogue and review are marked (a broken babel.cfg finds none)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_message_is_translated(language: str) -> None:
    catalog = _catalog(language)
    missing = []
    for message in sorted(MARKED, key=str):
        entry = catalog.get(message[0] if isinstance(message, tuple) else message)
        strings = entry.string if entry is not None else None
        forms = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(forms):
            missing.append(message)
    assert not missing, f"{len(missing)} messages lack a {language} translation, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    wrong = []
    for entry in _catalog(language):
        if not entry.id or not entry.string:
            continue
        source = entry.id[0] if isinstance(entry.id, tuple) else entry.id
        wanted = set(PLACEHOLDER.findall(source))
        plural = isinstance(entry.string, tuple)
        for text in entry.string if plural else (entry.string,):
            used = set(PLACEHOLDER.findall(text))
            # a plural form may leave the count out (Arabic's one and two: "ملف واحد", "ملفين"), never add a field
            if used - wanted or (not plural and used != wanted):
                wrong.append((source, text))
    assert not wrong, f"translations with other placeholders than their message: {wrong[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language: str) -> None:
    directory = ROOT / "locales" / language / "LC_MESSAGES"
    with open(directory / "messages.mo", "rb") as handle:
        compiled = {_key(entry.id): _key(entry.string) for entry in read_mo(handle) if entry.id}
    written = {_key(entry.id): _key(entry.string) for entry in _catalog(language)
               if entry.id and entry.string and not entry.fuzzy}
    assert compiled == written, "run `pybabel compile -d locales` (see locales/README.md)"
