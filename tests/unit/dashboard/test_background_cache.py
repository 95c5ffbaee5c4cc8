"""The dashboard's slow figures are computed beside the requests: nothing (then the last value)
is shown until the computation is done, and one computation runs per key at a time."""

from __future__ import annotations

import threading
from typing import Any

from cxm.dashboard import services


class _Session:
    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None


def _wait_idle(key: object) -> None:
    for _ in range(200):
        with services._cache_lock:
            if key not in services._refreshing:
                return
        threading.Event().wait(0.01)
    raise AssertionError("the background computation did not finish")


def test_the_first_request_gets_nothing_then_the_value_once_computed() -> None:
    key = ("test-background", object())
    release = threading.Event()
    calls: list[Any] = []

    def compute(session: Any) -> str:
        calls.append(session)
        release.wait(5)
        return f"value {len(calls)}"

    def ask() -> str | None:
        return services.cached_in_background(
            key,
            compute,
            ttl=60,
            db=None,
            new_session=_Session,  # type: ignore[arg-type]
        )

    assert ask() is None  # started in the background
    assert ask() is None  # still running: no second computation
    release.set()
    _wait_idle(key)
    assert ask() == "value 1"
    assert len(calls) == 1 and isinstance(calls[0], _Session)  # a session of its own


def test_an_expired_value_is_served_while_it_is_recomputed() -> None:
    key = ("test-stale", object())
    values = iter(["old", "new"])
    services.cached_in_background(
        key, lambda _s: next(values), ttl=60, db=None, new_session=_Session
    )  # type: ignore[arg-type]
    _wait_idle(key)
    with services._cache_lock:
        at, value = services._cache[key]
        services._cache[key] = (at - 3600, value)  # expired
    assert (
        services.cached_in_background(
            key, lambda _s: next(values), ttl=60, db=None, new_session=_Session
        )
        == "old"
    )  # type: ignore[arg-type]
    _wait_idle(key)
    assert (
        services.cached_in_background(
            key, lambda _s: "unused", ttl=60, db=None, new_session=_Session
        )
        == "new"
    )  # type: ignore[arg-type]


def test_without_a_cache_the_value_is_computed_now_with_the_request_s_session() -> None:
    marker = object()
    got = services.cached_in_background(
        ("test-now",),
        lambda s: s,
        ttl=0,
        db=marker,
        new_session=_Session,  # type: ignore[arg-type]
    )
    assert got is marker
