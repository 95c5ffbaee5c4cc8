"""The shipped artefact loads from local files and analyses German and English feedback."""

from pathlib import Path

import pytest

from cxm.textanalytics import germeval
from cxm.textanalytics.domain import Flag, PiiKind, Sentiment
from cxm.textanalytics.model import DEFAULT_MODEL_DIR, ModelBundle
from cxm.textanalytics.pipeline import Analyser, analyse, load_model

pytestmark = pytest.mark.skipif(
    not (DEFAULT_MODEL_DIR / "model.npz").exists(), reason="no trained artefact"
)


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser(load_model(), catalogue=["Modell X", "Modell Y"])


def test_artefact_is_small_and_documented() -> None:
    assert (DEFAULT_MODEL_DIR / "model.npz").stat().st_size < 20_000_000
    card = (DEFAULT_MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "CC BY-NC 4.0" in card and "GermEval 2017" in card
    bundle = ModelBundle.load(DEFAULT_MODEL_DIR)
    assert set(bundle.models) == {"de", "en"}
    assert {"sentiment", "relevance", "germeval2017"} <= set(bundle.models["de"].heads)


def test_german_complaint_is_analysed_end_to_end(analyser: Analyser) -> None:
    a = analyser.analyse(
        "Hallo, seit Tagen ständige Verbindungsabbrüche mit meinem Modell X! Schon wieder "
        "niemand erreichbar. Ich kündige, wenn das so bleibt. Frau Müller, Tel. 0171 1234567"
    )
    assert a.language == "de"
    # The German model learnt from rail tweets and news, where most texts are neutral: the label
    # may stay neutral, but the signed score leans clearly negative.
    assert a.sentiment.score < -0.2
    assert "network_quality" in a.topic_ids("customer_service")
    assert {Flag.CHURN_THREAT, Flag.REPEATED_CONTACT} <= {f.flag for f in a.flags}
    assert [p.product for p in a.products] == ["Modell X"]
    assert a.pii == {PiiKind.NAME: 1, PiiKind.PHONE: 1}
    assert "0171" not in a.masked_text and "Müller" not in a.masked_text


def test_clear_german_complaint_is_negative(analyser: Analyser) -> None:
    a = analyser.analyse("Seit Tagen kein Internet, niemand erreichbar. Eine Frechheit!")
    assert a.sentiment.label == Sentiment.NEGATIVE
    assert [t.sentiment.label for t in a.topics if t.topic == "network_quality"] == [
        Sentiment.NEGATIVE
    ]


def test_english_praise_is_positive(analyser: Analyser) -> None:
    a = analyser.analyse("Thank you so much, the technician was great and very friendly!")
    assert a.language == "en" and a.model_language == "en"
    assert a.sentiment.label == Sentiment.POSITIVE
    assert "staff" in a.topic_ids()


def test_module_level_analyse_uses_the_shipped_model() -> None:
    a = analyse("Die Bahn ist heute pünktlich, danke!")
    assert a.model_version == load_model().version
    assert a.sentiment.label in set(Sentiment)


def test_germeval_predict_and_eval_round_trip(tmp_path: Path) -> None:
    gold = tmp_path / "gold.tsv"
    gold.write_text(
        "a\t@DB_Bahn Zug fällt schon wieder aus, katastrophal\ttrue\tnegative\t"
        "Sonstige_Unregelmässigkeiten#Haupt:negative\n"
        "b\tHeute Fußball im Fernsehen\tfalse\tneutral\n",
        encoding="utf-8",
    )
    pred = tmp_path / "pred.tsv"
    assert germeval.predict_file(gold, pred) == 2
    lines = pred.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in lines] == ["a", "b"]
    assert lines[0].split("\t")[3] == "negative"
    scores = germeval.evaluate_files(gold, pred)
    assert set(scores) >= {"A", "B", "C1", "C2"}
    assert scores["B"] == 1.0
    assert germeval.evaluate_files(gold)["seen_in_training"] == 0
