"""Attacks on moderator accounts: redirects off the site after login, a planted session,
the admin without a second factor, replayed and guessed codes, accounts that were shut off
while logged in, and telling registered user names from unknown ones."""

import re
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import MODERATOR_PASSWORD, log_in, make_user, totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
QUEUE = reverse("moderation:queue")


def wrong_code(user):
    right = totp_code(TOTPDevice.objects.get(user=user))
    return f"{(int(right) + 1) % 1_000_000:06d}"


# --- redirects after login -------------------------------------------------------------------

OFF_SITE = [
    "https://evil.example/",
    "http://evil.example/moderation/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    " //evil.example/",
    "https:evil.example",
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "http://testserver@evil.example/",
    "http://evil.example\\@testserver/",
]


@pytest.mark.parametrize("where", ["query string", "form field"])
@pytest.mark.parametrize("target", OFF_SITE)
def test_a_login_never_redirects_off_the_site(client, moderator, target, where):
    data = {
        "username": moderator.username,
        "password": MODERATOR_PASSWORD,
        "otp_token": totp_code(TOTPDevice.objects.get(user=moderator)),
    }
    if where == "form field":
        data["next"] = target
        url = LOGIN
    else:
        url = f"{LOGIN}?{urlencode({'next': target})}"

    response = client.post(url, data)

    assert response.status_code == 302
    assert response.url == QUEUE


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_login_page_does_not_carry_an_off_site_target_in_its_form(client, target):
    response = client.get(LOGIN, {"next": target})

    assert response.status_code == 200
    assert re.search(r'name="next" value="/moderation/"', response.content.decode())


def test_a_target_on_the_site_is_followed_after_login(client, moderator):
    target = reverse("moderation:queue") + "?state=new"

    response = client.post(
        f"{LOGIN}?next={target}",
        {
            "username": moderator.username,
            "password": MODERATOR_PASSWORD,
            "otp_token": totp_code(TOTPDevice.objects.get(user=moderator)),
        },
    )

    assert response.url == "/moderation/?state=new"


# --- sessions ---------------------------------------------------------------------------------


def planted_session(client):
    """A session an attacker made and slipped into the victim's browser (session fixation)."""
    session = SessionStore()
    session["planted"] = True
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return session.session_key


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_logging_in_replaces_a_planted_session(client, moderator):
    planted = planted_session(client)

    assert log_in(client, moderator).status_code == 302

    assert session_key(client) != planted
    assert not SessionStore().exists(planted)


def test_the_attacker_holding_the_planted_session_is_not_logged_in(client, moderator):
    planted = planted_session(client)
    log_in(client, moderator)
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted

    response = attacker.get(QUEUE)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert client.get(QUEUE).status_code == 200


def test_a_session_stolen_before_logout_is_useless_after_it(moderator_client):
    stolen = session_key(moderator_client)
    moderator_client.post(reverse("accounts:logout"))
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = stolen

    assert thief.get(QUEUE).status_code == 302


# --- the admin -------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    user = make_user("root-admin")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


ADMIN_PAGES = [
    "/admin/",
    "/admin/tracker/case/",
    "/admin/tracker/case/add/",
    "/admin/auth/user/",
    "/admin/auth/group/",
    "/admin/moderation/auditevent/",
    "/admin/otp_totp/totpdevice/",
    "/admin/password_change/",
]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_superuser_with_a_password_only_session_cannot_open_the_admin(client, superuser, url):
    client.force_login(superuser)  # password accepted, no code given

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_the_admin_login_form_wants_the_code_as_well(client, superuser):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": superuser.username, "password": MODERATOR_PASSWORD},
    )

    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_a_superuser_without_a_device_is_sent_to_enrolment_not_to_the_admin(client):
    admin = make_user("new-admin", device=False)
    admin.is_staff = admin.is_superuser = True
    admin.save()

    response = log_in(client, admin, code="")

    assert response.url == reverse("accounts:enrol")
    assert client.get("/admin/").status_code == 302


# --- codes -----------------------------------------------------------------------------------


def test_a_code_replayed_in_another_browser_is_refused(client, moderator):
    code = totp_code(TOTPDevice.objects.get(user=moderator))
    assert log_in(client, moderator, code=code).status_code == 302

    thief = Client()
    response = log_in(thief, moderator, code=code)

    assert response.status_code == 200
    assert "already used" in response.content.decode()
    assert thief.get(QUEUE).status_code == 302


