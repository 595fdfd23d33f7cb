"""Small HTML builders used on every page, in Python because they run many times per page.

They are Jinja globals (see LMS.init_app); the macros in lms/_forms.html and lms/_text.html
call them, so a host can still override those templates.
"""

from flask_babel import gettext as _
from markupsafe import Markup

from lms import i18n


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


JINJA_GLOBALS = {
    "lms_field": render_field,
    "lms_text": render_text,
    "lms_language_name": i18n.native_name,
}
