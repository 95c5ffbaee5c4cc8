"""The GermEval 2017 scorer reproduces the official script's micro-F1."""

from pathlib import Path

import pytest

from cxm.textanalytics.germeval import _f1, parse_aspects, read_tsv, score

GOLD = [
    "id1\tDie Bahn ist toll\ttrue\tpositive\tAllgemein#Haupt:positive",
    "id2\tZug kaputt und zu spät\ttrue\tnegative\tZugfahrt#Haupt:negative Allgemein#Haupt:negative",
    "id3\tWetter heute\tfalse\tneutral",
    "id4\tWLAN im ICE\ttrue\tneutral\tConnectivity#WLAN:neutral Connectivity#Haupt:neutral",
]
PRED = [
    "id1\tDie Bahn ist toll\ttrue\tneutral\tAllgemein#Haupt:neutral",
    "id2\tZug kaputt und zu spät\ttrue\tnegative\t"
    "Allgemein#Haupt:negative Sicherheit#Haupt:negative",
    "id3\tWetter heute\ttrue\tneutral\tAllgemein#Haupt:neutral",
    "id4\tWLAN im ICE\ttrue\tneutral\tConnectivity#Haupt:neutral",
]


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_scores_follow_the_official_definition(tmp_path: Path) -> None:
    gold = read_tsv(_write(tmp_path, "gold.tsv", GOLD))
    pred = read_tsv(_write(tmp_path, "pred.tsv", PRED))
    result = score(gold, pred)
    assert result["A"] == pytest.approx(3 / 4, abs=1e-4)
    assert result["B"] == pytest.approx(3 / 4, abs=1e-4)
    # C1 gold sets: {Allgemein}, {Zugfahrt, Allgemein}, {}, {Connectivity}; predictions hit
    # Allgemein, Allgemein, Connectivity (3 TP), miss Zugfahrt (1 FN), add Sicherheit and
    # Allgemein for id3 (2 FP): 3 / (3 + 1 + 2).
    assert result["C1"] == pytest.approx(3 / 6, abs=1e-4)
    # C2: TP Allgemein_negative, Connectivity_neutral; FN Allgemein_positive, Zugfahrt_negative;
    # FP Allgemein_neutral (id1), Sicherheit_negative, Allgemein_neutral (id3): 2 / 7.
    assert result["C2"] == pytest.approx(2 / 7, abs=1e-4)


def test_perfect_predictions_score_one(tmp_path: Path) -> None:
    gold = read_tsv(_write(tmp_path, "gold.tsv", GOLD))
    assert {k: score(gold, gold)[k] for k in ("A", "B", "C1", "C2")} == {
        "A": 1.0,
        "B": 1.0,
        "C1": 1.0,
        "C2": 1.0,
    }


def test_missing_prediction_counts_as_wrong_and_unequal_files_are_refused(tmp_path: Path) -> None:
    gold = read_tsv(_write(tmp_path, "gold.tsv", GOLD))
    renamed = [line.replace("id2", "other") for line in PRED]
    pred = read_tsv(_write(tmp_path, "pred.tsv", renamed))
    assert score(gold, pred)["B"] == pytest.approx(2 / 4, abs=1e-4)
    with pytest.raises(ValueError, match="Unequal number of instances"):
        score(gold, pred[:3])


def test_micro_f1_with_none_label_equals_hits_over_all_pairs() -> None:
    pairs = [("a", "a"), ("b", "none"), ("none", "c"), ("a", "a")]
    assert _f1(pairs) == pytest.approx(2 / 4)


def test_aspects_are_parsed_like_the_official_reader() -> None:
    assert parse_aspects("Allgemein#Haupt:negative Zugfahrt:positive") == (
        ("Allgemein#Haupt", "negative"),
        ("Zugfahrt", "positive"),
    )


def test_header_line_is_skipped(tmp_path: Path) -> None:
    header = "SOURCE\tTEXT\tRELEVANCE\tSENTIMENT\tCATEGORY:SENTIMENT\t"
    docs = read_tsv(_write(tmp_path, "g.tsv", [header, *GOLD]))
    assert [d.id for d in docs] == ["id1", "id2", "id3", "id4"]
