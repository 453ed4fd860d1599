"""campus.core.polls: stamps that make a stored state stale the moment a write commits,
and poll passes bound to one browser, one path, one version, for a limited time."""

from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import RequestFactory

from campus.core import polls

KEY = "test-state-1"


def _request(path: str = "/poll", *, session: str = "s1", csrf: str = "c1", **query: str) -> Any:
    request = RequestFactory().get(path, query)
    request.COOKIES[settings.SESSION_COOKIE_NAME] = session
    request.COOKIES[settings.CSRF_COOKIE_NAME] = csrf
    if csrf:
        request.META["CSRF_COOKIE"] = csrf  # as CsrfViewMiddleware reads it
    return request


def test_a_state_is_computed_once_then_known_until_it_changes() -> None:
    calls: list[int] = []

    def compute() -> str:
        calls.append(1)
        return f"state-{len(calls)}"

    assert polls.known_state(KEY) is None
    assert polls.current_state(KEY, compute) == "state-1"
    assert polls.current_state(KEY, compute) == "state-1"
    assert polls.known_state(KEY) == "state-1"
    assert len(calls) == 1
    polls.states_changed([KEY])
    assert polls.known_state(KEY) is None
    assert polls.current_state(KEY, compute) == "state-2"
    assert polls.known_state("test-state-2") is None  # keys do not mix


def test_a_write_committed_while_a_reader_computes_leaves_nothing_stale() -> None:
    """The reader reads the stamp, then the rows; a write commits in between (the stamp
    is replaced): what the reader stores is under the old stamp, never served."""

    def compute_while_a_write_commits() -> str:
        polls.states_changed([KEY])  # the write's on_commit, between the stamp and the rows
        return "read-before-the-write"

    assert polls.current_state(KEY, compute_while_a_write_commits) == "read-before-the-write"
    assert polls.known_state(KEY) is None
    assert polls.current_state(KEY, lambda: "after") == "after"
    assert polls.known_state(KEY) == "after"


def test_a_lost_stamp_or_an_odd_entry_is_never_trusted() -> None:
    polls.current_state(KEY, lambda: "s")
    cache.delete(f"polls:stamp:{KEY}")
    assert polls.known_state(KEY) is None
    cache.set(f"polls:stamp:{KEY}", "x")
    for odd in ("s", ("x",), ["x", "s"], ("y", "s"), None):
        cache.set(f"polls:state:{KEY}", odd)
        assert polls.known_state(KEY) is None
    cache.set(f"polls:state:{KEY}", ("x", "s"))
    assert polls.known_state(KEY) == "s"


def _issue(request: Any, version: str = "v1.w1", path: str = "/poll") -> str:
    return polls.issue_pass(request, path=path, key=KEY, version_value=version)


def test_a_pass_is_valid_for_its_browser_path_and_version_only() -> None:
    token = _issue(_request())
    assert polls.pass_is_valid(_request(**{"pass": token}), "v1.w1") == KEY
    assert polls.pass_is_valid(_request(**{"pass": token}), "v2.w1") is None
    assert polls.pass_is_valid(_request("/other", **{"pass": token}), "v1.w1") is None
    assert polls.pass_is_valid(_request(session="s2", **{"pass": token}), "v1.w1") is None
    assert polls.pass_is_valid(_request(csrf="c2", **{"pass": token}), "v1.w1") is None
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert polls.pass_is_valid(_request(**{"pass": forged}), "v1.w1") is None
    other_key = token.replace(KEY, "test-state-9", 1)
    assert polls.pass_is_valid(_request(**{"pass": other_key}), "v1.w1") is None


@pytest.mark.parametrize(
    "token", ["", "x", "a.b", "a.b.c", "k.!!.sig", "k." + "z" * 30 + ".sig", "k.1.s" * 60]
)
def test_an_odd_pass_is_refused_quietly(token: str) -> None:
    assert polls.pass_is_valid(_request(**{"pass": token}), "v1.w1") is None


def test_a_pass_expires() -> None:
    with time_machine.travel("2026-12-02 10:00:00Z", tick=False) as traveller:
        token = _issue(_request())
        traveller.shift(polls.POLL_PASS_SECONDS - 1)
        assert polls.pass_is_valid(_request(**{"pass": token}), "v1.w1") == KEY
        traveller.shift(2)
        assert polls.pass_is_valid(_request(**{"pass": token}), "v1.w1") is None


def test_the_pass_follows_a_session_or_csrf_cookie_set_in_the_same_request() -> None:
    """Issued in the request that creates the CSRF secret (first visit) or loads the
    session: bound to the cookies the browser will send next."""
    first_visit = _request(csrf="")
    token = _issue(first_visit)
    made = first_visit.META["CSRF_COOKIE"]  # the secret the response will set
    assert made
    assert polls.pass_is_valid(_request(csrf=made, **{"pass": token}), "v1.w1") == KEY
    assert polls.pass_is_valid(_request(csrf="", **{"pass": token}), "v1.w1") is None


def test_a_pass_may_be_shorter_lived_never_longer() -> None:
    """A poll whose answer changes with time (the waiting room's delay) asks for a pass
    that ends when its answer would change."""
    with time_machine.travel("2026-12-02 10:00:00Z", tick=False) as traveller:
        short = polls.issue_pass(_request(), path="/poll", key=KEY, version_value="v", valid_for=30)
        long = polls.issue_pass(
            _request(), path="/poll", key=KEY, version_value="v", valid_for=10**6
        )
        traveller.shift(29)
        assert polls.pass_is_valid(_request(**{"pass": short}), "v") == KEY
        traveller.shift(2)
        assert polls.pass_is_valid(_request(**{"pass": short}), "v") is None
        traveller.shift(polls.POLL_PASS_SECONDS - 30)  # 601 s after issue
        assert polls.pass_is_valid(_request(**{"pass": long}), "v") is None
