"""Every marked string is in the template, and every language's catalog translates all of it."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "lms" / "translations"
LANGUAGES = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES" / "messages.po").exists())
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w+\}")


def read_catalog(path):
    with open(path, "rb") as f:
        return read_po(f)


def marked_strings() -> set:
    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    return {message if isinstance(message, str) else message[0]
            for _, _, message, *_ in extract_from_dir(ROOT, method_map, options_map, keywords=keywords)}


def test_the_template_holds_every_marked_string():
    template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_catalog(TRANSLATIONS / "messages.pot") if m.id}
    missing = marked_strings() - template
    assert not missing, f"run `make update-translations`; missing: {sorted(missing)[:10]}"


def test_eleven_languages_have_catalogs():
    assert LANGUAGES == sorted(["es", "vi", "zh_Hans", "zh_Hant", "so", "ru", "uk", "ko", "am", "fil", "ar"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_translates_every_message(language):
    template = {m.id for m in read_catalog(TRANSLATIONS / "messages.pot") if m.id}
    catalog = read_catalog(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    translated = {m.id for m in catalog
                  if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])}
    missing = template - translated
    assert not missing, f"{language} lacks {len(missing)}: {sorted(str(m) for m in missing)[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    catalog = read_catalog(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            wanted = set(PLACEHOLDER.findall(message.id[1]))
            strings = message.string
        else:
            wanted = set(PLACEHOLDER.findall(message.id))
            strings = [message.string]
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, f"{language}: {message.id!r} -> {string!r}"


@pytest.mark.parametrize(("language", "expected"), [
    ("es", "Iniciar sesión"), ("ar", "تسجيل الدخول"), ("am", "ይግቡ"),
])
def test_pages_are_served_in_the_chosen_language(client, language, expected):
    html = client.get("/login", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f"<h1>{expected}</h1>" in html
