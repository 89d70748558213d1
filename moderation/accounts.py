"""Moderator login with a password and a TOTP code, logout, and enrolment of the code app.

A session counts as verified (django-otp's `request.user.is_verified()`) only after a code
from a confirmed device was accepted; moderation views and the admin require that.
"""

from base64 import b32encode
from datetime import timedelta

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .security import login_wait_seconds

CODE_FIELD = forms.CharField(
    label=_("Code from your authenticator app"),
    max_length=8,
    widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
    ),
)


def verify_code(device_queryset, token):
    """The device among these that accepts the code, or None.

    Locks the devices so one code cannot be accepted twice by concurrent requests; the
    device remembers the last accepted time step, so a code is never accepted again.
    """
    token = (token or "").replace(" ", "")
    if not token:
        return None
    with transaction.atomic():
        for device in device_queryset.select_for_update():
            if device.verify_token(token):
                return device
    return None


class LoginForm(AuthenticationForm):
    otp_token = forms.CharField(
        label=CODE_FIELD.label,
        max_length=8,
        required=False,
        widget=CODE_FIELD.widget,
        help_text=_("Leave empty only on your first login if you have not set up the app yet."),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "bad_code": _("That code is wrong, expired or was already used. Wait for the next one."),
        "slow_down": _(
            "There were failed logins on this account. Until %(seconds)s seconds have "
            "passed, only the right password together with a current code is accepted, "
            "and nothing else is said about a failed attempt."
        ),
    }

    def clean(self):
        """Within the account's slowdown (moderation/security.py), any failure gets the
        same answer, so a guess tells nothing; the right password and code still work."""
        username = self.cleaned_data.get("username") or ""
        wait = login_wait_seconds(username) if username else 0
        try:
            return self._check_password_and_code()
        except ValidationError:
            if wait:
                raise ValidationError(
                    self.error_messages["slow_down"], code="slow_down", params={"seconds": wait}
                ) from None
            raise

    def _check_password_and_code(self):
        cleaned = super().clean()
        user = self.get_user()
        token = cleaned.get("otp_token", "")
        self.otp_device = None
        if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
            device = verify_code(TOTPDevice.objects.devices_for_user(user, confirmed=True), token)
        elif token:
            # First login: the code from the device printed by create_moderator confirms it.
            device = verify_code(TOTPDevice.objects.devices_for_user(user, confirmed=False), token)
            if device is not None:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
        else:
            return cleaned  # a password-only session, good for enrolment and nothing else
        if device is None:
            # Count a wrong code as a failed login, so axes locks out code guessing too.
            user_login_failed.send(
                sender=__name__,
                credentials={"username": user.get_username()},
                request=self.request,
            )
            raise ValidationError(self.error_messages["bad_code"], code="bad_code")
        self.otp_device = device
        return cleaned


class EnrolForm(forms.Form):
    otp_token = CODE_FIELD


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password", "otp_token")
@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def login(request):
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth_login(request, form.get_user())
        if form.otp_device is None:
            return redirect("accounts:enrol")
        otp_login(request, form.otp_device)
        return redirect(_safe_next(request))
    return render(request, "registration/login.html", {"form": form, "next": _safe_next(request)})


@require_POST
def logout(request):
    auth_logout(request)
    messages.info(request, _("You are logged out."))
    response = redirect(settings.LOGOUT_REDIRECT_URL)
    # The browser forgets everything of this site: cached pages, cookies, storage.
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required
def enrol(request):
    """Set up the authenticator app: only for an account that has no confirmed device yet.

    Replacing a lost device is an administrator's job (delete the device in the admin), so a
    stolen password alone can never swap in the thief's app.
    """
    user = request.user
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        if user.is_verified():
            return redirect(settings.LOGIN_REDIRECT_URL)
        auth_logout(request)
        messages.info(request, _("Log in with your password and a code from your app."))
        return redirect("accounts:login")
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if not _enrolment_open(user, device):
        # The page shows the secret: only for a short time after create_moderator.
        auth_logout(request)
        context = {"enrolment_hours": settings.MODERATOR_ENROLMENT_HOURS}
        return render(request, "registration/enrol_expired.html", context, status=403)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted = verify_code(
            TOTPDevice.objects.filter(pk=device.pk), form.cleaned_data["otp_token"]
        )
        if accepted is not None:
            accepted.confirmed = True
            accepted.save(update_fields=["confirmed"])
            otp_login(request, accepted)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("otp_token", LoginForm.error_messages["bad_code"])
    context = {
        "form": form,
        "qr_svg": qr_svg(device.config_url),
        "secret": base32_secret(device),
    }
    return render(request, "registration/enrol.html", context)


def _enrolment_open(user, device):
    """Whether the enrolment is recent enough: MODERATOR_ENROLMENT_HOURS from the device
    create_moderator made (or from the account's creation when it has none)."""
    started = (device.created_at if device is not None else None) or user.date_joined
    return timezone.now() - started < timedelta(hours=settings.MODERATOR_ENROLMENT_HOURS)


def qr_svg(text):
    """The QR code as inline SVG, drawn here: the secret never leaves the server."""
    return segno.make(text, error="m").svg_inline(scale=5, title=_("QR code to scan"))


def base32_secret(device):
    return b32encode(device.bin_key).decode()
