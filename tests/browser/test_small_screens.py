"""Every page on a small phone and at 200% zoom: nothing scrolls sideways (WCAG 1.4.10), the staff list's
filters fold away until asked for, and radios and checkboxes are big enough to tap."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe

from clinic_app.embed.theme import contrast
from tests.browser.steps import go_to_insurance, send_as_it_is
from tests.helpers import STAFF_PASSWORD, create_account, submit, valid_answers

# 320x640: a small phone, and WCAG's 320 CSS px. 390x844: a common phone. 640x400: a 1280x800 screen
# at 200% zoom (1.4.10's other case). 768x1024: a tablet, where the staff tables stop being cards.
VIEWPORTS = {
    "320x640": {"width": 320, "height": 640},
    "390x844": {"width": 390, "height": 844},
    "640x400 (1280 at 200%)": {"width": 640, "height": 400},
    "768x1024": {"width": 768, "height": 1024},
}

OWNER_EMAIL = "olivia.owner-of-the-clinic.with-a-long-address@headache-and-neck-pain-clinic.example"
LONG_EMAIL = "ana.maria.diaz-hernandez.with-a-very-long-mailbox-name@example-health-mail-provider.example"
LONG_NAME = "Ana María Díaz-Hernández Wolfeschlegelsteinhausenbergerdorff"

SCROLL_WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"
FILTERS_OPEN = "document.querySelector('details.filters').open"


@dataclass
class Clinic:
    """A running app with a few requests in it, and the addresses of every kind of page."""

    url: str
    request_id: int
    confirmation: str
    urgent_request_id: int
    urgent_confirmation: str


@pytest.fixture
def clinic(live_app):
    app = live_app.app
    create_account(app, OWNER_EMAIL, role="owner", name="Olivia Owner-Of-The-Clinic")
    create_account(app, "desk@clinic.example", role="staff", name="Dana Desk")
    client = app.test_client()
    urgent = submit(client, valid_answers(email="short@example.com", warning_signs="yes"))
    submit(client, valid_answers(full_name="Ben Lee", coverage="self_pay"))
    sent = submit(client, valid_answers(full_name=LONG_NAME, email=LONG_EMAIL, message="x" * 300))
    assert sent.status_code == 303, sent.status_code
    confirmation = sent.headers["Location"]
    with app.app_context():
        from clinic_app.extensions import db
        from clinic_app.models import ConsultationRequest

        ids = sorted(db.session.scalars(db.select(ConsultationRequest.id)))
    return Clinic(live_app.url, ids[-1], confirmation, ids[0], urgent.headers["Location"])


def sign_in(page, url: str) -> None:
    page.goto(f"{url}/staff/sign-in")
    page.get_by_label("Email").fill(OWNER_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Requests").wait_for()


def public_pages(page, clinic: Clinic):
    """Each public page and state, opened in turn; yields its name once it is showing."""
    page.goto(f"{clinic.url}/request")
    yield "request form"
    page.get_by_label("Yes, at least one of these").check()
    yield "request form, a warning sign"
    go_to_insurance(page)
    page.get_by_label("Private insurance").check()
    yield "request form, second step: private insurance, after a warning sign"
    page.get_by_role("button", name="Send my request").click()
    page.locator("#error-summary").wait_for()
    yield "request form with errors"
    page.goto(f"{clinic.url}{clinic.confirmation}")
    yield "confirmation"
    page.goto(f"{clinic.url}{clinic.urgent_confirmation}")
    yield "confirmation after a warning sign"
    page.goto(f"{clinic.url}/request/received/not-a-real-link")
    yield "confirmation link expired"
    page.goto(f"{clinic.url}/privacy")
    yield "privacy notice"
    page.goto(f"{clinic.url}/no-such-page")
    yield "not found"
    page.goto(f"{clinic.url}/embed/form")
    yield "embedded form, on its own"
    # An owner's accent colour: lightened in dark mode, darkened on the light page if need be.
    page.goto(f"{clinic.url}/embed/form?accent=7a1f5c")
    send_as_it_is(page)
    page.locator("#error-summary").wait_for()
    yield "embedded form in an accent colour, with errors"
    page.goto(f"{clinic.url}/staff/sign-in")
    yield "staff sign-in"
    page.get_by_role("button", name="Sign in").click()
    page.locator("#error-summary").wait_for()
    yield "staff sign-in with errors"
    page.goto(f"{clinic.url}/staff/set-password/not-a-real-link")
    yield "set password, link used up"


def staff_pages(page, clinic: Clinic):
    sign_in(page, clinic.url)
    yield "request list"
    page.goto(f"{clinic.url}/staff/?q=ana")
    yield "request list, searched"
    page.goto(f"{clinic.url}/staff/requests/{clinic.request_id}")
    yield "request page"
    page.goto(f"{clinic.url}/staff/requests/{clinic.urgent_request_id}")
    yield "request page, a warning sign"
    page.goto(f"{clinic.url}/staff/?spam=1")
    yield "requests kept as spam"
    page.goto(f"{clinic.url}/staff/audit")
    yield "audit log"
    page.goto(f"{clinic.url}/staff/team")
    yield "team"
    page.get_by_role("button", name="New password link for Dana Desk").click()
    link = page.locator(".link-to-copy")
    link.wait_for()
    link_text = link.inner_text()
    yield "team, with a password link"
    page.goto(f"{clinic.url}/staff/embed?site=https://www.a-clinic-with-a-rather-long-domain-name.example")
    yield "embed check"
    page.goto(f"{clinic.url}/staff/embed")
    yield "embed page"
    page.goto(link_text)
    yield "set password"


def no_sideways_scroll(page, pages) -> dict[str, int]:
    widths = {}
    for name in pages:
        scroll_width, viewport = page.evaluate(SCROLL_WIDTH)
        widths[name] = scroll_width
    viewport = page.viewport_size["width"]
    print(f"\nscrollWidth at {viewport} px: " + ", ".join(f"{name} {w}" for name, w in widths.items()))
    return {name: width for name, width in widths.items() if width > viewport}


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_no_page_scrolls_sideways(chromium, clinic, viewport):
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    try:
        too_wide = no_sideways_scroll(page, public_pages(page, clinic))
        too_wide |= no_sideways_scroll(page, staff_pages(page, clinic))
    finally:
        context.close()
    assert too_wide == {}, f"wider than {viewport['width']} px"


def test_the_request_list_folds_its_filters_until_one_is_used(chromium, clinic):
    context = chromium.new_context(viewport=VIEWPORTS["390x844"])
    page = context.new_page()
    try:
        sign_in(page, clinic.url)
        assert page.evaluate(FILTERS_OPEN) is False, "folded when nothing is filtered"
        first_request = page.locator("table.requests tbody tr").first.bounding_box()
        assert first_request is not None and first_request["y"] < 844, (
            "the first request is on the first screen"
        )

        page.get_by_text("Filter and search").click()
        page.get_by_label("Search by name, email or phone").fill("ana")
        page.get_by_role("button", name="Show requests").click()
        page.wait_for_url(re.compile(r"q=ana"))
        assert page.evaluate(FILTERS_OPEN) is True, "open while a search is active"
        assert page.get_by_label("Search by name, email or phone").input_value() == "ana"

        for query in ("coverage=self_pay", "received_from=2020-01-01"):
            page.goto(f"{clinic.url}/staff/?{query}")
            assert page.evaluate(FILTERS_OPEN) is True, f"open with {query}"
        # A status is chosen with the links above the panel, which leave it folded and the list in view.
        page.goto(f"{clinic.url}/staff/")
        page.get_by_role("link", name=re.compile(r"^New \d")).click()
        page.wait_for_url(re.compile(r"status=new"))
        assert page.evaluate(FILTERS_OPEN) is False, "folded with only a status chosen"
        page.goto(f"{clinic.url}/staff/?q=")
        assert page.evaluate(FILTERS_OPEN) is False, "an empty search is no filter"
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_any_page_in_either_colour_scheme(chromium, clinic, scheme):
    context = chromium.new_context(viewport=VIEWPORTS["390x844"], color_scheme=scheme)
    page = context.new_page()
    found = {}
    try:
        for pages in (public_pages(page, clinic), staff_pages(page, clinic)):
            for name in pages:
                result = Axe().run(page)
                found[name] = [
                    f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in result.response["violations"]
                ]
    finally:
        context.close()
    assert {name: problems for name, problems in found.items() if problems} == {}


# The focused element's outline, and the page behind it, as hex.
FOCUS_RING = """() => {
  const hex = (colour) => colour.match(/\\d+/g).slice(0, 3).map((n) => (+n).toString(16).padStart(2, "0")).join("");
  const ring = getComputedStyle(document.activeElement);
  return [ring.outlineStyle, parseFloat(ring.outlineWidth), hex(ring.outlineColor),
          hex(getComputedStyle(document.body).backgroundColor)];
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_rings_stand_out_in_either_colour_scheme(chromium, clinic, scheme):
    context = chromium.new_context(viewport=VIEWPORTS["390x844"], color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(f"{clinic.url}/request")
        rings = []
        for _ in range(6):  # the skip link, then the form's first fields, by keyboard
            page.keyboard.press("Tab")
            rings.append(page.evaluate(FOCUS_RING))
        sign_in(page, clinic.url)
        page.get_by_text("Filter and search").focus()
        page.keyboard.press("Tab")
        page.keyboard.press("Shift+Tab")
        rings.append(page.evaluate(FOCUS_RING))
    finally:
        context.close()
    for style, width, outline, background in rings:
        assert style == "solid" and width >= 2
        assert contrast(outline, background) >= 3, f"outline #{outline} on #{background}"


# Every radio and checkbox that shows, with the box a finger can hit: the input's, and its label's.
HIT_AREAS = """() => [...document.querySelectorAll('input[type=radio], input[type=checkbox]')]
  .filter((input) => input.getClientRects().length && input.closest('.hp') === null)
  .map((input) => {
    const box = input.getBoundingClientRect();
    const label = input.labels[0].getBoundingClientRect();
    return {id: input.id, input: [box.width, box.height], label: [label.width, label.height]};
  })"""


@pytest.mark.parametrize("viewport", [VIEWPORTS["320x640"], VIEWPORTS["390x844"]], ids=["320x640", "390x844"])
def test_radios_and_checkboxes_are_easy_to_tap(chromium, clinic, viewport):
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"{clinic.url}/request")
        page.get_by_text("Best days and times for us to call (optional)").click()
        areas = page.evaluate(HIT_AREAS)
        go_to_insurance(page)
        page.get_by_label("Private insurance").check()
        areas += page.evaluate(HIT_AREAS)
        sign_in(page, clinic.url)
        areas += page.evaluate(HIT_AREAS)
    finally:
        context.close()
    assert len(areas) > 20, "the form's radios and checkboxes were found"
    too_small = [area for area in areas if min(area["input"]) < 24 or min(area["label"]) < 24]
    assert too_small == [], "each input, and the label that ticks it, at least 24x24 px"
    # Above the minimum: the label, which ticks the box too, is a comfortable 44 px tall.
    assert min(area["label"][1] for area in areas) >= 44
