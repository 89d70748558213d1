"""Moderators write a case in three languages side by side on a desk, one under the other
on a phone (360 px), on the seed cases the test server loaded (with their translations)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("width", "side_by_side"), [(1280, True), (360, False)])
def test_the_case_form_shows_the_languages_side_by_side_or_stacked_on_a_phone(
    make_page, make_moderator, server, width, side_by_side
):
    moderator = make_moderator(f"translator-{width}")
    page = make_page(locale="en-GB", viewport={"width": width, "height": 900})
    log_in(page, server, moderator)
    page.goto(server.url + "/moderation/cases/1/edit/")

    titles = [page.locator(f"[name=title_{language}]") for language in ("en", "ru", "uk")]
    for title in titles:
        expect(title).not_to_have_value("")
    boxes = [title.bounding_box() for title in titles]
    if side_by_side:
        assert abs(boxes[0]["y"] - boxes[2]["y"]) < 2 and abs(boxes[1]["y"] - boxes[2]["y"]) < 2
        assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
    else:
        assert boxes[0]["x"] == boxes[1]["x"] == boxes[2]["x"]
        assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
