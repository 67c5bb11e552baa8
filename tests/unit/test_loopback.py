"""The loopback sign-in callback: one valid callback for its state, 400 for anything else."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from backend.auth.loopback import MAX_REQUEST_LINE, LoopbackListener, LoopbackUnavailable
from backend.auth.oauth import complete_sign_in, start_sign_in
from backend.credentials.record import utcnow
from tests.fakes.provider import FakeProvider

STATE = "s" * 43


def listener(state: str = STATE) -> LoopbackListener:
    return LoopbackListener(state, utcnow() + timedelta(minutes=10))


def get(lst: LoopbackListener, query: str, path: str = "/callback") -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{lst.port}{path}?{query}", timeout=5)


def test_one_valid_callback_is_taken_and_the_tab_told_to_close() -> None:
    lst = listener()
    try:
        assert lst.redirect_uri == f"http://localhost:{lst.port}/callback"
        answer = get(lst, f"code=abc&state={STATE}")
        assert answer.status_code == 200
        assert "You can close this tab" in answer.text
        assert lst.wait(5) is not None
        assert lst.result is not None and lst.result.code == "abc"
        assert lst.closed
    finally:
        lst.close()


def test_foreign_state_wrong_path_and_no_code_get_400_and_it_keeps_waiting() -> None:
    lst = listener()
    try:
        assert get(lst, "code=abc&state=other").status_code == 400
        assert get(lst, f"code=abc&state={STATE}", path="/").status_code == 400
        assert get(lst, f"state={STATE}").status_code == 400
        assert get(lst, f"code=a&code=b&state={STATE}").status_code == 400
        assert lst.result is None and not lst.closed
        assert get(lst, f"code=right&state={STATE}").status_code == 200
        assert lst.wait(5) is not None and lst.result.code == "right"
    finally:
        lst.close()


def test_a_second_callback_is_not_taken() -> None:
    lst = listener()
    try:
        assert get(lst, f"code=first&state={STATE}").status_code == 200
        lst.wait(5)
        with pytest.raises(httpx.ConnectError):
            get(lst, f"code=second&state={STATE}")
        assert lst.result is not None and lst.result.code == "first"
    finally:
        lst.close()


def test_a_callback_after_close_is_never_taken() -> None:
    lst = listener()
    lst.close()
    with pytest.raises(httpx.ConnectError):
        get(lst, f"code=late&state={STATE}")
    assert lst.result is None


def test_an_error_callback_is_kept_verbatim() -> None:
    lst = listener()
    try:
        answer = get(lst, f"error=access_denied&error_description=The+user+said+no&state={STATE}")
        assert answer.status_code == 200
        result = lst.wait(5)
        assert result is not None
        assert (result.error, result.description) == ("access_denied", "The user said no")
    finally:
        lst.close()


def test_an_oversized_request_line_gets_400() -> None:
    lst = listener()
    try:
        with socket.create_connection(("127.0.0.1", lst.port), timeout=5) as conn:
            conn.sendall(b"GET /callback?" + b"x" * (MAX_REQUEST_LINE + 10))
            assert conn.recv(64).startswith(b"HTTP/1.1 400")
        assert lst.result is None and not lst.closed
    finally:
        lst.close()


def test_a_taken_port_says_so() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        with pytest.raises(LoopbackUnavailable, match="could not be bound"):
            LoopbackListener(STATE, utcnow() + timedelta(minutes=1), port=taken.getsockname()[1])


def test_it_gives_up_at_the_deadline() -> None:
    lst = LoopbackListener(STATE, utcnow() + timedelta(milliseconds=300))
    lst.wait(5)
    assert lst.closed and lst.result is None


def test_the_fake_provider_redirects_to_the_listener_and_the_code_exchanges(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    env = fake_provider.env()
    probe = listener()
    port = probe.port
    probe.close()
    pending = start_sign_in(
        "max",
        env,
        pending_dir=tmp_path,
        redirect_uri=f"http://localhost:{port}/callback",
    )
    lst = LoopbackListener(pending.state, pending.expires_at, port=port)
    try:
        # The browser's part: the authorize page 302s to the listener.
        with httpx.Client(follow_redirects=True, timeout=5) as browser:
            page = browser.get(pending.url)
        assert page.status_code == 200 and "You can close this tab" in page.text
        result = lst.wait(5)
        assert result is not None
        record = complete_sign_in(
            pending,
            result.as_paste(pending.state),
            env=env,
            pending_dir=tmp_path,
        )
        assert record.kind == "oauth" and record.access_token
    finally:
        lst.close()


def test_the_fake_providers_error_variant_reaches_the_screen_verbatim(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    from backend.errors import OAuthError

    env = fake_provider.env()
    fake_provider.authorize_error = ("access_denied", "No <b>thanks</b>")
    probe = listener()
    port = probe.port
    probe.close()
    pending = start_sign_in(
        "max",
        env,
        pending_dir=tmp_path,
        redirect_uri=f"http://localhost:{port}/callback",
    )
    lst = LoopbackListener(pending.state, pending.expires_at, port=port)
    try:
        with httpx.Client(follow_redirects=True, timeout=5) as browser:
            browser.get(pending.url)
        result = lst.wait(5)
        assert result is not None
        with pytest.raises(OAuthError, match=r"access_denied: No <b>thanks</b>"):
            complete_sign_in(pending, result.as_paste(pending.state), env=env, pending_dir=tmp_path)
    finally:
        lst.close()


def test_a_loopback_sign_in_is_not_resumed_by_a_later_run(tmp_path: Path) -> None:
    from backend.auth.oauth import load_pending, pending_path

    env = {"SEAL_ANTHROPIC_OAUTH_URL": "http://127.0.0.1:9"}
    start_sign_in("max", env, pending_dir=tmp_path, redirect_uri="http://localhost:5/callback")
    # Its listener went with the run that started it: nothing to continue.
    assert load_pending("max", env, pending_dir=tmp_path) is None
    assert not pending_path("max", env, tmp_path).exists()
