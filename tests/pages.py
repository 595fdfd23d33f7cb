"""Reading pages in request-level tests: text as a reader hears it, field errors, table rows."""

import html
import re

#: Isolates (<bdi>) keep a serial or an email in order inside other text; they add no space to what is read.
ISOLATE_TAGS = re.compile(r"</?bdi\b[^>]*>")


def words_of(fragment: str) -> str:
    """Markup as a reader hears it: isolates dropped, other tags made spaces, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", ISOLATE_TAGS.sub("", fragment))).split())


def text_of(response) -> str:
    """The page as a reader hears it: tags dropped, entities decoded, spaces collapsed."""
    return words_of(response.get_data(as_text=True))


def after(client, response) -> str:
    """The text of the page a redirect leads to, with its flash messages."""
    assert response.status_code == 302, response.get_data(as_text=True)
    return text_of(client.get(response.headers["Location"]))


def tag(body: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    found = re.search(rf'<[a-z]+\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', body)
    assert found, f"no element #{element_id}"
    return found.group(0)


def field_error(body: str, field_id: str) -> str:
    """The message shown next to a field, which the field points to with aria-describedby."""
    found = re.search(rf'<p class="field__error" id="{re.escape(field_id)}-error">(.*?)</p>', body, re.S)
    assert found, f"no error next to #{field_id}"
    assert 'aria-invalid="true"' in tag(body, field_id)
    assert f"{field_id}-error" in tag(body, field_id)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).replace("Error:", "").split())


def table_rows(response) -> list[list[str]]:
    """The body rows of the page's tables, as lists of cell texts."""
    body = response.get_data(as_text=True)
    return [[words_of(cell)
             for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, re.S) if "<td" in row]
