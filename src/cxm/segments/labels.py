"""German and English labels of the segment pages."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "segments.nav": ("Segmente", "Segments"),
    "segments.title": ("Segmente", "Segments"),
    "segments.intro": (
        "Ein Segment ist eine Regel über Kundenmerkmale, Produkte, NPS-Kategorie, Kundenwert, "
        "Abwanderungsrisiko und Verhalten. Die Mitglieder werden bei jedem Aufruf neu bestimmt.",
        "A segment is a rule over customer attributes, products, NPS category, value, churn "
        "risk and behaviour. Its members are worked out afresh each time.",
    ),
    "segments.builder": ("Segment bauen", "Build a segment"),
    "segments.guided": ("Geführte Auswahl", "Guided fields"),
    "segments.guided_hint": (
        "Ausgefüllte Felder werden mit UND verknüpft und zur JSON-Regel hinzugefügt.",
        "Filled fields are combined with AND and added to the JSON rule.",
    ),
    "segments.any": ("beliebig", "any"),
    "segments.type": ("Kundentyp", "Customer type"),
    "segments.type.private": ("Privatkunde", "Private"),
    "segments.type.business": ("Geschäftskunde", "Business"),
    "segments.model": ("Gerät/Modell", "Device/model"),
    "segments.complaint_days": (
        "Beschwerde in den letzten … Tagen",
        "Complaint in the last … days",
    ),
    "segments.nps": ("NPS-Kategorie", "NPS category"),
    "segments.nps.promoter": ("Promotor", "Promoter"),
    "segments.nps.passive": ("Passiver", "Passive"),
    "segments.nps.detractor": ("Detraktor", "Detractor"),
    "segments.rule": ("Regel (JSON)", "Rule (JSON)"),
    "segments.rule_hint": (
        'Gruppen: {"all": [...]}, {"any": [...]}, {"not": ...}; Bedingungen: '
        '{"field": ..., "op": ..., "value": ..., "days": ..., "key": ...}.',
        'Groups: {"all": [...]}, {"any": [...]}, {"not": ...}; conditions: '
        '{"field": ..., "op": ..., "value": ..., "days": ..., "key": ...}.',
    ),
    "segments.fields": ("Verfügbare Bedingungen", "Available conditions"),
    "segments.field": ("Feld", "Field"),
    "segments.ops": ("Operatoren", "Operators"),
    "segments.values": ("Werte", "Values"),
    "segments.name": ("Name", "Name"),
    "segments.description": ("Beschreibung", "Description"),
    "segments.preview": ("Live-Anzahl berechnen", "Count now"),
    "segments.save": ("Segment speichern", "Save segment"),
    "segments.count": ("Kunden im Segment", "customers in the segment"),
    "segments.sample": ("Erste Mitglieder", "First members"),
    "segments.saved": ("Gespeicherte Segmente", "Saved segments"),
    "segments.empty": (
        "Noch keine Segmente gespeichert. Bauen Sie oben das erste.",
        "No segments saved yet. Build the first one above.",
    ),
    "segments.members": ("Mitglieder", "Members"),
    "segments.no_members": ("Keine Kunden erfüllen diese Regel.", "No customer meets this rule."),
    "segments.more": ("Weitere", "More"),
    "segments.delete": ("Löschen", "Delete"),
    "segments.created": ("Segment gespeichert.", "Segment saved."),
    "segments.deleted": ("Segment gelöscht.", "Segment deleted."),
    "segments.error": ("Die Regel ist nicht gültig", "The rule is not valid"),
    "segments.in_use": (
        "Das Segment wird noch verwendet und kann nicht gelöscht werden",
        "The segment is still in use and cannot be deleted",
    ),
    "segments.bad_json": ("Die Regel ist kein gültiges JSON.", "The rule is not valid JSON."),
    "segments.customer": ("Kunde", "Customer"),
    "segments.region": ("Region", "Region"),
    "segments.language": ("Sprache", "Language"),
    "segments.back": ("Zurück zu den Segmenten", "Back to segments"),
    "segments.example": ("Beispiel laden", "Example"),
    "segments.manage_hint": (
        "Speichern dürfen Rollen mit dem Recht „Benachrichtigungen verwalten“.",
        "Saving needs the permission to manage outreach.",
    ),
}
