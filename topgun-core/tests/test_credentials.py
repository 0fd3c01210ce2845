"""Where credentials come from, and the errors a bad one gets (never showing the secret)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import orjson
import pytest

import topgun
from topgun.credentials import load_credentials
from topgun.errors import UnknownApiNameWarning
from topgun.plugin import ApiSpec

SECRET = "s3cr3t-value-never-shown"


def specs(registry: Any) -> Any:
    return registry.apis


def test_dict_is_checked_and_copied(toy_registry: Any) -> None:
    apis = {"toy": ["KEY", SECRET]}
    creds = load_credentials(apis, toy_registry.apis)
    apis["toy"][1] = "changed"
    assert creds["toy"].key == "KEY"
    assert creds["toy"].secret == SECRET
    assert creds["toy"].secret_bytes == SECRET.encode()
    assert creds["toy"].passphrase == ""


def test_path_str_and_pathlike(tmp_path: Path, toy_registry: Any) -> None:
    path = tmp_path / "keys.json"
    path.write_bytes(orjson.dumps({"toy": ["K", SECRET]}))
    path.chmod(0o600)  # as a user keeps API keys
    assert load_credentials(str(path), toy_registry.apis)["toy"].secret == SECRET
    assert load_credentials(path, toy_registry.apis)["toy"].key == "K"


def test_missing_file_is_an_error_naming_the_path(tmp_path: Path, toy_registry: Any) -> None:
    with pytest.raises(topgun.CredentialError, match="does not exist"):
        load_credentials(str(tmp_path / "nope.json"), toy_registry.apis)


def test_invalid_json_names_the_position_not_the_content(tmp_path: Path, toy_registry: Any) -> None:
    path = tmp_path / "apis.json"
    path.write_text('{"toy": ["K", "' + SECRET + '"')
    path.chmod(0o600)  # as a user keeps API keys
    with pytest.raises(topgun.CredentialError, match="not valid JSON") as info:
        load_credentials(path, toy_registry.apis)
    assert SECRET not in str(info.value)


def test_top_level_must_be_an_object(tmp_path: Path, toy_registry: Any) -> None:
    path = tmp_path / "apis.json"
    path.write_text('["toy"]')
    path.chmod(0o600)  # as a user keeps API keys
    with pytest.raises(topgun.CredentialError, match="JSON object"):
        load_credentials(path, toy_registry.apis)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("KEY:SECRET", "must be a list of strings"),
        (["KEY", 12345], "must be a list of strings"),
        ({"key": "K"}, "must be a list of strings"),
        (["KEY"], "needs 2 strings"),
        (["KEY", SECRET, "extra", "more"], "needs 2 strings"),
        (["", SECRET], "empty string"),
    ],
)
def test_bad_shapes_name_the_api(value: Any, fragment: str, toy_registry: Any) -> None:
    with pytest.raises(topgun.CredentialError, match=fragment) as info:
        load_credentials({"toy": value}, toy_registry.apis)
    assert "'toy'" in str(info.value)
    assert SECRET not in str(info.value)


def test_missing_passphrase_is_rejected_with_the_plugins_hint(toy_registry: Any) -> None:
    with pytest.raises(
        topgun.CredentialError, match=r"needs 3 strings \[API_KEY, API_SECRET, PASSPHRASE\]"
    ) as info:
        load_credentials({"toy_pass": ["KEY", SECRET]}, toy_registry.apis)
    assert "Toy needs the passphrase." in str(info.value)
    assert SECRET not in str(info.value)
    ok = load_credentials({"toy_pass": ["KEY", SECRET, "PASS"]}, toy_registry.apis)
    assert ok["toy_pass"].passphrase == "PASS"


def test_a_plugins_value_check_becomes_a_credential_error() -> None:
    def digits_only(values: tuple[str, ...]) -> None:
        if not values[1].isdigit():
            raise ValueError(f"API_SECRET must be digits (got {len(values[1])} characters)")

    spec = ApiSpec("checked", hint="See the exchange's key page.", check=digits_only)
    with pytest.raises(topgun.CredentialError, match="API_SECRET must be digits") as info:
        load_credentials({"checked": ["KEY", SECRET]}, {"checked": spec})
    assert "apis['checked']" in str(info.value)
    assert "See the exchange's key page." in str(info.value)
    assert SECRET not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert (
        load_credentials({"checked": ["KEY", "123"]}, {"checked": spec})["checked"].secret == "123"
    )


def test_unknown_api_name_warns_with_known_names(toy_registry: Any) -> None:
    with pytest.warns(
        UnknownApiNameWarning, match="Known API names: toy, toy_demo, toy_pass"
    ) as record:
        creds = load_credentials({"future_exchange": ["K", SECRET]}, toy_registry.apis)
    assert creds["future_exchange"].key == "K"
    assert all(SECRET not in str(w.message) for w in record)
    assert "go out unsigned" in str(record[0].message)


async def test_unknown_api_name_warning_points_at_the_users_line(toy_registry: Any) -> None:
    with pytest.warns(UnknownApiNameWarning) as record:
        async with topgun.Client(apis={"toyy": ["K", SECRET]}, registry=toy_registry):
            pass
    (warning,) = record
    assert warning.filename == __file__  # the Client(...) line above, not topgun's own code
    message = str(warning.message)
    assert "Did you mean 'toy'?" in message
    assert "requests to 'toy''s hosts go out unsigned" in message
    assert SECRET not in message


def test_close_match_ignores_case_and_notes_a_name_also_given(toy_registry: Any) -> None:
    with pytest.warns(UnknownApiNameWarning, match=r"Did you mean 'toy_demo' \(also given\)"):
        load_credentials({"TOY_DEMO": ["K", "S"], "toy_demo": ["K", "S"]}, toy_registry.apis)


def test_pybotters_env_var_is_read_when_topgun_apis_is_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toy_registry: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    pybotters_file = tmp_path / "pybotters.json"
    pybotters_file.write_text('{"toy": ["FROM_PYBOTTERS", "x"]}')
    pybotters_file.chmod(0o600)  # as a user keeps API keys
    monkeypatch.delenv("TOPGUN_APIS", raising=False)
    monkeypatch.setenv("PYBOTTERS_APIS", str(pybotters_file))
    assert load_credentials(None, toy_registry.apis)["toy"].key == "FROM_PYBOTTERS"
    topgun_file = tmp_path / "topgun.json"
    topgun_file.write_text('{"toy": ["FROM_TOPGUN", "x"]}')
    topgun_file.chmod(0o600)  # as a user keeps API keys
    monkeypatch.setenv("TOPGUN_APIS", str(topgun_file))
    assert load_credentials(None, toy_registry.apis)["toy"].key == "FROM_TOPGUN"


def test_wrong_type_is_an_error(toy_registry: Any) -> None:
    with pytest.raises(topgun.CredentialError, match="not int"):
        load_credentials(42, toy_registry.apis)  # type: ignore[arg-type]


def test_implicit_cwd_file_wins_over_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toy_registry: Any
) -> None:
    (tmp_path / "apis.json").write_text('{"toy": ["FROM_CWD", "x"]}')
    (tmp_path / "apis.json").chmod(0o600)  # as a user keeps API keys
    env_file = tmp_path / "env.json"
    env_file.write_text('{"toy": ["FROM_ENV", "x"]}')
    env_file.chmod(0o600)  # as a user keeps API keys
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOPGUN_APIS", str(env_file))
    assert load_credentials(None, toy_registry.apis)["toy"].key == "FROM_CWD"
    (tmp_path / "apis.json").unlink()
    assert load_credentials(None, toy_registry.apis)["toy"].key == "FROM_ENV"
    monkeypatch.delenv("TOPGUN_APIS")
    assert load_credentials(None, toy_registry.apis) == {}


def test_explicit_argument_wins_over_implicit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toy_registry: Any
) -> None:
    (tmp_path / "apis.json").write_text('{"toy": ["FROM_CWD", "x"]}')
    (tmp_path / "apis.json").chmod(0o600)  # as a user keeps API keys
    monkeypatch.chdir(tmp_path)
    assert load_credentials({"toy": ["EXPLICIT", "x"]}, toy_registry.apis)["toy"].key == "EXPLICIT"


def test_env_pointing_nowhere_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, toy_registry: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOPGUN_APIS", str(tmp_path / "missing.json"))
    with pytest.raises(topgun.CredentialError, match="TOPGUN_APIS"):
        load_credentials(None, toy_registry.apis)


async def test_secrets_never_in_repr_str_or_logs(
    caplog: pytest.LogCaptureFixture, toy_registry: Any
) -> None:
    caplog.set_level("DEBUG")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with topgun.Client(
            apis={"toy": ["KEY-abc", SECRET]}, registry=toy_registry
        ) as client:
            cred = client._credentials["toy"]
            texts = [repr(client), str(client), repr(cred), str(cred), repr(client.clock)]
    texts += [r.getMessage() for r in caplog.records] + [str(w.message) for w in caught]
    assert all(SECRET not in t and "KEY-abc" not in t for t in texts), texts
    import pickle

    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(cred)


async def test_client_rejects_bad_credentials_before_opening_a_session(toy_registry: Any) -> None:
    with pytest.raises(topgun.CredentialError, match="toy_pass"):
        topgun.Client(apis={"toy_pass": ["KEY", SECRET]}, registry=toy_registry)


def test_redact_masks_every_element() -> None:
    from topgun.credentials import Credential

    cred = Credential("toy", ["KEY-1234", SECRET, "pass-phrase"])
    text = cred.redact(f"apiKey KEY-1234 rejected; sign {SECRET}; passphrase pass-phrase; ok")
    assert text == "apiKey *** rejected; sign ***; passphrase ***; ok"
