"""Checks every browser test can make of a page: it fits the screen, and axe finds nothing blocking."""

from axe_playwright_python.sync_playwright import Axe

#: Elements wholly or partly outside the viewport; scrolling tables and visually hidden text may be.
OFF_SCREEN = """() => {
  const width = document.documentElement.clientWidth, found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.table-wrap, .visually-hidden, .skip-link, [hidden], option')) continue;
    const box = el.getBoundingClientRect();
    if ((box.width || box.height) && (box.right > width + 1 || box.left < -1))
      found.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(box.left)}..${Math.round(box.right)}`);
  }
  return found.slice(0, 5);
}"""


def overflow(page) -> int:
    """How many pixels wider than the window the page is, measured once it has loaded (and is styled)."""
    page.wait_for_load_state("load")  # a click may have just started the next page
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def assert_fits(page, what):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{what} is {overflow}px wider than the screen"
    assert page.evaluate(OFF_SCREEN) == [], f"{what} has parts off the screen"


#: axe's impact levels a page may not have.
BLOCKING = {"serious", "critical"}


def assert_usable(page, what):
    """The page fits the screen and axe finds nothing serious or critical (WCAG 2.1 A and AA)."""
    page.wait_for_load_state("load")  # a click may have just started the next page
    assert_fits(page, what)
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{what}:\n{results.generate_report()}"
