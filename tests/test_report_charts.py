"""Report bar charts: well-formed SVG, text that keeps its size, bars to scale, hidden counts as text, escaped."""

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from lms.reports.charts import BAR_SHARE, ROW_HEIGHT, Bar, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def draw(bars, **options) -> ET.Element:
    """Render a chart and parse it, which fails unless it is well-formed XML."""
    markup = bar_chart(bars, title_id=options.pop("title_id", "chart-title"), table_id="chart-table", **options)
    assert isinstance(markup, Markup)
    return ET.fromstring(str(markup))


def rows(svg: ET.Element) -> list[ET.Element]:
    return svg.findall(f"{SVG}g")


def part(row: ET.Element, css_class: str) -> ET.Element | None:
    return next((element for element in row if element.get("class") == css_class), None)


def percent(element: ET.Element, name: str) -> float:
    """A position or width given as a share of the chart's width."""
    value = element.get(name)
    assert value.endswith("%"), f"{name}={value!r} would not follow the chart's width"
    return float(value[:-1])


def test_chart_is_an_image_named_by_its_caption_and_described_by_its_table():
    svg = draw([Bar("Cohort 1", 78, "78")])
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img" and svg.get("class") == "bar-chart"
    assert svg.get("aria-labelledby") == "chart-title" and svg.get("aria-describedby") == "chart-table"
    assert svg.get("width") == "100%"


def test_chart_text_keeps_a_readable_size_however_narrow_the_chart_is():
    # A viewBox would scale the drawing, text included, to the chart's width: 13 units read 7 px on a phone.
    svg = draw([Bar("Early care educator", 90, "44.8%"), Bar("Home visitor", None, "<5")])
    assert svg.get("viewBox") is None
    texts = svg.findall(f".//{SVG}text")
    assert len(texts) == 4 and all(float(text.get("font-size")) >= 12 for text in texts)
    assert all(text.get("x").endswith("%") for text in texts)


def test_height_grows_with_the_number_of_bars():
    one, ten = (draw([Bar(f"Site {n}", n + 1, str(n + 1)) for n in range(count)]) for count in (1, 10))
    heights = [float(svg.get("height")) for svg in (one, ten)]
    assert heights[1] - heights[0] == pytest.approx(9 * ROW_HEIGHT)


def test_bar_widths_are_proportional_to_their_values():
    svg = draw([Bar("A", 80, "80"), Bar("B", 40, "40"), Bar("C", 20, "20"), Bar("D", 0, "0")])
    widths = [percent(part(row, "bar-chart__bar"), "width") for row in rows(svg)[:3]]
    assert widths == pytest.approx([BAR_SHARE, BAR_SHARE / 2, BAR_SHARE / 4])
    assert part(rows(svg)[3], "bar-chart__bar") is None
    assert all(percent(part(row, "bar-chart__bar"), "x") == 0 for row in rows(svg)[:3])


def test_each_value_is_written_just_after_its_bar():
    for row in rows(draw([Bar("A", 80, "80"), Bar("B", 20, "20")])):
        bar = part(row, "bar-chart__bar")
        value = part(row, "bar-chart__value")
        assert percent(value, "x") == pytest.approx(percent(bar, "x") + percent(bar, "width"))
        assert float(value.get("dx")) > 0 and percent(value, "x") < 100
        assert float(bar.get("y")) > float(part(row, "bar-chart__label").get("y")), "the label sits above its bar"


def test_a_hidden_count_draws_no_bar_but_shows_its_text():
    svg = draw([Bar("Cohort 1", 78, "78"), Bar("Cohort 2", None, "<5")])
    hidden = rows(svg)[1]
    assert part(hidden, "bar-chart__bar") is None
    assert part(hidden, "bar-chart__value").text == "<5"
    assert part(hidden, "bar-chart__label").text == "Cohort 2"


@pytest.mark.parametrize("values", [(None, None), (0, 0), ()])
def test_a_chart_with_nothing_to_scale_draws_no_bars(values):
    svg = draw([Bar(f"Group {n}", value, "*") for n, value in enumerate(values)])
    assert svg.findall(f".//{SVG}rect") == []
    assert len(rows(svg)) == len(values)


def test_every_bar_has_a_tooltip_with_its_label_and_text():
    svg = draw([Bar("Cohort 1", 78, "78"), Bar("Cohort 2", None, "<5")])
    assert [row.find(f"{SVG}title").text for row in rows(svg)] == ["Cohort 1: 78", "Cohort 2: <5"]


def test_labels_texts_and_ids_are_escaped():
    label = '<script>alert(1)</script>&"'
    markup = str(bar_chart([Bar(label, 3, '"><img src=x onerror=alert(1)>')], title_id='x" onload="alert(1)',
                           table_id="t"))
    assert "<script>" not in markup and "<img" not in markup and 'onload="' not in markup
    svg = ET.fromstring(markup)
    assert svg.get("aria-labelledby") == 'x" onload="alert(1)'
    assert rows(svg)[0].find(f"{SVG}title").text == f'{label}: "><img src=x onerror=alert(1)>'
    assert part(rows(svg)[0], "bar-chart__label").text == label


def test_long_labels_are_cut_short_in_the_drawing_but_whole_in_the_tooltip():
    label = "Early Head Start home visitors and family child care providers"
    row = rows(draw([Bar(label, 12, "12"), Bar("王芳" * 10, 12, "12")]))
    shown = part(row[0], "bar-chart__label").text
    assert shown.endswith("…") and len(shown) <= 28 and label.startswith(shown[:-1])
    assert part(row[1], "bar-chart__label").text.endswith("…")  # wide characters count twice
    assert row[0].find(f"{SVG}title").text == f"{label}: 12"


def test_left_to_right_labels_start_at_the_left_edge():
    row = rows(draw([Bar("Cohort 1", 78, "78")]))[0]
    label = part(row, "bar-chart__label")
    assert label.get("x") == "0%" and label.get("text-anchor") == "start" and label.get("direction") is None


def test_right_to_left_chart_is_mirrored():
    svg = draw([Bar("الدفعة الأولى", 80, "80"), Bar("الدفعة الثانية", 20, "20")], rtl=True)
    for row in rows(svg):
        label, bar, value = (part(row, name) for name in ("bar-chart__label", "bar-chart__bar", "bar-chart__value"))
        # With direction="rtl", text-anchor="start" sets the text's right edge at x.
        assert all(text.get("direction") == "rtl" and text.get("text-anchor") == "start" for text in (label, value))
        assert percent(label, "x") == 100
        assert percent(bar, "x") + percent(bar, "width") == pytest.approx(100)  # grows leftwards
        assert percent(value, "x") == pytest.approx(percent(bar, "x")) and float(value.get("dx")) < 0


def test_colours_are_the_sites_and_classes_let_a_host_restyle_them():
    row = rows(draw([Bar("Cohort 1", 78, "78")]))[0]
    assert part(row, "bar-chart__bar").get("fill") == "#2f6f8f"
    assert part(row, "bar-chart__label").get("fill") == "#1f2933"
    assert part(row, "bar-chart__value").get("fill") == "#1f2933"
