from datetime import datetime, timedelta, timezone

import pytest

from cxm.shared.clock import ensure_utc
from cxm.shared.errors import Invalid
from cxm.shared.pagination import decode_cursor, encode_cursor


def test_cursor_round_trips() -> None:
    assert decode_cursor(encode_cursor(["2026-01-01T00:00:00+00:00", "abc"])) == [
        "2026-01-01T00:00:00+00:00",
        "abc",
    ]


def test_a_garbled_cursor_is_a_422() -> None:
    with pytest.raises(Invalid):
        decode_cursor("%%%not-base64")


def test_naive_datetimes_are_refused_and_aware_ones_become_utc() -> None:
    with pytest.raises(ValueError, match="timezone"):
        ensure_utc(datetime(2026, 1, 1, 12, 0))
    berlin = datetime(2026, 1, 1, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    assert ensure_utc(berlin).hour == 12 and ensure_utc(berlin).utcoffset() == timedelta(0)
