"""Driving the second factor in tests: the code an authenticator app would show, and a
complete enrolment through the page."""

from __future__ import annotations

import re
import time
from typing import Any

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now (the clock is time-machine's)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def enrol(client: Client) -> tuple[TOTPDevice, list[str]]:
    """Enrol the signed-in user's authenticator through /account/two-factor/; return the
    confirmed device and the recovery codes shown."""
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    user_id = int(client.session["_auth_user_id"])
    device = TOTPDevice.objects.get(user_id=user_id, confirmed=False)
    response = client.post("/account/two-factor/", {"action": "confirm", "code": code_for(device)})
    assert response.status_code == 200, response.content[:300]
    device.refresh_from_db()
    assert device.confirmed
    return device, recovery_codes_in(response)


def recovery_codes_in(response: Any) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
