"""The rule layer: German compounds and inflection, phrases, exact and prefix keywords."""

from cxm.textanalytics.rules import Rule, RuleMatcher, word_forms
from cxm.textanalytics.taxonomy import (
    CUSTOMER_SERVICE,
    FLAG_RULES,
    Taxonomy,
    load_taxonomy,
    save_taxonomy,
)


def test_compound_plural_with_umlaut_matches_its_head_keyword() -> None:
    m = RuleMatcher([Rule("network", ("Abbruch",))])
    assert m.labels_in("Ständige Verbindungsabbrüche seit Tagen!") == {
        "network": ("Verbindungsabbrüche",)
    }
    assert "network" in m.labels_in("WLAN-Abbruch am Abend")
    assert "network" in m.labels_in("Abbrüchen")


def test_inflected_forms_match_via_lemmas() -> None:
    m = RuleMatcher([Rule("churn", ("kündigen",)), Rule("billing", ("Rechnung",))])
    assert "churn" in m.labels_in("Ich kündige sofort")
    assert "churn" in m.labels_in("Habe gestern gekündigt")
    assert "billing" in m.labels_in("Alle Rechnungen sind falsch")


def test_english_inflection_is_handled() -> None:
    m = RuleMatcher([Rule("churn", ("cancel",))])
    assert "churn" in m.labels_in("I cancelled it")
    assert "churn" in m.labels_in("cancelling now")
    assert "cancel" in word_forms("cancelled")


def test_exact_keywords_do_not_match_compounds() -> None:
    m = RuleMatcher([Rule("safety", ("=rauch",))])
    assert m.labels_in("Der Verbrauch ist hoch") == {}
    assert m.labels_in("Rauch kommt aus dem Gerät") == {"safety": ("Rauch",)}


def test_short_keywords_do_not_match_inside_words() -> None:
    m = RuleMatcher([Rule("app", ("app",))])
    assert m.labels_in("Das war knapp") == {}
    assert m.labels_in("Die Bahn-App stürzt ab") == {"app": ("Bahn-App",)}


def test_prefix_and_infix_keywords() -> None:
    m = RuleMatcher([Rule("billing", ("rechnung*",)), Rule("network", ("*störung*",))])
    assert m.labels_in("Der Rechnungsbetrag stimmt nicht") == {"billing": ("Rechnungsbetrag",)}
    assert m.labels_in("Internetstörungen nerven") == {"network": ("Internetstörungen",)}


def test_phrases_and_patterns() -> None:
    m = RuleMatcher([Rule("repeat", ("schon wieder",), (r"\bthird\s+time\b",))])
    assert m.labels_in("Schon wieder keine Verbindung") == {"repeat": ("Schon wieder",)}
    assert m.labels_in("this is the third time I call") == {"repeat": ("third time",)}
    assert m.labels_in("wieder schon") == {}


def test_users_can_add_topics_to_a_taxonomy_and_round_trip_it(tmp_path) -> None:
    tax = CUSTOMER_SERVICE.with_rule("outage_modell_x", keywords=("Verbindungsabbruch",))
    path = tmp_path / "taxonomy.json"
    save_taxonomy(tax, path)
    loaded = load_taxonomy(path)
    assert loaded == tax
    m = RuleMatcher(loaded.rules())
    assert "outage_modell_x" in m.labels_in("Dauernd Verbindungsabbrüche beim Modell X")
    assert isinstance(Taxonomy.from_dict(tax.to_dict()), Taxonomy)


def test_default_flag_rules() -> None:
    m = RuleMatcher(FLAG_RULES)
    assert set(m.labels_in("Wenn das so weitergeht, kündige ich!")) == {"churn_threat"}
    assert set(m.labels_in("Ich schalte meinen Anwalt ein.")) == {"legal_threat"}
    assert set(m.labels_in("Das Ladegerät hat Rauch entwickelt, Brandgefahr!")) == {"safety_issue"}
    assert set(m.labels_in("Schon wieder kein Netz")) == {"repeated_contact"}
    assert set(m.labels_in("This is the third time I contact you")) == {"repeated_contact"}
    assert set(m.labels_in("I will cancel my contract and call my lawyer")) == {
        "churn_threat",
        "legal_threat",
    }
    assert m.labels_in("My flight was cancelled, thanks for rebooking") == {}
    assert m.labels_in("Der Verbrauch ist normal, Brandenburg ist schön") == {}
