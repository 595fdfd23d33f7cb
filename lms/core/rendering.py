"""Small HTML builders used on every page, in Python because they run many times per page.

They are Jinja globals and filters (see LMS.init_app); the macros in lms/_forms.html and lms/_text.html
call them, so a host can still override those templates.
"""

from flask_babel import gettext as _
from markupsafe import Markup

from lms import i18n
from lms.core.links import public_url

#: Fields whose value reads left to right in every language: addresses and codes.
LTR_FIELD_TYPES = frozenset({"EmailField", "URLField"})
LTR_FIELD_NAMES = frozenset({"code", "video_url"})


def render_field(field, hint=None, **attrs) -> Markup:
    """A labelled input, its hint and its errors, tied together for screen readers."""
    described = []
    if hint:
        described.append(f"{field.id}-hint")
    if field.errors:
        described.append(f"{field.id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    attrs.setdefault("class", "field__input")
    if field.type in LTR_FIELD_TYPES or field.name in LTR_FIELD_NAMES:
        attrs.setdefault("dir", "ltr")  # an address or code typed in a right-to-left page keeps its order
    parts = [Markup('<div class="field{}">').format(" field--error" if field.errors else ""),
             field.label(class_="field__label")]
    if hint:
        parts.append(Markup('<p class="field__hint" id="{}-hint">{}</p>').format(field.id, hint))
    if field.errors:
        parts.append(Markup('<p class="field__error" id="{}-error"><span class="visually-hidden">{}</span> {}</p>')
                     .format(field.id, _("Error:"), " ".join(str(e) for e in field.errors)))
    parts.append(field(**attrs))
    parts.append(Markup("</div>"))
    return Markup("").join(parts)


def render_text(text, tag: str = "span") -> Markup:
    """Course text marked with the language it is in, and marked when it is a fallback."""
    html = Markup('<{tag} lang="{lang}" dir="auto">{value}</{tag}>').format(
        tag=Markup(tag), lang=i18n.lang_tag(text.language), value=text.value)
    if text.fallback:
        html += Markup(' <small class="fallback-note">{}</small>').format(fallback_note(text.language))
    return html


def fallback_note(language: str) -> str:
    return _("(not translated yet: shown in %(language)s)", language=i18n.native_name(language))


def ltr(value) -> Markup:
    """A code, serial, address or number kept in left-to-right order inside right-to-left text."""
    if value is None or value == "":
        return Markup("")
    return Markup('<bdi dir="ltr">{}</bdi>').format(value)


def join_parts(parts, separator: str = " · ") -> Markup:
    """The non-empty parts of a line of details, escaped and joined by ``separator`` (no "a · · b")."""
    return Markup(separator).join(part for part in parts if part is not None and str(part).strip())


JINJA_GLOBALS = {
    "lms_field": render_field,
    "lms_text": render_text,
    "lms_language_name": i18n.native_name,
    "lms_day_and_time": i18n.day_and_time,
    "lms_public_url": public_url,
}
JINJA_FILTERS = {
    "ltr": ltr,
    "join_parts": join_parts,
}
