"""Product and model mentions are matched against a catalogue."""

from cxm.textanalytics.products import ProductCatalogue


def test_catalogue_names_are_found_case_and_separator_insensitively() -> None:
    cat = ProductCatalogue(
        {"Modell X": ["MX"], "Modell X Pro": [], "FritzBox 7590": ["Fritz!Box 7590"]}
    )
    assert [m.product for m in cat.find("Mein Modell X ist kaputt")] == ["Modell X"]
    assert [m.product for m in cat.find("das modell-x pro auch")] == ["Modell X Pro"]
    assert [m.product for m in cat.find("Beim Modells X hakt es")] == ["Modell X"]
    assert [m.product for m in cat.find("MX und Fritz!Box 7590")] == ["Modell X", "FritzBox 7590"]
    assert cat.find("Modell Xenon") == ()


def test_empty_catalogue_finds_nothing() -> None:
    assert ProductCatalogue().find("Modell X") == ()
