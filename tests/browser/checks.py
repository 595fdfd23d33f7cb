"""Checks every browser test can make of a page: it fits the screen, table words stay whole, axe finds no
blocking problem."""

from axe_playwright_python.sync_playwright import Axe

#: Elements wholly or partly outside the viewport; scrolling tables, the phone's sideways-scrolling menu row
#: and visually hidden text may be.
OFF_SCREEN = """() => {
  const width = document.documentElement.clientWidth, found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.table-wrap, .site-nav li, .visually-hidden, .skip-link, [hidden], option')) continue;
    const box = el.getBoundingClientRect();
    if ((box.width || box.height) && (box.right > width + 1 || box.left < -1))
      found.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(box.left)}..${Math.round(box.right)}`);
  }
  return found.slice(0, 5);
}"""

#: Words of table cells broken inside themselves or sticking out of their cell, and tables wider than their
#: container outside a scroll container of their own. A line may break after a hyphen ("Mei-|ling") or before
#: an opening parenthesis ("마감|(대기자"), as in print; emails, addresses, placeholders and long codes may wrap
#: anywhere; CJK text breaks between characters.
TABLE_WORDS = r"""() => {
  const found = [];
  const MAY_WRAP = /[@\/\\]|%\(|^\S{25,}$/, CJK = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]/;
  const shown = el => el.getClientRects().length && !el.closest('.visually-hidden, [hidden]');
  for (const cell of document.querySelectorAll('th, td')) {
    if (!shown(cell)) continue;
    const style = getComputedStyle(cell), box = cell.getBoundingClientRect();
    const left = box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft) - 1;
    const right = box.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight) + 1;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement || !shown(node.parentElement)) continue;
      for (const match of node.data.matchAll(/[(（]?[^\s\-‐(（]+[\-‐]?|[\-‐(（]/g)) {
        const word = match[0];
        if (CJK.test(word)) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + word.length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        if (!rects.length) continue;
        const tops = rects.map(r => r.top), lines = Math.max(...tops) - Math.min(...tops) > 2;
        const outside = Math.min(...rects.map(r => r.left)) < left || Math.max(...rects.map(r => r.right)) > right;
        const where = cell.tagName.toLowerCase();
        if (lines && !MAY_WRAP.test(word)) found.push(`"${word}" breaks across lines in <${where}>`);
        else if (outside) found.push(`"${word}" sticks out of its <${where}>`);
      }
    }
  }
  for (const table of document.querySelectorAll('table')) {
    if (!shown(table)) continue;
    const container = table.parentElement;
    if (table.getBoundingClientRect().width <= container.clientWidth + 1) continue;
    let scroller = container;
    while (scroller && scroller !== document.body && !/auto|scroll/.test(getComputedStyle(scroller).overflowX))
      scroller = scroller.parentElement;
    if (!scroller || scroller === document.body)
      found.push(`a table ${Math.round(table.getBoundingClientRect().width)}px wide in ${container.clientWidth}px ` +
                 `is not in a scroll container of its own`);
  }
  return [...new Set(found)].slice(0, 10);
}"""


def overflow(page) -> int:
    """How many pixels wider than the window the page is, measured once it has loaded (and is styled)."""
    page.wait_for_load_state("load")  # a click may have just started the next page
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def broken_table_words(page) -> list[str]:
    """What in the page's tables a person could not read whole (see TABLE_WORDS)."""
    return page.evaluate(TABLE_WORDS)


def assert_fits(page, what):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{what} is {overflow}px wider than the screen"
    off_screen = page.evaluate(OFF_SCREEN)
    assert off_screen == [], f"{what} has parts off the screen: {off_screen}"
    assert broken_table_words(page) == [], f"{what}: {broken_table_words(page)}"


#: axe's impact levels a page may not have.
BLOCKING = {"serious", "critical"}


def assert_usable(page, what):
    """The page fits the screen, its table words stay whole, and axe finds nothing serious or critical."""
    page.wait_for_load_state("load")  # a click may have just started the next page
    assert_fits(page, what)
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{what}:\n{results.generate_report()}"
