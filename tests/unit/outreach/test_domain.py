from datetime import UTC, datetime, timedelta

import pytest

from cxm.outreach.domain import MAX_ATTEMPTS, retry_at, salutation, should_retry

FAILED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_back_off_doubles_from_thirty_seconds() -> None:
    delays = [retry_at(n, FAILED_AT) - FAILED_AT for n in range(1, 7)]
    assert delays == [timedelta(seconds=30 * 2**k) for k in range(6)]


def test_back_off_is_monotone_and_never_exceeds_the_cap() -> None:
    delays = [retry_at(n, FAILED_AT) - FAILED_AT for n in range(1, 200)]
    assert delays == sorted(delays)
    assert max(delays) == timedelta(hours=1)
    assert delays[-1] == timedelta(hours=1)


def test_back_off_honours_a_custom_base_and_cap() -> None:
    at = retry_at(3, FAILED_AT, base=timedelta(minutes=1), cap=timedelta(minutes=3))
    assert at == FAILED_AT + timedelta(minutes=3)


def test_back_off_refuses_an_attempt_below_one() -> None:
    with pytest.raises(ValueError):
        retry_at(0, FAILED_AT)


def test_a_message_is_retried_until_the_sixth_attempt_has_failed() -> None:
    assert MAX_ATTEMPTS == 6
    assert all(should_retry(n) for n in range(1, 6))
    assert not should_retry(6)


@pytest.mark.parametrize(
    ("kind", "first", "last", "title", "language", "expected"),
    [
        ("ms", "Anna", "Weber", None, "de", "Guten Tag, Frau Weber"),
        ("mr", "Jonas", "Becker", "Dr.", "de", "Guten Tag, Herr Dr. Becker"),
        ("mx", "Anna", "Weber", None, "de", "Guten Tag, Anna Weber"),
        ("none", "Anna", "Weber", None, "de", "Guten Tag, Anna Weber"),
        (None, "Anna", "Weber", None, "de", "Guten Tag, Anna Weber"),
        ("ms", None, None, None, "de", "Guten Tag"),
        ("ms", "Anna", "Weber", None, "en", "Dear Ms Weber"),
        ("mr", "Jonas", "Becker", None, "en", "Dear Mr Becker"),
        ("mr", "Jonas", "Becker", "Dr.", "en", "Dear Dr Becker"),
        ("mx", "Anna", "Weber", None, "en", "Dear Anna Weber"),
        ("none", None, "", None, "en", "Hello"),
        ("ms", "Anna", None, None, "en", "Dear Anna"),
    ],
)
def test_salutation_addresses_the_customer_in_their_language(
    kind: str | None,
    first: str | None,
    last: str | None,
    title: str | None,
    language: str,
    expected: str,
) -> None:
    greeting = salutation(
        salutation=kind, first_name=first, last_name=last, title=title, language=language
    )
    assert greeting == expected
