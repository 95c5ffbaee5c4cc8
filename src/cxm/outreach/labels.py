"""German and English labels for addressing proactive notices to segments."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "notices.audience": ("Zielgruppe", "Audience"),
    "notices.audience_hint": (
        "Modell, Segment oder beides: mit beidem erhalten nur die Segment-Mitglieder den "
        "Hinweis, die das Modell besitzen. Einwilligung und Kontaktpause gelten immer.",
        "Model, segment or both: with both, only the segment's members who hold the model "
        "receive the notice. Consent and the contact pause always apply.",
    ),
    "notices.segment": ("Segment", "Segment"),
    "notices.segment_none": ("kein Segment", "no segment"),
    "notices.segment_as_sent": (
        "Regel beim Versand (spätere Änderungen am Segment gelten nicht)",
        "Rule as sent (later changes to the segment do not apply)",
    ),
    "notices.recipients": ("Empfänger", "Recipients"),
    "notices.any_model": ("alle Modelle", "any model"),
    "notices.bad_segment": (
        "Dieses Segment gibt es nicht (mehr).",
        "This segment does not exist (any more).",
    ),
    "notices.need_audience": (
        "Geben Sie ein Modell, ein Segment oder beides an.",
        "Give a model, a segment or both.",
    ),
}
