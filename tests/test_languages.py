"""Each catalog records how complete and how reviewed it is; admins see it; reviewers work in a spreadsheet."""

import csv
import io
import shutil

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from lms.languages import catalogs, review
from tests.pages import table_rows, text_of
from tests.test_cli import run

TEMPLATE_PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Hello %(name)s"
msgstr ""

msgid "Log in"
msgstr ""

msgid "Save"
msgstr ""

msgid "%(num)s course"
msgid_plural "%(num)s courses"
msgstr[0] ""
msgstr[1] ""
"""

SPANISH_PO = """\
msgid ""
msgstr ""
"Language: es\\n"
"Last-Translator: Lucía Gómez <lucia@example.org>\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

#, python-format, reviewed
msgid "Hello %(name)s"
msgstr "Hola %(name)s"

msgid "Log in"
msgstr "Iniciar sesión"

#, fuzzy
msgid "Save"
msgstr "Salvar"

#, python-format
msgid "%(num)s course"
msgid_plural "%(num)s courses"
msgstr[0] "%(num)s curso"
msgstr[1] ""
"""


@pytest.fixture
def catalog_dir(tmp_path, monkeypatch):
    """A small template and Spanish catalog in place of the real ones."""
    (tmp_path / "es" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "messages.pot").write_text(TEMPLATE_PO, encoding="utf-8")
    (tmp_path / "es" / "LC_MESSAGES" / "messages.po").write_text(SPANISH_PO, encoding="utf-8")
    monkeypatch.setattr(catalogs, "DIRECTORY", tmp_path)
    return tmp_path


def spanish(catalog_dir):
    with open(catalog_dir / "es" / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f)


def sheet(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(review.COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def test_a_message_counts_as_translated_when_every_form_is_filled_and_not_fuzzy(catalog_dir):
    status = catalogs.status("es")
    assert (status.total, status.translated, status.fuzzy, status.reviewed) == (4, 2, 1, 1)
    assert status.untranslated == 2 and status.review_state == "partial"
    assert status.translator == "Lucía Gómez <lucia@example.org>"


def test_pybabel_update_keeps_the_review_and_a_changed_english_text_must_be_reviewed_again(catalog_dir):
    catalog = spanish(catalog_dir)
    template = Catalog()
    template.add("Hello %(name)s")
    template.add("Hello, %(name)s!")
    catalog.update(template, no_fuzzy_matching=True)
    assert "reviewed" in catalog.get("Hello %(name)s").flags
    assert not catalog.get("Hello, %(name)s!").string and "reviewed" not in catalog.get("Hello, %(name)s!").flags


def test_the_review_spreadsheet_has_a_row_per_message_and_plural_form(catalog_dir):
    text = review.export_csv("es")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == list(review.COLUMNS)
    assert rows[1:] == [
        ["Hello %(name)s", "", "Hello %(name)s", "Hola %(name)s", "yes"],
        ["Log in", "", "Log in", "Iniciar sesión", ""],
        ["Save", "", "Save", "Salvar", ""],
        ["%(num)s course", "0", "%(num)s course", "%(num)s curso", ""],
        ["%(num)s course", "1", "%(num)s courses", "", ""],
    ]


def test_the_review_spreadsheet_never_runs_a_translation_as_a_formula_and_merges_back_unchanged(catalog_dir):
    formula = '=HYPERLINK("https://evil.example/","Guardar")'
    assert not review.merge_csv("es", sheet([("Save", "", "Save", formula, "")])).problems
    text = review.export_csv("es")
    [save] = [row for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) if row[0] == "Save"]
    assert save[3] == "'" + formula
    assert review.merge_csv("es", text).changed == 0  # the sheet, sent back as it was, changes nothing
    assert spanish(catalog_dir).get("Save").string == formula


def test_merging_a_review_sets_corrected_texts_and_marks_the_checked_rows(catalog_dir):
    merged = review.merge_csv("es", sheet([
        ("Log in", "", "Log in", "Iniciar sesión", "yes"),
        ("Save", "", "Save", "Guardar", "Yes"),
        ("%(num)s course", "0", "%(num)s course", "%(num)s curso", "yes"),
        ("%(num)s course", "1", "%(num)s courses", "%(num)s cursos", "yes"),
    ]))
    assert not merged.problems and (merged.changed, merged.reviewed) == (3, 3)
    catalog = spanish(catalog_dir)
    assert catalog.get("Save").string == "Guardar" and not catalog.get("Save").fuzzy
    assert catalog.get("%(num)s course").string == ("%(num)s curso", "%(num)s cursos")
    assert catalogs.status("es").reviewed == 4 and catalogs.status("es").review_state == "complete"


def test_a_translation_changed_without_a_review_loses_its_reviewed_mark(catalog_dir):
    merged = review.merge_csv("es", sheet([("Hello %(name)s", "", "Hello %(name)s", "¡Hola, %(name)s!", "")]))
    assert merged.changed == 1 and merged.reviewed == 0
    message = spanish(catalog_dir).get("Hello %(name)s")
    assert message.string == "¡Hola, %(name)s!" and "reviewed" not in message.flags


@pytest.mark.parametrize(("row", "problem"), [
    (("Hello %(name)s", "", "Hello %(name)s", "Hola", "yes"), "the translation must keep the placeholders %(name)s"),
    (("Goodbye", "", "Goodbye", "Adiós", "yes"), "not a message of the current catalog"),
    (("Log in", "", "Log in", "", "yes"), "marked reviewed but the translation is empty"),
    (("%(num)s course", "", "%(num)s course", "%(num)s curso", "yes"), "plural_form '' does not fit this message"),
    (("%(num)s course", "2", "%(num)s courses", "%(num)s cursos", "yes"), "plural_form '2' does not fit this message"),
])
def test_a_wrong_row_is_named_and_nothing_is_merged(catalog_dir, row, problem):
    before = (catalog_dir / "es" / "LC_MESSAGES" / "messages.po").read_bytes()
    merged = review.merge_csv("es", sheet([("Save", "", "Save", "Guardar", "yes"), row]))
    assert merged.problems == [f"line 3: {problem}"]
    assert (catalog_dir / "es" / "LC_MESSAGES" / "messages.po").read_bytes() == before


def test_a_file_without_the_columns_is_refused(catalog_dir):
    assert review.merge_csv("es", "English,Spanish\nSave,Guardar\n").problems == [
        "the file needs the columns message, plural_form, english, translation, reviewed"]


def test_the_command_line_exports_and_merges_a_review(app, catalog_dir, tmp_path):
    exported = run(app, "translations", "export-review", "es")
    assert exported.exit_code == 0 and "Iniciar sesión" in exported.output
    path = tmp_path / "reviewed.csv"
    path.write_text("\ufeff" + sheet([("Log in", "", "Log in", "Entrar", "yes")]), encoding="utf-8")
    merged = run(app, "translations", "import-review", "es", str(path))
    assert merged.exit_code == 0 and "1 messages changed, 1 newly reviewed" in merged.output
    assert spanish(catalog_dir).get("Log in").string == "Entrar"
    path.write_text(sheet([("Log in", "", "Log in", "Entrar", "maybe"), ("Nope", "", "Nope", "No", "")]))
    refused = run(app, "translations", "import-review", "es", str(path))
    assert refused.exit_code == 1 and "line 3: not a message of the current catalog" in refused.output
    assert run(app, "translations", "export-review", "xx").exit_code == 2


def test_the_admin_page_lists_every_language_with_how_complete_and_reviewed_it_is(admin_client):
    response = admin_client.get("/admin/languages")
    assert response.status_code == 200
    rows = {row[0]: row for row in table_rows(response)}
    assert len(rows) == 11 and set(rows) >= {"Español", "العربية", "አማርኛ", "Tagalog", "中文 (繁體)"}
    total = len(catalogs.template_ids())
    for code in ("es", "ar", "so"):
        status = catalogs.status(code)
        row = rows[{"es": "Español", "ar": "العربية", "so": "Soomaali"}[code]]
        assert row[1].startswith(f"{status.translated:,} of {total:,}")
        assert row[2].endswith(f"{round(100 * status.reviewed / total)}%")


def test_the_admin_page_names_the_review_state(admin_client, catalog_dir, app):
    app.config["LMS_LANGUAGES"] = ["en", "es"]
    rows = table_rows(admin_client.get("/admin/languages"))
    assert [row[:4] for row in rows] == [["Español", "2 of 4 (50%) 1 needs work", "25%", "Incomplete"]]
    assert "Lucía Gómez" in rows[0][4]


def test_the_language_page_lists_the_messages_still_to_review(admin_client, catalog_dir, app):
    app.config["LMS_LANGUAGES"] = ["en", "es"]
    response = admin_client.get("/admin/languages/es")
    assert [row for row in table_rows(response)] == [
        ["Log in", "Iniciar sesión", "Draft"], ["Save", "Salvar", "Needs work"],
        ["%(num)s course / %(num)s courses", "%(num)s curso /", "Not translated"]]
    assert "3 messages" in text_of(response)
    untranslated = table_rows(admin_client.get("/admin/languages/es?show=untranslated"))
    assert [row[0] for row in untranslated] == ["Save", "%(num)s course / %(num)s courses"]
    assert len(table_rows(admin_client.get("/admin/languages/es?show=all"))) == 4


def test_the_language_page_pages_through_a_long_catalog(admin_client):
    first = admin_client.get("/admin/languages/vi?show=all")
    assert len(table_rows(first)) == 50 and 'rel="next"' in first.get_data(as_text=True)
    last_page = -(-len(catalogs.template_ids()) // 50)
    last = admin_client.get(f"/admin/languages/vi?show=all&page={last_page}")
    assert 0 < len(table_rows(last)) <= 50


@pytest.mark.parametrize("code", ["en", "xx", "de"])
def test_a_language_without_a_catalog_is_not_found(admin_client, code):
    assert admin_client.get(f"/admin/languages/{code}").status_code == 404
    assert admin_client.get(f"/admin/languages/{code}/review.csv").status_code == 404
    assert admin_client.get(f"/admin/languages/{code}/messages.po").status_code == 404


def test_a_language_the_host_does_not_offer_is_not_found(admin_client, app):
    app.config["LMS_LANGUAGES"] = ["en", "es"]
    assert admin_client.get("/admin/languages/ar").status_code == 404


def test_reviewers_download_the_spreadsheet_and_the_catalog(admin_client):
    spreadsheet = admin_client.get("/admin/languages/ko/review.csv")
    assert spreadsheet.mimetype == "text/csv"
    assert 'filename="review-ko.csv"' in spreadsheet.headers["Content-Disposition"]
    assert spreadsheet.get_data(as_text=True) == review.export_csv("ko")
    po = admin_client.get("/admin/languages/ko/messages.po")
    assert po.get_data() == catalogs.po_path("ko").read_bytes()
    assert "messages-ko.po" in po.headers["Content-Disposition"]


def test_the_real_catalogs_round_trip_through_the_spreadsheet_unchanged(tmp_path, monkeypatch):
    for path in (catalogs.template_path(), catalogs.po_path("ar")):
        target = tmp_path / path.relative_to(catalogs.DIRECTORY)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    monkeypatch.setattr(catalogs, "DIRECTORY", tmp_path)
    merged = review.merge_csv("ar", review.export_csv("ar"))
    assert not merged.problems and merged.changed == 0


def test_writing_a_catalog_keeps_the_reviewed_flag(catalog_dir):
    catalog = catalogs.load(catalogs.po_path("es"))
    out = io.BytesIO()
    write_po(out, catalog, width=76)
    assert "#, python-format, reviewed" in out.getvalue().decode()
