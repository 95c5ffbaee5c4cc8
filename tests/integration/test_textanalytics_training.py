"""Training on users' own feedback, and agents' corrections changing the next training
(needs scikit-learn; each test trains tiny models in well under a second)."""

import json
from pathlib import Path

from cxm.textanalytics.domain import Correction, LabelledText, Sentiment
from cxm.textanalytics.model import ModelBundle
from cxm.textanalytics.pipeline import Analyser
from cxm.textanalytics.training import apply_corrections, read_corrections, read_feedback, train

POSITIVE = [
    "Super Service, vielen Dank für die schnelle Hilfe",
    "Toller Tarif und freundliche Beratung",
    "Alles bestens, sehr zufrieden mit dem Router",
    "Danke, die Lieferung kam pünktlich und schnell",
    "Sehr gute Beratung in der Hotline, danke",
    "Perfekt, die Rechnung stimmt jetzt",
]
NEGATIVE = [
    "Katastrophe, seit Tagen kein Internet",
    "Die Rechnung ist falsch und niemand hilft",
    "Unverschämt, wieder doppelt abgebucht",
    "Schlechter Service, ewig in der Warteschleife",
    "Der Router ist kaputt und der Support ignoriert mich",
    "Ärgerlich, die Lieferung ist nie angekommen",
]
PROBE = "Die neue Box blinkt rot"


def _feedback(probe_label: str) -> list[LabelledText]:
    items = [LabelledText(t, Sentiment.POSITIVE, ("praise",), "de") for t in POSITIVE]
    items += [LabelledText(t, Sentiment.NEGATIVE, ("complaint",), "de") for t in NEGATIVE]
    items.append(LabelledText(PROBE, Sentiment(probe_label), None, "de"))
    return items


def _sentiment(bundle: ModelBundle, text: str) -> str:
    return str(Analyser(bundle).analyse(text).sentiment.label)


def test_training_on_own_feedback_alone_learns_sentiment_and_topics(tmp_path: Path) -> None:
    bundle = train(seed=1, sources=(), feedback=_feedback("positive"), output_dir=tmp_path)
    assert set(bundle.models) == {"de"}
    assert set(bundle.models["de"].heads) == {"sentiment", "topics"}
    analysis = Analyser(ModelBundle.load(tmp_path)).analyse("Super, vielen Dank, sehr zufrieden")
    assert analysis.sentiment.label == Sentiment.POSITIVE
    assert "praise" in analysis.topic_ids("customer_service")
    assert (tmp_path / "MODEL_CARD.md").exists()


def test_corrections_change_the_next_training() -> None:
    before = train(seed=0, sources=(), feedback=_feedback("positive"))
    assert _sentiment(before, PROBE) == "positive"
    after = train(
        seed=0,
        sources=(),
        feedback=_feedback("positive"),
        corrections=[Correction(PROBE, Sentiment.NEGATIVE, None)],
    )
    assert _sentiment(after, PROBE) == "negative"
    assert after.version != before.version


def test_training_is_reproducible_for_a_seed() -> None:
    a = train(seed=3, sources=(), feedback=_feedback("neutral"))
    b = train(seed=3, sources=(), feedback=_feedback("neutral"))
    assert a.version == b.version


def test_corrections_replace_labels_and_add_unseen_texts() -> None:
    examples = [LabelledText("a b c", Sentiment.POSITIVE, ("x",))]
    corrected = apply_corrections(
        examples,
        [Correction("A B  C", Sentiment.NEGATIVE, None), Correction("new text", None, ("y",))],
    )
    assert corrected[0].sentiment == Sentiment.NEGATIVE
    assert corrected[0].topics == ("x",)
    assert corrected[1].text == "new text" and corrected[1].topics == ("y",)


def test_feedback_and_corrections_are_read_from_json_lines(tmp_path: Path) -> None:
    fb = tmp_path / "feedback.jsonl"
    fb.write_text(
        json.dumps({"text": "Toll", "sentiment": "positive", "topics": ["praise"]})
        + "\n"
        + json.dumps({"text": "Rechnung falsch", "topics": "billing, price_tariff"})
        + "\n",
        encoding="utf-8",
    )
    items = read_feedback(fb)
    assert items[0].sentiment == Sentiment.POSITIVE and items[0].topics == ("praise",)
    assert items[1].sentiment is None and items[1].topics == ("billing", "price_tariff")
    corr = tmp_path / "corrections.jsonl"
    corr.write_text(json.dumps({"text": "Toll", "sentiment": "neutral"}) + "\n", encoding="utf-8")
    assert read_corrections(corr) == [Correction("Toll", Sentiment.NEUTRAL, None)]


def test_saved_model_scores_exactly_like_the_trained_one(tmp_path: Path) -> None:
    trained = train(seed=0, sources=(), feedback=_feedback("negative"), output_dir=tmp_path)
    loaded = ModelBundle.load(tmp_path)
    texts = [*POSITIVE[:2], *NEGATIVE[:2], PROBE, "", "!!!", "x"]
    a = trained.models["de"].scores(texts)
    b = loaded.models["de"].scores(texts)
    for head in a:
        assert abs(a[head] - b[head]).max() < 2e-3
