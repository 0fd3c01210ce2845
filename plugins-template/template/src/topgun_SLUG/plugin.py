"""topgun hook implementations for {{LABEL}}: registration only, called once per registry build."""

from __future__ import annotations

from collections.abc import Callable

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request

API = "{{SLUG}}"
HTTP_HOST = "{{HOST}}"


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(ApiSpec(API, fields=("API_KEY", "API_SECRET"), label="{{LABEL}}"))


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    register(Host(HTTP_HOST, api=API, signer=sign_request, body="json"))
