"""A catalog as a spreadsheet for community reviewers, and their reviewed spreadsheet merged back.

One row per message (per plural form): the English, the translation, and a Reviewed column. A
reviewer corrects translations and writes "yes" in Reviewed for each row they checked. Merging
sets each corrected text, flags rows marked "yes" as reviewed, and drops the flag from a text
changed without "yes". It checks every row first and changes nothing when one is wrong.
"""

import csv
import io
from dataclasses import dataclass, field

from lms.core.spreadsheet import cell_text, safe_cell
from lms.languages import catalogs

BOM = "\ufeff"
COLUMNS = ("message", "plural_form", "english", "translation", "reviewed")
YES = {"yes", "y", "x", "1", "true", "✓", "✔"}


def export_csv(language: str) -> str:
    """The catalog's messages as CSV (UTF-8 with a byte-order mark, for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for message in catalogs.messages(language):
        reviewed = "yes" if catalogs.is_reviewed(message) else ""
        if isinstance(message.id, tuple):
            for number, text in enumerate(catalogs.forms(message)):
                english = message.id[0] if number == 0 else message.id[1]
                writer.writerow([safe_cell(v) for v in (message.id[0], number, english, text, reviewed)])
        else:
            writer.writerow([safe_cell(v) for v in (message.id, "", message.id, message.string, reviewed)])
    return BOM + out.getvalue()


@dataclass
class Merge:
    changed: int = 0
    reviewed: int = 0
    problems: list[str] = field(default_factory=list)


def merge_csv(language: str, text: str) -> Merge:
    """Merge a reviewed spreadsheet into the language's catalog; write it only when every row is right."""
    catalog = catalogs.load(catalogs.po_path(language))
    by_key = {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalog if m.id}
    result = Merge()
    rows = [{key: cell_text(value or "") for key, value in row.items()}
            for row in csv.DictReader(io.StringIO(text.removeprefix(BOM)))]
    if not rows or set(COLUMNS) - set(rows[0]):
        result.problems.append(f"the file needs the columns {', '.join(COLUMNS)}")
        return result
    edits: dict[str, dict[int, tuple[str, bool]]] = {}
    for line, row in enumerate(rows, start=2):
        message = by_key.get(row["message"])
        plural = message is not None and isinstance(message.id, tuple)
        number = row["plural_form"].strip()
        if message is None:
            result.problems.append(f"line {line}: not a message of the current catalog")
        elif plural != bool(number) or (plural and not (number.isdigit() and int(number) < catalog.num_plurals)):
            result.problems.append(f"line {line}: plural_form {number!r} does not fit this message")
        elif row["reviewed"].strip().lower() in YES and not row["translation"].strip():
            result.problems.append(f"line {line}: marked reviewed but the translation is empty")
        elif not catalogs.keeps_placeholders(message, (row["translation"],)):
            wanted = sorted(catalogs.placeholders(message.id[1] if plural else message.id))
            result.problems.append(f"line {line}: the translation must keep the placeholders {' '.join(wanted)}")
        else:
            edits.setdefault(row["message"], {})[int(number or 0)] = (
                row["translation"], row["reviewed"].strip().lower() in YES)
    if result.problems:
        return result
    for key, by_form in edits.items():
        _apply(by_key[key], by_form, catalog.num_plurals, result)
    if result.changed:
        catalogs.write(language, catalog)
    return result


def _apply(message, by_form: dict[int, tuple[str, bool]], num_plurals: int, result: Merge) -> None:
    before = catalogs.forms(message)
    after = tuple(by_form.get(n, (before[n] if n < len(before) else "", False))[0]
                  for n in range(num_plurals if isinstance(message.id, tuple) else 1))
    reviewed = all(by_form.get(n, ("", False))[1] for n in range(len(after)))
    was_reviewed = catalogs.is_reviewed(message)
    if after != before:
        message.string = after if isinstance(message.id, tuple) else after[0]
        message.flags.discard("fuzzy")
    if reviewed and all(after):
        message.flags.discard("fuzzy")
        message.flags.add(catalogs.REVIEWED)
    elif after != before:
        message.flags.discard(catalogs.REVIEWED)
    result.reviewed += reviewed and all(after) and not was_reviewed
    result.changed += after != before or catalogs.is_reviewed(message) != was_reviewed
