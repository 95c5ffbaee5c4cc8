"""Configurable topic taxonomies and urgency flags, with the two shipped defaults.

A taxonomy is a named list of topics; each topic may carry keyword/pattern rules (see
:mod:`cxm.textanalytics.rules`) and may also be learnt by the model from labelled feedback.
Taxonomies are plain JSON so that users can edit them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxm.textanalytics.domain import Flag
from cxm.textanalytics.rules import Rule


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    label: str
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def rule(self) -> Rule:
        return Rule(label=self.id, keywords=self.keywords, patterns=self.patterns)


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """A named, ordered set of topics."""

    name: str
    topics: tuple[Topic, ...]

    @property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics)

    def rules(self) -> tuple[Rule, ...]:
        return tuple(t.rule() for t in self.topics if t.keywords or t.patterns)

    def with_rule(
        self, topic_id: str, *, keywords: tuple[str, ...] = (), patterns: tuple[str, ...] = ()
    ) -> Taxonomy:
        """A copy with keywords/patterns added to a topic (created if it does not exist)."""
        topics = list(self.topics)
        for i, t in enumerate(topics):
            if t.id == topic_id:
                topics[i] = Topic(t.id, t.label, t.keywords + keywords, t.patterns + patterns)
                break
        else:
            topics.append(Topic(topic_id, topic_id, keywords, patterns))
        return Taxonomy(self.name, tuple(topics))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        topics = tuple(
            Topic(
                id=str(t["id"]),
                label=str(t.get("label", t["id"])),
                keywords=tuple(str(k) for k in t.get("keywords", ())),
                patterns=tuple(str(p) for p in t.get("patterns", ())),
            )
            for t in data["topics"]
        )
        return cls(name=str(data["name"]), topics=topics)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "topics": [
                {
                    "id": t.id,
                    "label": t.label,
                    "keywords": list(t.keywords),
                    "patterns": list(t.patterns),
                }
                for t in self.topics
            ],
        }


def load_taxonomy(path: str | Path) -> Taxonomy:
    """A taxonomy from a JSON file written by :func:`save_taxonomy` (or by hand)."""
    return Taxonomy.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def save_taxonomy(taxonomy: Taxonomy, path: str | Path) -> None:
    Path(path).write_text(
        json.dumps(taxonomy.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


CUSTOMER_SERVICE = Taxonomy(
    name="customer_service",
    topics=(
        Topic(
            "billing",
            "Billing / invoice",
            keywords=(
                "rechnung", "rechnung*", "abrechnung", "abbuchung", "abgebucht", "lastschrift",
                "gutschrift", "mahnung", "inkasso", "zahlung", "bezahlung", "rückerstattung",
                "erstattung", "doppelt berechnet", "falsch berechnet", "bill", "billing",
                "invoice", "overcharge", "overcharged", "refund", "payment", "direct debit",
                "charged twice", "double charged",
            ),
        ),
        Topic(
            "delivery_provisioning",
            "Delivery / provisioning",
            keywords=(
                "lieferung", "lieferzeit", "liefern", "versand", "paket", "zustellung",
                "sendung", "bestellung", "nicht angekommen", "bereitstellung", "freischaltung",
                "schaltung", "aktivierung", "installation", "techniker*", "technikertermin",
                "delivery", "shipping", "shipment", "parcel", "package", "order", "not arrived",
                "activation", "installation", "technician", "provisioning", "setup",
            ),
        ),
        Topic(
            "network_quality",
            "Network / quality",
            keywords=(
                "netz*", "*netz", "empfang", "funkloch", "verbindung", "abbruch", "störung",
                "ausfall", "internet", "wlan", "dsl", "glasfaser", "geschwindigkeit",
                "bandbreite", "mbit", "=lte", "=5g", "latenz", "signal", "network", "coverage",
                "outage", "reception", "connection", "disconnect", "disconnects", "bandwidth",
                "slow internet", "no signal", "dropped calls", "wifi",
            ),
        ),
        Topic(
            "hotline_waiting",
            "Hotline / waiting time",
            keywords=(
                "hotline", "warteschleife", "wartezeit", "callcenter", "call-center",
                "rückruf", "nicht erreichbar", "niemand erreicht", "keiner erreichbar",
                "in der leitung", "on hold", "hold music", "waiting time", "wait time",
                "call center", "callback", "queue", "no one answers", "nobody answers",
            ),
            patterns=(r"\b\d+\s*(?:min(?:uten)?|stunden?|minutes?|hours?)\s+(?:in der )?warte",),
        ),
        Topic(
            "staff",
            "Staff competence and friendliness",
            keywords=(
                "mitarbeiter", "mitarbeiterin", "berater", "beraterin", "personal",
                "freundlich", "unfreundlich", "kompetent", "inkompetent", "hilfsbereit",
                "unhöflich", "höflich", "arrogant", "kompetenz", "staff", "employee", "agent",
                "representative", "rude", "friendly", "unfriendly", "helpful", "unhelpful",
                "polite", "impolite", "competent", "incompetent", "clueless",
            ),
        ),
        Topic(
            "product_defect",
            "Product defect",
            keywords=(
                "defekt", "kaputt", "funktioniert nicht", "geht nicht", "fehlerhaft", "mangel",
                "reparatur", "garantie", "gewährleistung", "reklamation", "absturz",
                "stürzt ab", "broken", "defect", "defective", "faulty", "not working",
                "doesn't work", "does not work", "stopped working", "repair", "warranty",
                "malfunction", "crashes", "crashed",
            ),
        ),
        Topic(
            "price_tariff",
            "Price / tariff",
            keywords=(
                "preis", "preis*", "tarif", "tarif*", "teuer", "kosten", "gebühr", "günstig",
                "billig", "preiserhöhung", "grundgebühr", "price", "pricing", "tariff",
                "expensive", "overpriced", "cost", "fee", "fees", "cheap", "price increase",
                "data plan",
            ),
        ),
        Topic(
            "website_app",
            "Website / app usability",
            keywords=(
                "app", "website", "webseite", "homepage", "internetseite", "online-portal",
                "kundenportal", "portal", "login", "passwort", "einloggen", "benutzeroberfläche",
                "bedienung", "navigator", "web site", "password", "log in", "interface",
                "user interface", "usability", "user-friendly", "browser",
            ),
        ),
        Topic(
            "contract_cancellation",
            "Contract / cancellation",
            keywords=(
                "vertrag", "vertrag*", "kündigung", "kündigen", "kündigungsfrist", "laufzeit",
                "widerruf", "verlängerung", "tarifwechsel", "contract", "cancellation",
                "terminate", "termination", "renewal", "notice period", "minimum term",
                "subscription",
            ),
            patterns=(r"\bcancel(?:l?ing|l?ed)?\s+(?:my|the|our)\s+\w+",),
        ),
        Topic(
            "data_protection",
            "Data protection",
            keywords=(
                "datenschutz", "dsgvo", "=daten", "personenbezogene", "datenleck", "einwilligung",
                "datenauskunft", "gehackt", "spam", "privacy", "gdpr", "data protection",
                "personal data", "data breach", "consent", "hacked", "delete my data",
            ),
        ),
    ),
)  # fmt: skip


GERMEVAL_2017 = Taxonomy(
    name="germeval2017",
    topics=tuple(
        Topic(cat, cat.replace("_", " "))
        for cat in (
            "Allgemein", "Zugfahrt", "Sonstige_Unregelmässigkeiten", "Atmosphäre", "Sicherheit",
            "Ticketkauf", "Service_und_Kundenbetreuung", "Informationen",
            "Auslastung_und_Platzangebot", "Connectivity", "DB_App_und_Website",
            "Komfort_und_Ausstattung", "Barrierefreiheit", "Image", "Toiletten", "Design",
            "Gastronomisches_Angebot", "Reisen_mit_Kindern", "Gepäck", "QR-Code",
        )
    ),
)  # fmt: skip


DEFAULT_TAXONOMIES: dict[str, Taxonomy] = {
    CUSTOMER_SERVICE.name: CUSTOMER_SERVICE,
    GERMEVAL_2017.name: GERMEVAL_2017,
}


FLAG_RULES: tuple[Rule, ...] = (
    Rule(
        str(Flag.CHURN_THREAT),
        keywords=(
            "kündigen", "kündigung", "sonderkündigung", "anbieterwechsel", "nie wieder",
            "zur konkurrenz", "anbieter wechseln", "never again", "switch provider",
            "switching provider", "close my account", "take my business elsewhere",
        ),
        patterns=(
            r"\b(?:i(?:'m| am| will|'ll)?|we(?:'re| are| will|'ll)?)\s+(?:going to\s+)?"
            r"(?:cancel|leave|switch|terminate)\b",
            r"\bcancel(?:l?ing)?\s+(?:my|our)\s+(?:contract|subscription|account|membership"
            r"|plan|service)",
            r"\b(?:wechsle|wechseln)\s+(?:\w+\s+){0,3}(?:anbieter|zur konkurrenz)",
            r"\bswitch(?:ing)?\s+to\s+(?:another|a different|your competitor)",
        ),
    ),
    Rule(
        str(Flag.LEGAL_THREAT),
        keywords=(
            "anwalt", "anwältin", "rechtsanwalt", "rechtliche schritte", "klage", "verklagen",
            "gericht", "verbraucherzentrale", "bundesnetzagentur", "schlichtungsstelle",
            "lawyer", "attorney", "legal action", "sue", "lawsuit", "court", "small claims",
            "ombudsman", "consumer protection", "legal steps",
        ),
    ),
    Rule(
        str(Flag.SAFETY_ISSUE),
        keywords=(
            "brand", "brandgefahr", "feuer", "=rauch", "rauchentwicklung", "explodiert",
            "explosion", "überhitzt", "überhitzung", "stromschlag", "kurzschluss", "verletzt",
            "verletzung", "lebensgefahr", "gefährlich", "giftig", "fire", "smoke",
            "caught fire", "explode", "exploded", "overheat", "overheating", "overheated",
            "electric shock", "injured", "injury", "dangerous", "hazard", "unsafe", "toxic",
            "burned", "burnt",
        ),
    ),
    Rule(
        str(Flag.REPEATED_CONTACT),
        keywords=(
            "schon wieder", "zum wiederholten mal", "wiederholt", "mehrfach", "mehrmals",
            "zigmal", "x-mal", "immer noch nicht", "once again", "yet again", "again and again",
            "multiple times", "several times", "many times", "still not", "still no",
            "still haven't",
        ),
        patterns=(
            r"\bzum\s+(?:\d+\.|zweiten|dritten|vierten|fünften|x-ten|zigsten|n-ten)\s+mal\b",
            r"\b(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)|umpteenth|nth)\s+time\b",
            r"\b(?:\d+|zwei|drei|vier|fünf|sechs|mehrere|etliche|x|zig)\s*-?\s*mal\s+"
            r"(?:angerufen|geschrieben|gemeldet|kontaktiert|nachgefragt|reklamiert|beschwert)",
            r"\b(?:called|phoned|contacted|emailed|e-mailed|written|wrote|messaged)\b.{0,30}?"
            r"\b(?:\d+|two|three|four|five|several|multiple|many)\s+times\b",
        ),
    ),
)  # fmt: skip
