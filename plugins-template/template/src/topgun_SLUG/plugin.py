"""topgun hook implementations for {{LABEL}}: registration only, called once per registry build."""

from __future__ import annotations

from collections.abc import Callable

from topgun.plugin import ApiSpec, Host, hookimpl

from .auth import sign_request


@hookimpl
def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
    register(ApiSpec("{{SLUG}}", fields=("API_KEY", "API_SECRET"), label="{{LABEL}}"))


@hookimpl
def topgun_register_hosts(register: Callable[[Host], None]) -> None:
    register(Host("{{HOST}}", api="{{SLUG}}", signer=sign_request, body="json"))
