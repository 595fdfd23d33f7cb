"""What the eye sees: a serial reads left to right on an Arabic page, and an admin's menu leaves the page's
heading in a phone's first screen while every link stays reachable from the keyboard."""

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.test_certificates import Office

#: The left edge on the screen of each character of ``serial``, in the order they are typed, wherever it is in main.
SERIAL_LEFT_EDGES = """(serial) => {
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, start = node.data.indexOf(serial);
    if (start < 0) continue;
    return [...serial].map((_, i) => {
      const range = document.createRange();
      range.setStart(node, start + i);
      range.setEnd(node, start + i + 1);
      return range.getBoundingClientRect().left;
    });
  }
  return null;
}"""


def test_an_arabic_trainee_sees_the_serial_read_left_to_right(app, admin, make_user, make_course, live_server,
                                                               new_page, log_in):
    office = Office(app, admin, make_user, make_course)
    amira = office.trainee("Amira Haddad", email="amira@example.org", locale="ar")
    office.complete(amira)
    office.issue(amira)
    serial = office.certificates()[0].serial
    for viewport in (PHONE, DESKTOP):
        page = new_page(viewport=viewport)
        log_in(page, "amira@example.org")
        page.goto(f"{live_server}/my/certificates")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        edges = page.evaluate(SERIAL_LEFT_EDGES, serial)
        assert edges == sorted(edges) and len(set(edges)) == len(serial), "each character right of the one before"


def test_on_a_phone_the_admin_menu_leaves_the_heading_in_the_first_screen(make_user, live_server, new_page, log_in):
    make_user("admin", email="office@example.org", full_name="Program Office")
    page = new_page(viewport=PHONE)
    log_in(page, "office@example.org")
    page.goto(f"{live_server}/admin/users")
    heading = page.get_by_role("heading", level=1)
    box = heading.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"] / 4, "the heading shows in the top quarter of the first screen"
    menu = page.get_by_role("navigation", name="Main menu")
    links = menu.get_by_role("link")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1, "the menu is one row that scrolls sideways"
    assert links.count() >= 12, "every link is still in the menu"
    last = menu.get_by_role("link", name="My account", exact=True)
    last.focus()
    expect(last).to_be_in_viewport()
    last.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")


def test_on_a_desktop_the_admin_menu_shows_every_link_without_scrolling(make_user, live_server, new_page, log_in):
    make_user("admin", email="office@example.org", full_name="Program Office")
    page = new_page(viewport=DESKTOP)
    log_in(page, "office@example.org")
    links = page.get_by_role("navigation", name="Main menu").get_by_role("link")
    for number in range(links.count()):
        expect(links.nth(number)).to_be_in_viewport()
