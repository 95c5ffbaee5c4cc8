import pytest

from cxm.customers.domain import IdentityKind, InvalidIdentity, display_name_for, normalize_identity


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0151 2345 6789", "+4915123456789"),
        ("+49 (151) 234-56789", "+4915123456789"),
        ("0049 151 23456789", "+4915123456789"),
        ("030 1234567", "+49301234567"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_become_e164(raw: str, expected: str) -> None:
    assert normalize_identity(IdentityKind.PHONE, raw) == expected


def test_phone_without_country_code_is_read_in_the_given_region() -> None:
    assert normalize_identity(IdentityKind.PHONE, "020 7946 0958", phone_region="GB") == (
        "+442079460958"
    )


def test_email_is_lower_cased_and_trimmed() -> None:
    assert normalize_identity("email", "  Erika.Weber@Example.DE ") == "erika.weber@example.de"


@pytest.mark.parametrize(
    ("kind", "raw"),
    [("email", "not-an-email"), ("phone", "12"), ("phone", "call me"), ("social", "no handle")],
)
def test_values_without_a_canonical_form_are_refused(kind: str, raw: str) -> None:
    with pytest.raises(InvalidIdentity):
        normalize_identity(kind, raw)


def test_customer_numbers_lose_spaces_and_case() -> None:
    assert normalize_identity("customer_number", " k 1234 5678 ") == "K12345678"


def test_social_handles_drop_the_at_sign() -> None:
    assert normalize_identity("social", "Twitter:@ErikaW") == "twitter:erikaw"


def test_empty_values_are_refused() -> None:
    with pytest.raises(InvalidIdentity):
        normalize_identity("crm_id", "   ")


def test_display_name_prefers_the_company() -> None:
    assert display_name_for(first_name="A", last_name="B", company_name="ACME GmbH") == "ACME GmbH"
    assert display_name_for(first_name="Erika", last_name="Weber", company_name=None) == (
        "Erika Weber"
    )
    assert display_name_for(
        first_name=None, last_name=None, company_name=None, fallback="x@y.de"
    ) == ("x@y.de")
