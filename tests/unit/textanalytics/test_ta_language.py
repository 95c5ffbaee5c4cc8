"""Language detection works offline, prefers de/en on short texts and marks other languages."""

import pytest

from cxm.textanalytics.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Die Bahn ist schon wieder zu spät, ich will kündigen!", "de"),
        ("Hotline nicht erreichbar", "de"),
        ("Rechnung falsch", "de"),
        ("My internet keeps dropping, third time this week", "en"),
        ("the app crashes", "en"),
        ("Bonjour, je voudrais annuler mon contrat", "fr"),
        ("Buongiorno, la fattura è sbagliata", "it"),
        ("Hoi, mijn factuur klopt niet", "nl"),
    ],
)
def test_language_is_detected(text: str, lang: str) -> None:
    assert detect_language(text).language == lang


def test_text_without_words_is_undetermined() -> None:
    guess = detect_language("@DB_Bahn 12345 https://t.co/x :)")
    assert guess.language == "und"
    assert guess.confidence == 0.0


def test_placeholders_and_handles_do_not_decide_the_language() -> None:
    assert (
        detect_language("[NAME] [PHONE] @someone Vielen Dank für die schnelle Hilfe").language
        == "de"
    )
