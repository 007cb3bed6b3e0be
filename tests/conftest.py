"""Shared fixtures: one fake OpenAI-compatible server per test session, reset before each test."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from tests.fakeserver import FakeServer  # noqa: E402


@pytest.fixture(scope="session")
def fake_server_session() -> Iterator[FakeServer]:
    """The session's fake server process (shared state: prefer ``server``)."""
    with FakeServer() as srv:
        yield srv


@pytest.fixture(scope="session")
def fake_server(fake_server_session: FakeServer) -> FakeServer:
    """Alias of ``fake_server_session``."""
    return fake_server_session


@pytest.fixture
def server(fake_server_session: FakeServer) -> FakeServer:
    """The fake server with stats, attempt counters and config reset (no latency, no faults)."""
    fake_server_session.reset(clear_config=True)
    return fake_server_session
