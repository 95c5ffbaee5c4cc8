"""PII masking: typed placeholders, and nothing masked that is not personal."""

import pytest

from cxm.textanalytics.domain import PiiKind
from cxm.textanalytics.masking import mask, mask_pii


@pytest.mark.parametrize(
    "text",
    [
        "Meine IBAN ist DE89 3704 0044 0532 0130 00, bitte abbuchen.",
        "IBAN: DE89370400440532013000",
        "iban de89 3704 0044 0532 0130 00",
        "GB29 NWBK 6016 1331 9268 19 is my account",
        "AT61 1904 3002 3457 3201 und so",
    ],
)
def test_ibans_are_masked_with_and_without_spaces(text: str) -> None:
    result = mask_pii(text)
    assert result.counts.get(PiiKind.IBAN) == 1
    assert "[IBAN]" in result.text
    assert not any(ch.isdigit() for ch in result.text.split("[IBAN]")[0][-3:])


def test_iban_mask_does_not_swallow_the_following_word() -> None:
    assert mask("DE89 3704 0044 0532 0130 00 und weiter") == "[IBAN] und weiter"


@pytest.mark.parametrize(
    "text",
    [
        "Ruf mich an unter +49 30 1234567.",
        "Ruf mich an unter 0171/1234567.",
        "Tel.: 0049 (0)30 123 45 67",
        "Festnetz (030) 12345678",
        "oder 030-123 456 78 bitte",
        "Meine Nummer ist 0151 23456789",
        "+49-171-1234567",
        "call me at +1 (555) 123-4567",
        "or 555-123-4567 tomorrow",
        "mobile: 07700 900123",
    ],
)
def test_phone_numbers_in_many_formats_are_masked(text: str) -> None:
    result = mask_pii(text)
    assert result.counts.get(PiiKind.PHONE) == 1, result.text
    assert sum(ch.isdigit() for ch in result.text) <= 1


@pytest.mark.parametrize(
    "text",
    [
        "Am 12.03.2024 um 14:30 habe ich 49,99 € bezahlt.",
        "Rechnung über 1.234,56 EUR vom 2024-03-12.",
        "Seit dem 01.02.2024 geht nichts.",
        "Preis 1 299,00 € ist zu hoch, Tarif 39.99",
        "Die Zugnummer ICE 1234 war 45 Minuten zu spät.",
        "Version 0.9.3 ist fehlerhaft, Fehler 0x80070005",
        "Lieferung in 10-12 Tagen, PLZ 10115 Berlin, 100.000 Kunden",
        "Jahre 2015 2016 2017",
    ],
)
def test_dates_times_and_amounts_are_not_masked(text: str) -> None:
    assert mask(text) == text


def test_emails_inside_text_are_masked() -> None:
    result = mask_pii("Schreib an max.mustermann+cxm@example.co.uk oder a_b@firma-x.de bitte.")
    assert result.text == "Schreib an [EMAIL] oder [EMAIL] bitte."
    assert result.counts[PiiKind.EMAIL] == 2


def test_obfuscated_email_is_masked() -> None:
    assert mask("max (at) example (dot) de") == "[EMAIL]"


def test_customer_numbers_are_masked_in_house_format_and_after_keywords() -> None:
    assert mask("K12345678 hier") == "[CUSTOMER_NO] hier"
    assert mask("Meine Kd.-Nr. ist K-1234567") == "Meine Kd.-Nr. ist [CUSTOMER_NO]"
    assert mask("Kundennummer: 123456789, danke") == "Kundennummer: [CUSTOMER_NO], danke"
    assert mask("my customer number is 55123456.") == "my customer number is [CUSTOMER_NO]."


def test_names_after_salutations_are_masked_but_nouns_after_them_are_kept() -> None:
    assert mask("Ich habe mit Frau Müller gesprochen.") == "Ich habe mit Frau [NAME] gesprochen."
    assert mask("Herrn Dr. Hans Meier war da") == "Herrn Dr. [NAME] war da"
    assert mask("Frau Müller Rechnung falsch") == "Frau [NAME] Rechnung falsch"
    assert mask("Mr. Brown was rude. Ms Green helped.") == "Mr. [NAME] was rude. Ms [NAME] helped."


def test_names_in_greeting_and_sign_off_lines_are_masked() -> None:
    text = "Hallo Anna,\nmein Router geht nicht.\nViele Grüße\nMax Mustermann"
    assert mask(text) == "Hallo [NAME],\nmein Router geht nicht.\nViele Grüße\n[NAME]"
    assert mask("Dear John Smith, thanks.\nBest regards,\nJane Doe") == (
        "Dear [NAME], thanks.\nBest regards,\n[NAME]"
    )
    assert mask("Mein Name ist Lisa Schmidt und ich bin sauer.") == (
        "Mein Name ist [NAME] und ich bin sauer."
    )


def test_generic_salutations_are_not_names() -> None:
    text = "Sehr geehrte Damen und Herren, hallo Team, liebe Kollegen"
    assert mask(text) == text
