"""Course text in a reader's language, with fallback, and Markdown rendered to safe HTML."""

from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from lms.courses.models import Course, Module

#: Tags a module may use; everything else (script, style, iframe, on* attributes...) is removed.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"scope"}}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Raw HTML in the source is shown as text, and the result is sanitised again anyway.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render_markdown(source: str) -> Markup:
    """Markdown to HTML that can carry no script, style or event handler.

    Headings move down one level: the page's own title is the only h1.
    """
    parser = _markdown()
    tokens = parser.parse(source or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    html = parser.renderer.render(tokens, parser.options, {})
    return Markup(nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
    ))


@dataclass(frozen=True)
class Text:
    """A piece of course text and the language it is really in."""

    value: str
    language: str
    #: True when the reader's language had no translation and the default language is shown.
    fallback: bool = False


def _pick(translated: str | None, default: str, language: str, default_language: str) -> Text:
    if language == default_language:
        return Text(default, default_language)
    if translated:
        return Text(translated, language)
    return Text(default, default_language, fallback=bool(default))


def reading_language(course: Course, wanted: str) -> str:
    """The language to show a course in: the wanted one if the course has it, else its own."""
    return wanted if wanted in course.languages else course.default_language


@dataclass(frozen=True)
class CourseText:
    title: Text
    summary: Text


def course_text(course: Course, language: str) -> CourseText:
    translation = next((t for t in course.translations if t.language == language), None)
    return CourseText(
        title=_pick(translation and translation.title, course.title, language, course.default_language),
        summary=_pick(translation and translation.summary, course.summary, language, course.default_language),
    )


@dataclass(frozen=True)
class ModuleText:
    title: Text
    content: Text
    reflection_prompt: Text | None

    @property
    def html(self) -> Markup:
        return render_markdown(self.content.value)


def module_text(module: Module, language: str, default_language: str) -> ModuleText:
    translation = next((t for t in module.translations if t.language == language), None)
    prompt = None
    if module.reflection_prompt:
        prompt = _pick(translation and translation.reflection_prompt, module.reflection_prompt,
                       language, default_language)
    return ModuleText(
        title=_pick(translation and translation.title, module.title, language, default_language),
        content=_pick(translation and translation.content, module.content, language, default_language),
        reflection_prompt=prompt,
    )
