import ipaddress
import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import MODERATOR_PASSWORD, log_in, make_user, totp_code

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/"
CANARY_IP = "203.0.113.77"
CANARY_AGENT = "CanaryBrowser/9.9 (identifying user agent)"


def test_a_moderator_logs_in_with_password_and_code_and_reaches_the_queue(client, moderator):
    response = log_in(client, moderator)

    assert response.status_code == 302
    assert response.url == reverse("moderation:queue")
    assert client.get(QUEUE).status_code == 200


def wrong_code(user):
    code = totp_code(TOTPDevice.objects.get(user=user))
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_right_password_with_a_wrong_code_is_refused(client, moderator):
    response = log_in(client, moderator, code=wrong_code(moderator))

    assert response.status_code == 200
    assert "That code is wrong" in response.content.decode()
    assert client.get(QUEUE).status_code == 302


def test_a_code_is_refused_the_second_time(client, moderator):
    code = totp_code(TOTPDevice.objects.get(user=moderator))
    assert log_in(client, moderator, code=code).status_code == 302
    client.post(reverse("accounts:logout"))

    again = log_in(client, moderator, code=code)

    assert again.status_code == 200
    assert "already used" in again.content.decode()
    assert client.get(QUEUE).status_code == 302


def test_a_moderator_without_a_verified_second_factor_cannot_reach_the_queue(client, moderator):
    # Logged in (for instance by password alone), but no code entered in this session.
    client.force_login(moderator)

    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_password_only_login_leads_to_enrolment_and_nowhere_else(client):
    newcomer = make_user("newcomer", moderator=True, device=False)

    response = log_in(client, newcomer, code="")

    assert response.status_code == 302
    assert response.url == reverse("accounts:enrol")
    assert client.get(QUEUE).status_code == 302


def test_the_enrolment_page_draws_the_qr_code_itself_and_a_code_confirms_the_device(client):
    newcomer = make_user("newcomer", moderator=True, device=False)
    log_in(client, newcomer, code="")

    page = client.get(reverse("accounts:enrol")).content.decode()
    device = TOTPDevice.objects.get(user=newcomer)
    assert "<svg" in page
    assert "<img" not in page  # no QR image from anywhere else
    assert not device.confirmed

    response = client.post(reverse("accounts:enrol"), {"otp_token": totp_code(device)})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(QUEUE).status_code == 200


def test_the_enrolment_page_cannot_replace_a_confirmed_device(client, moderator):
    client.force_login(moderator)

    response = client.get(reverse("accounts:enrol"))

    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=moderator).count() == 1


def test_the_first_code_from_the_printed_enrolment_confirms_the_device(client):
    newcomer = make_user("newcomer", moderator=True, device=False)
    device = TOTPDevice.objects.create(user=newcomer, name="authenticator", confirmed=False)

    response = log_in(client, newcomer, code=totp_code(device))

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(QUEUE).status_code == 200


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_password(client, moderator):
    for _ in range(3):
        log_in(client, moderator, password="wrong password")

    response = log_in(client, moderator)

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert client.get(QUEUE).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_wrong_codes_lock_the_account_too(client, moderator):
    for _ in range(3):
        log_in(client, moderator, code=wrong_code(moderator))

    response = log_in(client, moderator)

    assert response.status_code == 429


@override_settings(AXES_FAILURE_LIMIT=2)
def test_login_throttling_stores_and_logs_no_ip_address_or_user_agent(client, moderator, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(3):
        log_in(
            client,
            moderator,
            password="wrong password",
            REMOTE_ADDR=CANARY_IP,
            HTTP_USER_AGENT=CANARY_AGENT,
        )

    attempts = list(AccessAttempt.objects.values())
    assert attempts, "the failures were counted"
    assert attempts[0]["username"] == moderator.username
    stored = repr(attempts) + repr(list(AccessLog.objects.values()))
    stored += repr(list(AccessFailureLog.objects.values()))
    assert CANARY_IP not in stored
    assert "CanaryBrowser" not in stored
    # Counted per account and client, the client being a daily pseudonym (fd00::/8).
    assert all(ipaddress.ip_address(row["ip_address"]).is_private for row in attempts)
    assert all(row["ip_address"].startswith("fd") for row in attempts)
    assert all(row["user_agent"] == "" for row in attempts)
    assert MODERATOR_PASSWORD not in stored
    assert CANARY_IP not in caplog.text
    assert "CanaryBrowser" not in caplog.text


def test_logout_is_a_post_and_ends_the_session(moderator_client):
    assert moderator_client.get(reverse("accounts:logout")).status_code == 405

    response = moderator_client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert moderator_client.get(QUEUE).status_code == 302


def test_a_session_expires_after_inactivity(moderator_client):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True  # each request restarts the clock
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))

    response = moderator_client.get(QUEUE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_admin_also_requires_the_second_factor(client):
    admin = make_user("administrator")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)

    assert client.get("/admin/").status_code == 302

    client.post(reverse("accounts:logout"))
    log_in(client, admin)
    assert client.get("/admin/").status_code == 200


def test_a_login_page_redirect_never_leaves_the_site(client, moderator):
    url = reverse("accounts:login") + "?next=https://evil.example/"
    data = {
        "username": moderator.username,
        "password": MODERATOR_PASSWORD,
        "otp_token": totp_code(TOTPDevice.objects.get(user=moderator)),
    }

    response = client.post(url, data)

    assert response.url == reverse("moderation:queue")
