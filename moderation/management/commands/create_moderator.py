from getpass import getpass

import segno
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from moderation.accounts import base32_secret

GROUP = "Moderators"


class Command(BaseCommand):
    help = (
        "Create a moderator account in the Moderators group. Prompts for the password and "
        "prints the TOTP enrolment (otpauth URI and a QR code) to scan with an authenticator "
        "app; the first login with a code from that app confirms it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        password = self._ask_password(User(username=username, email=email))
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            user.groups.add(Group.objects.get(name=GROUP))
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        self.stdout.write(f"Created moderator {username} in the group {GROUP}.")
        self.stdout.write("Scan this QR code with an authenticator app:")
        segno.make(device.config_url, error="m").terminal(out=self.stdout, compact=True)
        self.stdout.write(f"Or enter this key by hand: {base32_secret(device)}")
        self.stdout.write(f"otpauth URI: {device.config_url}")
        self.stdout.write("Then log in at /accounts/login/ with the password and a code.")

    def _ask_password(self, user):
        for _attempt in range(3):
            password = getpass("Password: ")
            if password != getpass("Password (again): "):
                self.stderr.write("The passwords differ.")
                continue
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password
        raise CommandError("No acceptable password given.")
