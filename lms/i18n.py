"""Which language a request is served in, and how to name and write it."""

from functools import lru_cache

from datetime import datetime

from babel import Locale
from babel.dates import get_datetime_format
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_time, get_locale, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup

#: The interface languages of the program, in the order the switcher lists them.
DEFAULT_LANGUAGES = (
    "en", "es", "vi", "zh_Hans", "zh_Hant", "so", "ru", "uk", "ko", "am", "fil", "ar",
)
#: Names a language's own speakers look for, where CLDR's differs from the program's usage.
NATIVE_NAME_OVERRIDES = {"fil": "Tagalog"}
SESSION_KEY = "lms_locale"
#: Browser tags whose nearest interface language is not found by the primary subtag alone.
BROWSER_ALIASES = {
    "zh-tw": "zh_Hant", "zh-hk": "zh_Hant", "zh-mo": "zh_Hant", "zh-hant": "zh_Hant",
    "zh-cn": "zh_Hans", "zh-sg": "zh_Hans", "zh-hans": "zh_Hans", "tl": "fil",
}


class LazyMessage(LazyString):
    """A lazy translation that, shown as HTML, escapes the values put into it but not its own words.

    Flask-Babel's lazy strings claim to be markup whole (``__html__`` returns the formatted text), so a
    name put into one reached pages raw. As plain text (``str``: emails, PDFs, CSV, logs) nothing changes.
    """

    def __init__(self, string: str, **variables):
        super().__init__(gettext, string, **variables)
        self._string, self._variables = string, variables

    def __html__(self) -> Markup:
        if not self._variables:
            return Markup(str(self))
        return Markup(gettext(self._string)) % self._variables


def lazy_gettext(string: str, **variables) -> LazyMessage:
    """Translate ``string`` when it is used; the package imports this as ``_l``, never Flask-Babel's."""
    return LazyMessage(string, **variables)


def supported_languages() -> list[str]:
    return list(current_app.config["LMS_LANGUAGES"])


@lru_cache(maxsize=64)
def native_name(code: str) -> str:
    """Name a language in that language, capitalised where the script has case."""
    if code in NATIVE_NAME_OVERRIDES:
        return NATIVE_NAME_OVERRIDES[code]
    name = Locale.parse(code).display_name or code
    return name[:1].upper() + name[1:]


def language_choices() -> list[tuple[str, str]]:
    return _choices(tuple(supported_languages()))


@lru_cache(maxsize=8)
def _choices(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(code, native_name(code)) for code in codes]


def select_locale() -> str:
    """Pick the user's choice, then the browser's preference, then the default."""
    supported = supported_languages()
    if not has_request_context():
        return current_app.config["LMS_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    chosen = session.get(SESSION_KEY)
    if chosen in supported:
        return chosen
    return browser_language(supported) or current_app.config["LMS_DEFAULT_LOCALE"]


def browser_language(supported: list[str]) -> str | None:
    """The best supported language for the Accept-Language header, if any."""
    by_tag = {lang_tag(code).lower(): code for code in supported}
    by_primary = {}
    for code in supported:
        by_primary.setdefault(code.split("_")[0], code)
    for value, _quality in request.accept_languages:
        tag = value.lower()
        for candidate in (BROWSER_ALIASES.get(tag), by_tag.get(tag)):
            if candidate in supported:
                return candidate
        if tag.split("-")[0] in by_primary:
            return by_primary[tag.split("-")[0]]
    return None


def select_timezone() -> str:
    return current_app.config["LMS_TIMEZONE"]


def current_language_code() -> str:
    """The code of the active locale, as listed in LMS_LANGUAGES."""
    locale = get_locale()
    if locale is None:
        return current_app.config["LMS_DEFAULT_LOCALE"]
    code = str(locale)
    return code if code in supported_languages() else locale.language


def lang_tag(code: str) -> str:
    """The BCP 47 tag for an HTML lang attribute: zh_Hans -> zh-Hans."""
    return code.replace("_", "-")


@lru_cache(maxsize=64)
def text_direction(code: str) -> str:
    return Locale.parse(code).text_direction


def day_and_time(moment: datetime) -> str:
    """The day (medium) and the time without seconds, in the program's time zone: "Dec 5, 2026, 6:00 PM"."""
    pattern = get_datetime_format("medium", locale=get_locale() or "en").replace("'", "")
    return pattern.replace("{1}", format_date(moment, "medium")).replace("{0}", format_time(moment, "short"))


def time_range(starts_at: datetime, ends_at: datetime) -> str:
    """When a session is held, without seconds in any locale: "Dec 5, 2026, 6:00 PM – 8:00 PM"."""
    return f"{day_and_time(starts_at)} – {format_time(ends_at, 'short')}"


def ltr_text(value: str) -> str:
    """Plain text (a PDF line, an email) keeping ``value`` left to right inside right-to-left text."""
    return f"\u2066{value}\u2069" if value else ""


def auto_text(value: str) -> str:
    """Plain text keeping ``value`` one run in its own direction (its first letter's) beside other text."""
    return f"\u2068{value}\u2069" if value else ""


def join_parts(parts, separator: str = " · ") -> str:
    """The non-empty parts of a line of details joined by ``separator`` (no "a · · b")."""
    return separator.join(str(part) for part in parts if part is not None and str(part).strip())
