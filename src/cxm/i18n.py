"""The user interface in German and English: one catalogue, looked up by key.

Every label the web application shows is a key here with both languages; a test checks that no
template uses a key without both translations.
"""

from __future__ import annotations

LANGUAGES = ("de", "en")

CATALOGUE: dict[str, tuple[str, str]] = {
    # key: (German, English)
    "app.name": ("cxm", "cxm"),
    "nav.dashboard": ("Übersicht", "Dashboard"),
    "nav.customers": ("Kunden", "Customers"),
    "nav.feedback": ("Feedback", "Feedback"),
    "nav.cases": ("Fälle", "Cases"),
    "nav.surveys": ("Umfragen", "Surveys"),
    "nav.alerts": ("Hinweise", "Alerts"),
    "nav.logout": ("Abmelden", "Log out"),
    "nav.language": ("English", "Deutsch"),
    "nav.skip": ("Zum Inhalt springen", "Skip to content"),
    "login.title": ("Anmelden", "Log in"),
    "login.email": ("E-Mail-Adresse", "E-mail address"),
    "login.password": ("Passwort", "Password"),
    "login.submit": ("Anmelden", "Log in"),
    "login.failed": (
        "E-Mail-Adresse oder Passwort ist falsch.",
        "Wrong e-mail address or password.",
    ),
    "csrf.failed": (
        "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu.",
        "The form has expired. Please reload the page.",
    ),
    "customers.title": ("Kunden finden", "Find a customer"),
    "customers.search": (
        "Name, E-Mail, Telefon oder Kundennummer",
        "Name, e-mail, phone or customer number",
    ),
    "customers.search_button": ("Suchen", "Search"),
    "customers.none": (
        "Kein Kunde gefunden. Prüfen Sie die Schreibweise oder suchen Sie nach Telefon "
        "oder Kundennummer.",
        "No customer found. Check the spelling or search by phone or customer number.",
    ),
    "customers.start": (
        "Suchen Sie einen Kunden, um sein Profil und seine ganze Historie zu sehen.",
        "Search for a customer to see their profile and whole history.",
    ),
    "customers.name": ("Name", "Name"),
    "customers.type": ("Art", "Type"),
    "customers.region": ("Region", "Region"),
    "customers.more": ("Weitere Treffer", "More results"),
    "c360.profile": ("Profil", "Profile"),
    "c360.identities": ("Erkennungsmerkmale", "Identities"),
    "c360.holdings": ("Produkte und Verträge", "Products and contracts"),
    "c360.no_holdings": (
        "Keine Produkte oder Verträge erfasst.",
        "No products or contracts recorded.",
    ),
    "c360.contact": ("Kontaktwunsch und Einwilligungen", "Contact preferences and consent"),
    "c360.preferred": ("Bevorzugte Kanäle", "Preferred channels"),
    "c360.no_preference": ("Kein bevorzugter Kanal hinterlegt.", "No preferred channel recorded."),
    "c360.consent_allowed": ("erlaubt", "allowed"),
    "c360.consent_denied": ("nicht erlaubt", "not allowed"),
    "c360.scores": ("Bewertungen", "Ratings"),
    "c360.no_scores": ("Noch keine Umfrageantworten.", "No survey answers yet."),
    "c360.timeline": ("Historie über alle Kanäle", "History across all channels"),
    "c360.no_timeline": ("Noch keine Kontakte erfasst.", "No contacts recorded yet."),
    "c360.older": ("Ältere Kontakte", "Older contacts"),
    "c360.feedback": ("Beschwerden und Feedback", "Complaints and feedback"),
    "c360.no_feedback": ("Kein Feedback erfasst.", "No feedback recorded."),
    "c360.since": ("seit", "since"),
    "c360.until": ("bis", "until"),
    "c360.language": ("Sprache", "Language"),
    "c360.postal_code": ("PLZ", "Postal code"),
    "c360.customer_since": ("Kunde seit", "Customer since"),
    "field.when": ("Wann", "When"),
    "field.channel": ("Kanal", "Channel"),
    "field.touchpoint": ("Kontaktpunkt", "Touchpoint"),
    "field.type": ("Art", "Type"),
    "field.text": ("Text", "Text"),
    "field.direction": ("Richtung", "Direction"),
    "field.source": ("Quelle", "Source"),
    "field.rating": ("Bewertung", "Rating"),
    "field.survey": ("Umfrage", "Survey"),
    "field.score": ("Wert", "Score"),
    "direction.in": ("eingehend", "inbound"),
    "direction.out": ("ausgehend", "outbound"),
    "dashboard.title": ("Übersicht", "Dashboard"),
    "dashboard.customers": ("Kunden", "Customers"),
    "dashboard.interactions": ("Kontakte (30 Tage)", "Contacts (30 days)"),
    "dashboard.responses": ("Umfrageantworten (30 Tage)", "Survey answers (30 days)"),
    "dashboard.complaints": ("Beschwerden (30 Tage)", "Complaints (30 days)"),
    "dashboard.open_alerts": ("Offene Hinweise", "Open alerts"),
    "dashboard.empty": (
        "Noch keine Daten. Importieren Sie Kunden und Kontakte oder bauen Sie die Demo "
        "mit `cxm demo`.",
        "No data yet. Import customers and contacts, or build the demo with `cxm demo`.",
    ),
    "kpi.nps": ("NPS", "NPS"),
    "kpi.csat": ("CSAT (Anteil zufrieden)", "CSAT (share satisfied)"),
    "kpi.ces": ("CES 2.0 (Mittelwert 1–7)", "CES 2.0 (mean 1–7)"),
    "kpi.response_rate": ("Rücklaufquote", "Response rate"),
    "dashboard.last30": ("letzte 30 Tage", "last 30 days"),
    "dashboard.vs_previous": ("ggü. den 30 Tagen davor", "vs. the 30 days before"),
    "dashboard.significant": ("signifikant", "significant"),
    "dashboard.not_significant": ("nicht signifikant", "not significant"),
    "dashboard.nps_by_touchpoint": (
        "NPS nach Kontaktpunkt (90 Tage, schwächste zuerst)",
        "NPS by touchpoint (90 days, weakest first)",
    ),
    "dashboard.complaint_rate": (
        "Beschwerden je 1.000 Kontakte nach Thema und Monat",
        "Complaints per 1,000 contacts by topic and month",
    ),
    "dashboard.topic": ("Thema", "Topic"),
    "dashboard.no_touchpoint": ("ohne Kontaktpunkt", "no touchpoint"),
    "error.not_found": ("Nicht gefunden", "Not found"),
    "error.forbidden": ("Keine Berechtigung", "Not allowed"),
}


def translate(key: str, language: str) -> str:
    """The label in the language (German when the language is unknown); the key if missing."""
    pair = CATALOGUE.get(key)
    if pair is None:
        return key
    return pair[1] if language == "en" else pair[0]


def register(labels: dict[str, tuple[str, str]]) -> None:
    """Adds a feature's labels (key → (German, English)); a key may be defined only once."""
    clash = sorted(set(labels) & set(CATALOGUE))
    if clash:
        raise ValueError(f"labels defined twice: {clash}")
    CATALOGUE.update(labels)
