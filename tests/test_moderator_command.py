from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from moderation.management.commands import create_moderator
from tests.conftest import log_in, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "a long moderator passphrase"


@pytest.fixture
def run(monkeypatch):
    """Run the command, answering its password prompts from a list."""

    def run(username, answers):
        answers = iter(answers)
        monkeypatch.setattr(create_moderator, "getpass", lambda prompt: next(answers))
        out = StringIO()
        call_command("create_moderator", username, stdout=out, stderr=StringIO())
        return out.getvalue()

    return run


def test_create_moderator_makes_a_moderator_and_prints_the_enrolment(run):
    output = run("anna", [PASSWORD, PASSWORD])

    user = User.objects.get(username="anna")
    assert user.check_password(PASSWORD)
    assert user.has_perm("moderation.moderate")
    assert not TOTPDevice.objects.get(user=user).confirmed  # until the first code
    assert "otpauth://totp/Refusal%20Tracker%3Aanna?secret=" in output
    assert "█" in output or "▀" in output  # the QR code, drawn in the terminal


def test_the_printed_enrolment_lets_the_moderator_log_in(client, run):
    run("anna", [PASSWORD, PASSWORD])
    user = User.objects.get(username="anna")

    response = log_in(client, user, code=totp_code(TOTPDevice.objects.get(user=user)))

    assert response.status_code == 302
    assert client.get("/moderation/").status_code == 200


def test_create_moderator_refuses_a_weak_password_three_times(run):
    with pytest.raises(CommandError) as error:
        run("anna", ["short", "short"] * 3)

    assert "No acceptable password" in str(error.value)
    assert not User.objects.filter(username="anna").exists()


def test_create_moderator_refuses_an_existing_user_name(moderator, run):
    with pytest.raises(CommandError) as error:
        run(moderator.username, [PASSWORD, PASSWORD])

    assert "already exists" in str(error.value)
