"""How complete and how reviewed each language's catalog is, read from its .po file.

A translation counts once it is filled in and not marked fuzzy. It counts as reviewed once a
community reviewer has checked it, which the catalog records with the `reviewed` flag
(`#, reviewed`). `pybabel update` keeps flags, and a changed English text arrives as a new
message without it, so an edited sentence is reviewed again.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

DIRECTORY = Path(__file__).resolve().parent.parent / "translations"
REVIEWED = "reviewed"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w+\}")


def template_path() -> Path:
    return DIRECTORY / "messages.pot"


def po_path(language: str) -> Path:
    return DIRECTORY / language / "LC_MESSAGES" / "messages.po"


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def source_text(message: Message) -> str:
    """The English text, singular and plural joined."""
    return " / ".join(message.id) if isinstance(message.id, tuple) else message.id


def translation_text(message: Message) -> str:
    return " / ".join(forms(message))


def forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def state(message: Message) -> str:
    """fuzzy, untranslated, reviewed or draft."""
    if message.fuzzy:
        return "fuzzy"
    if not all(forms(message)):
        return "untranslated"
    return "reviewed" if REVIEWED in message.flags else "draft"


def is_translated(message: Message) -> bool:
    return state(message) in ("draft", "reviewed")


def is_reviewed(message: Message) -> bool:
    return state(message) == "reviewed"


def keeps_placeholders(message: Message, strings: tuple[str, ...] | None = None) -> bool:
    """Every filled-in form carries exactly the placeholders of the English text (its plural, for plurals)."""
    wanted = placeholders(message.id[1] if isinstance(message.id, tuple) else message.id)
    return all(placeholders(string) == wanted for string in (strings or forms(message)) if string)


@dataclass(frozen=True)
class CatalogStatus:
    language: str
    total: int
    translated: int
    fuzzy: int
    reviewed: int
    revised: datetime | None
    translator: str

    @property
    def untranslated(self) -> int:
        return self.total - self.translated

    @property
    def review_state(self) -> str:
        """none, partial or complete."""
        if self.reviewed == 0:
            return "none"
        return "complete" if self.reviewed == self.total else "partial"


def load(path: Path) -> Catalog:
    """A fresh copy of the catalog, to change and write back."""
    with open(path, "rb") as f:
        return read_po(f)


def read(path: Path) -> Catalog:
    """The catalog, read again only when its file changed. Do not change it."""
    return _read(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _read(path: Path, _mtime: int) -> Catalog:
    return load(path)


def template_ids() -> set:
    return {message.id for message in read(template_path()) if message.id}


def status(language: str) -> CatalogStatus:
    """Count the template's messages that the language's catalog translates and has reviewed."""
    wanted = template_ids()
    catalog = read(po_path(language))
    current = [message for message in catalog if message.id in wanted]
    translator = catalog.last_translator or ""
    return CatalogStatus(
        language=language, total=len(wanted),
        translated=sum(1 for m in current if is_translated(m)),
        fuzzy=sum(1 for m in current if m.fuzzy),
        reviewed=sum(1 for m in current if is_reviewed(m)),
        revised=catalog.revision_date if isinstance(catalog.revision_date, datetime) else None,
        translator="" if translator.startswith("FULL NAME") else translator,
    )


def messages(language: str) -> list[Message]:
    """The language's messages that are in the template, in the template's order."""
    catalog = read(po_path(language))
    return [catalog.get(message.id) or Message(message.id, ("",) * catalog.num_plurals
                                               if isinstance(message.id, tuple) else "")
            for message in read(template_path()) if message.id]


def write(language: str, catalog: Catalog) -> None:
    with open(po_path(language), "wb") as f:
        write_po(f, catalog, width=76, omit_header=False)
