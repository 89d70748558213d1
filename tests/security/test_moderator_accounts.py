"""Moderator accounts an attacker can neither lock nor keep (moderation/security.py), and
the one layer that keeps client addresses from django-axes (tracker/privacy.py)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from moderation import security
from tests.conftest import log_in, make_user, totp_code
from tracker import privacy

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/"
STRANGER = "203.0.113.66"
MODERATORS_ADDRESS = "198.51.100.20"
CANARY_AGENT = "CanaryBrowser/9.9"


def wrong_code(user):
    code = totp_code(TOTPDevice.objects.get(user=user))
    return f"{(int(code) + 1) % 1_000_000:06d}"


def guesses(user, count, address=STRANGER):
    stranger = Client()
    return [
        log_in(stranger, user, password=f"guess {n}", code="123456", REMOTE_ADDR=address)
        for n in range(count)
    ]


def later(monkeypatch, seconds):
    moment = timezone.now() + datetime.timedelta(seconds=seconds)
    monkeypatch.setattr(security.timezone, "now", lambda: moment)


def test_a_strangers_guesses_lock_the_stranger_out_not_the_moderator(client, moderator):
    answers = guesses(moderator, 7)

    assert answers[-1].status_code == 429  # axes' lockout page, for the stranger's client
    assert "Too many failed logins" in answers[-1].content.decode()
    response = log_in(client, moderator, REMOTE_ADDR=MODERATORS_ADDRESS)
    assert response.status_code == 302
    assert client.get(QUEUE).status_code == 200


def test_after_a_failure_a_guess_tells_nothing_until_the_wait_is_over(moderator, monkeypatch):
    guesses(moderator, 3)  # the account now waits 4 seconds after the last failure
    within = Client()

    wrong_password = log_in(within, moderator, password="guess 4", REMOTE_ADDR=MODERATORS_ADDRESS)
    right_password_wrong_code = log_in(
        within, moderator, code=wrong_code(moderator), REMOTE_ADDR=MODERATORS_ADDRESS
    )

    for response in (wrong_password, right_password_wrong_code):
        html = response.content.decode()
        assert "only the right password together with a current code" in html
        assert "That code is wrong" not in html
        assert "Please enter a correct username and password" not in html
    assert security.login_wait_seconds(moderator.username) > 0
    later(monkeypatch, 300)
    assert security.login_wait_seconds(moderator.username) == 0


def test_the_wait_grows_with_every_failure_up_to_its_limit(moderator, settings):
    settings.LOGIN_SLOWDOWN_MAX_SECONDS = 60
    waits = []
    for address in range(8):  # from many clients, so that no lockout stops the count
        guesses(moderator, 1, address=f"198.51.100.{address}")
        waits.append(security.login_wait_seconds(moderator.username))
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]


def test_deactivating_an_account_ends_its_sessions_for_good(moderator_client, moderator):
    assert moderator_client.get(QUEUE).status_code == 200

    moderator.is_active = False
    moderator.save()
    assert moderator_client.get(QUEUE).status_code == 302
    moderator.is_active = True
    moderator.save()

    assert moderator_client.get(QUEUE).status_code == 302  # re-enabling revives nothing


def test_a_session_has_an_absolute_lifetime_however_active(moderator_client, settings, monkeypatch):
    settings.SESSION_ABSOLUTE_LIFETIME = 3600
    assert moderator_client.get(QUEUE).status_code == 200
    now = security.time.time()

    monkeypatch.setattr(security.time, "time", lambda: now + 3500)
    assert moderator_client.get(QUEUE).status_code == 200
    monkeypatch.setattr(security.time, "time", lambda: now + 3601)
    assert moderator_client.get(QUEUE).status_code == 302


def test_logout_asks_the_browser_to_forget_the_site(moderator_client):
    response = moderator_client.post(reverse("accounts:logout"))
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_the_enrolment_page_works_only_soon_after_the_account_was_made(client, settings):
    settings.MODERATOR_ENROLMENT_HOURS = 48
    user = make_user("newcomer", moderator=True, device=False)
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    client.force_login(user)
    assert client.get(reverse("accounts:enrol")).status_code == 200

    TOTPDevice.objects.filter(pk=device.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=49)
    )
    client.force_login(user)
    response = client.get(reverse("accounts:enrol"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "The setup period has ended" in html
    assert 'class="secret"' not in html and "otpauth" not in html


def test_an_old_account_without_a_device_cannot_start_an_enrolment(client):
    user = make_user("forgotten", moderator=True, device=False)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - datetime.timedelta(days=30))
    client.force_login(user)
    assert client.get(reverse("accounts:enrol")).status_code == 403
    assert not TOTPDevice.objects.filter(user=user).exists()


# --- django-axes never sees an address: one layer, tested on its own ----------------------


def test_the_layer_gives_axes_a_pseudonym_and_no_browser_details(rf):
    request = rf.post(
        "/accounts/login/", REMOTE_ADDR=STRANGER, HTTP_USER_AGENT=CANARY_AGENT, HTTP_ACCEPT="x/y"
    )
    privacy.AxesWithoutAddressMiddleware(lambda request: None)(request)

    assert request.axes_updated is True
    assert request.axes_ip_address.startswith("fd")
    assert request.axes_ip_address == privacy.client_pseudonym(request)
    assert STRANGER not in request.axes_ip_address
    assert request.axes_user_agent == "" and request.axes_http_accept == ""


def test_without_the_layer_axes_would_keep_the_address(client, moderator, settings):
    """Proves the layer is the only one: take it out and the address reaches axes' table."""
    settings.MIDDLEWARE = [
        name
        for name in settings.MIDDLEWARE
        if name != "tracker.privacy.AxesWithoutAddressMiddleware"
    ]
    log_in(client, moderator, password="wrong", REMOTE_ADDR=STRANGER, HTTP_USER_AGENT=CANARY_AGENT)
    assert AccessAttempt.objects.filter(ip_address=STRANGER).exists()


def test_with_the_layer_axes_keeps_neither_address_nor_browser(client, moderator):
    log_in(client, moderator, password="wrong", REMOTE_ADDR=STRANGER, HTTP_USER_AGENT=CANARY_AGENT)
    stored = repr(list(AccessAttempt.objects.values()))
    assert AccessAttempt.objects.exists()
    assert STRANGER not in stored and "Canary" not in stored