def test_a_code_replayed_after_logout_is_refused(client, moderator):
    code = totp_code(TOTPDevice.objects.get(user=moderator))
    log_in(client, moderator, code=code)
    client.post(reverse("accounts:logout"))

    response = log_in(client, moderator, code=code)

    assert response.status_code == 200
    assert client.get(QUEUE).status_code == 302


def test_twenty_wrong_codes_lock_the_account_and_the_right_code_then_fails(client, moderator):
    statuses = [
        log_in(client, moderator, code=wrong_code(moderator)).status_code for _ in range(20)
    ]

    assert statuses[: settings.AXES_FAILURE_LIMIT - 1].count(200) == settings.AXES_FAILURE_LIMIT - 1
    assert set(statuses[settings.AXES_FAILURE_LIMIT :]) == {429}
    assert log_in(client, moderator).status_code == 429
    assert client.get(QUEUE).status_code == 302


def test_a_locked_account_does_not_lock_out_the_other_moderators(client, moderator):
    for _ in range(20):
        log_in(client, moderator, code=wrong_code(moderator))
    colleague = make_user("colleague", moderator=True)

    other = Client()
    assert log_in(other, colleague).status_code == 302
    assert other.get(QUEUE).status_code == 200


# --- accounts shut off while logged in ----------------------------------------------------


def test_a_deactivated_moderator_is_logged_out_on_the_next_request(moderator_client, moderator):
    moderator.is_active = False
    moderator.save()

    response = moderator_client.get(QUEUE)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_a_moderator_removed_from_the_group_is_refused_on_the_next_request(
    moderator_client, moderator
):
    moderator.groups.remove(Group.objects.get(name="Moderators"))

    assert moderator_client.get(QUEUE).status_code == 403
    assert moderator_client.post(reverse("moderation:bulk_reject_spam")).status_code == 403


def test_a_moderator_whose_device_was_removed_must_log_in_again(moderator_client, moderator):
    TOTPDevice.objects.filter(user=moderator).delete()

    response = moderator_client.get(QUEUE)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_a_password_change_elsewhere_ends_the_other_sessions(moderator_client, moderator):
    moderator.set_password("a completely new passphrase")
    moderator.save()

    assert moderator_client.get(QUEUE).status_code == 302


# --- user names ----------------------------------------------------------------------------


def comparable(response, username):
    """The page less what differs by design: the echoed name and the masked CSRF token."""
    content = response.content.decode().replace(username, "NAME")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content)


def attempt(client, username, monkeypatch):
    """A failed login: the response, the password hashes computed, the SQL statements."""
    hashes = []
    original = MD5PasswordHasher.encode

    def counting(self, password, salt):
        hashes.append(salt)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    data = {"username": username, "password": "a wrong passphrase", "otp_token": "123456"}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(LOGIN, data)
    monkeypatch.undo()
    return response, len(hashes), len(queries)


def test_a_known_and_an_unknown_user_name_get_the_same_answer(client, moderator, monkeypatch):
    known, known_hashes, _ = attempt(client, moderator.username, monkeypatch)
    unknown, unknown_hashes, _ = attempt(Client(), "nobody-by-this-name", monkeypatch)

    assert known.status_code == unknown.status_code == 200
    assert comparable(known, moderator.username) == comparable(unknown, "nobody-by-this-name")


def test_a_known_and_an_unknown_user_name_cost_the_same_work(client, moderator, monkeypatch):
    _, known_hashes, known_queries = attempt(client, moderator.username, monkeypatch)
    _, unknown_hashes, unknown_queries = attempt(Client(), "nobody-by-this-name", monkeypatch)

    assert known_hashes == unknown_hashes == 1  # one password hash each
    assert known_queries == unknown_queries


def test_a_locked_unknown_name_looks_like_a_locked_known_name(client, moderator):
    pages = {}
    for username in (moderator.username, "nobody-by-this-name"):
        browser = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            browser.post(LOGIN, {"username": username, "password": "wrong", "otp_token": ""})
        response = browser.post(LOGIN, {"username": username, "password": "wrong"})
        pages[username] = (response.status_code, comparable(response, username))

    assert pages[moderator.username] == pages["nobody-by-this-name"]
    assert pages[moderator.username][0] == 429
