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
    "error.conflict": ("Nicht möglich", "Not possible"),
    "error.gone": ("Nicht mehr verfügbar", "No longer available"),
    "error.invalid": ("Ungültige Eingabe", "Invalid input"),
    # dashboard charts and feedback explorer
    "dashboard.filters": ("Filter", "Filters"),
    "dashboard.period": ("Zeitraum", "Period"),
    "dashboard.months_3": ("letzte 3 Monate", "last 3 months"),
    "dashboard.months_6": ("letzte 6 Monate", "last 6 months"),
    "dashboard.months_12": ("letzte 12 Monate", "last 12 months"),
    "dashboard.months_24": ("letzte 24 Monate", "last 24 months"),
    "dashboard.all_touchpoints": ("Alle Kontaktpunkte", "All touchpoints"),
    "dashboard.segment": ("Kundensegment", "Customer segment"),
    "dashboard.all_segments": ("Alle Kunden", "All customers"),
    "dashboard.apply": ("Anwenden", "Apply"),
    "dashboard.reset": ("Zurücksetzen", "Reset"),
    "dashboard.trend": ("NPS und CSAT je Monat", "NPS and CSAT by month"),
    "dashboard.chart_nps_by_touchpoint": (
        "NPS nach Kontaktpunkt (schwächste zuerst)",
        "NPS by touchpoint (weakest first)",
    ),
    "dashboard.topic_sentiment": (
        "Häufigste Themen in Kundentexten, nach Stimmung",
        "Top topics in customer texts, by sentiment",
    ),
    "dashboard.as_table": ("Werte als Tabelle", "Values as a table"),
    "dashboard.chart_hint": (
        "Diagramm; die Werte stehen in der Tabelle darunter.",
        "Chart; the values are in the table below.",
    ),
    "dashboard.month": ("Monat", "Month"),
    "dashboard.mentions": ("Nennungen", "Mentions"),
    "dashboard.per_1000": ("je 1.000 Kontakte", "per 1,000 contacts"),
    "dashboard.no_responses": (
        "Noch keine Antworten — legen Sie eine Umfrage an",
        "No responses yet — create a survey",
    ),
    "dashboard.too_few": (
        "Noch zu wenige Antworten für belastbare Werte.",
        "Too few answers yet for reliable figures.",
    ),
    "dashboard.suppressed": (
        "— : weniger Antworten (oder Kontakte) als die Mindestzahl",
        "— : fewer answers (or contacts) than the minimum",
    ),
    "dashboard.no_complaints": (
        "Keine Beschwerden in diesem Zeitraum.",
        "No complaints in this period.",
    ),
    "dashboard.no_topics": (
        "Noch keine analysierten Kundentexte — starten Sie die Textanalyse (`cxm text backfill`).",
        "No analysed customer texts yet — run the text analysis (`cxm text backfill`).",
    ),
    "dashboard.segment_not_applied": (
        "Der Segmentfilter gilt für dieses Diagramm nicht.",
        "The segment filter does not apply to this chart.",
    ),
    "sentiment.negative": ("negativ", "negative"),
    "sentiment.neutral": ("neutral", "neutral"),
    "sentiment.positive": ("positiv", "positive"),
    "topic.billing": ("Rechnung", "Billing / invoice"),
    "topic.delivery_provisioning": ("Lieferung / Bereitstellung", "Delivery / provisioning"),
    "topic.network_quality": ("Netz / Qualität", "Network / quality"),
    "topic.hotline_waiting": ("Hotline / Wartezeit", "Hotline / waiting time"),
    "topic.staff": ("Kompetenz und Freundlichkeit", "Staff competence and friendliness"),
    "topic.product_defect": ("Produktmangel", "Product defect"),
    "topic.price_tariff": ("Preis / Tarif", "Price / tariff"),
    "topic.website_app": ("Website / App", "Website / app usability"),
    "topic.contract_cancellation": ("Vertrag / Kündigung", "Contract / cancellation"),
    "topic.data_protection": ("Datenschutz", "Data protection"),
    "topic.unassigned": ("ohne Thema", "no topic"),
    "source.complaint": ("Beschwerde", "Complaint"),
    "source.review": ("Bewertung", "Review"),
    "source.social": ("Soziale Medien", "Social media"),
    "source.forum": ("Forum", "Forum"),
    "source.agent_note": ("Notiz (Mitarbeiter)", "Agent note"),
    "source.call_note": ("Gesprächsnotiz", "Call note"),
    "source.email": ("E-Mail", "E-mail"),
    "source.letter": ("Brief", "Letter"),
    "source.mystery_shopping": ("Testkauf", "Mystery shopping"),
    "source.other": ("Sonstiges", "Other"),
    "flag.churn_threat": ("Kündigungsdrohung", "Churn threat"),
    "flag.legal_threat": ("Rechtliche Schritte angedroht", "Legal threat"),
    "flag.safety_issue": ("Sicherheitsproblem", "Safety issue"),
    "flag.repeated_contact": ("Wiederholter Kontakt", "Repeated contact"),
    "feedback.title": ("Feedback-Explorer", "Feedback explorer"),
    "feedback.search": ("Im Text suchen", "Search the text"),
    "feedback.topic": ("Thema", "Topic"),
    "feedback.sentiment": ("Stimmung", "Sentiment"),
    "feedback.product": ("Produkt / Modell", "Product / model"),
    "feedback.from": ("Von", "From"),
    "feedback.to": ("Bis", "To"),
    "feedback.urgent_only": ("Nur dringende", "Urgent only"),
    "feedback.all": ("Alle", "All"),
    "feedback.filter": ("Filtern", "Filter"),
    "feedback.reset": ("Filter zurücksetzen", "Reset filters"),
    "feedback.none": (
        "Kein Feedback passt zu diesen Filtern.",
        "No feedback matches these filters.",
    ),
    "feedback.empty": (
        "Noch kein Feedback erfasst. Feedback kommt über die API, Importe oder die Demo.",
        "No feedback recorded yet. Feedback arrives through the API, imports or the demo.",
    ),
    "feedback.more": ("Weitere laden", "Load more"),
    "feedback.open": ("Öffnen", "Open"),
    "feedback.not_analysed": ("noch nicht analysiert", "not analysed yet"),
    "feedback.not_analysed_long": (
        "Dieser Text ist noch nicht analysiert; die Textanalyse läuft im Hintergrund "
        "(`cxm text backfill`).",
        "This text is not analysed yet; the text analysis runs in the background "
        "(`cxm text backfill`).",
    ),
    "feedback.urgent": ("dringend", "urgent"),
    "feedback.language": ("Sprache", "Language"),
    "feedback.back": ("Zurück zur Liste", "Back to the list"),
    "feedback.original": ("Originaltext", "Original text"),
    "feedback.masked": (
        "Analysierter Text (personenbezogene Daten maskiert)",
        "Analysed text (personal data masked)",
    ),
    "feedback.analysis": ("Analyse", "Analysis"),
    "feedback.score": ("Wert (−1 bis +1)", "Score (−1 to +1)"),
    "feedback.confidence": ("Sicherheit", "Confidence"),
    "feedback.topics": ("Themen", "Topics"),
    "feedback.no_topics": ("Keine Themen erkannt.", "No topics found."),
    "feedback.flags": ("Dringlichkeit", "Urgency"),
    "feedback.no_flags": ("Keine Hinweise auf Dringlichkeit.", "No signs of urgency."),
    "feedback.products": ("Erwähnte Produkte", "Products mentioned"),
    "feedback.model_version": ("Modellversion", "Model version"),
    "feedback.corrected": ("von Hand korrigiert", "corrected by hand"),
    "feedback.correct": ("Bezeichnungen korrigieren", "Correct the labels"),
    "feedback.correct_hint": (
        "Korrekturen gelten sofort und fließen in das nächste Training ein.",
        "Corrections apply at once and are used at the next training.",
    ),
    "feedback.save": ("Korrektur speichern", "Save correction"),
    "feedback.saved": ("Korrektur gespeichert.", "Correction saved."),
    "feedback.corrections": ("Bisherige Korrekturen", "Earlier corrections"),
    "feedback.unchanged": ("unverändert", "unchanged"),
    "feedback.cannot_correct": (
        "Ihre Rolle darf Bezeichnungen nicht korrigieren.",
        "Your role may not correct labels.",
    ),
    "feedback.invalid": (
        "Die Korrektur wurde nicht gespeichert: ",
        "The correction was not saved: ",
    ),
    "feedback.customer": ("Kunde", "Customer"),
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
