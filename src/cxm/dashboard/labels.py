"""German and English labels of the dashboard's loyalty section and its saved-segment filter
(the dashboard's older labels live in cxm.i18n)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "dashboard.loyalty": ("Was Loyalität treibt", "What drives loyalty"),
    "dashboard.loyalty_hint": (
        "Schlüsseltreiber des NPS der letzten 12 Monate: relative Gewichte nach Johnson "
        "(Anteil an R²) mit 95-%-Bootstrap-Intervallen, eine Zeile je Kunde.",
        "Key drivers of NPS over the last 12 months: Johnson's relative weights (share of R²) "
        "with 95 % bootstrap intervals, one row per customer.",
    ),
    "dashboard.loyalty_filters": (
        "Die Filter oben gelten für diesen Abschnitt nicht.",
        "The filters above do not apply to this section.",
    ),
    "dashboard.loyalty_pending": (
        "Die Treiberanalyse wird gerade berechnet; sie erscheint beim nächsten Laden der Seite.",
        "The driver analysis is being computed; it appears when the page is next loaded.",
    ),
    "dashboard.loyalty_empty": (
        "Noch nicht genug Antworten für eine Treiberanalyse — sie braucht NPS-Antworten und "
        "mindestens 30 bewertende Kunden je Kontaktpunkt.",
        "Not enough answers yet for a driver analysis — it needs NPS answers and at least 30 "
        "rating customers per touchpoint.",
    ),
    "dashboard.drivers": ("Schlüsseltreiber", "Key drivers"),
    "dashboard.driver": ("Treiber", "Driver"),
    "dashboard.share": ("Anteil an R² (%)", "Share of R² (%)"),
    "dashboard.interval": ("95-%-Intervall", "95 % interval"),
    "dashboard.moments": ("Momente der Wahrheit", "Moments of truth"),
    "dashboard.moments_hint": (
        "Kontaktpunkte mit großem Einfluss und schwacher Leistung zuerst.",
        "Touchpoints with a large effect and weak performance first.",
    ),
    "dashboard.no_moments": (
        "Kein Kontaktpunkt ist unter den Treibern.",
        "No touchpoint is among the drivers.",
    ),
    "dashboard.effect": ("Einfluss (% R²)", "Effect (% R²)"),
    "dashboard.performance": ("Leistung (0–100)", "Performance (0–100)"),
    "dashboard.quadrant": ("Quadrant", "Quadrant"),
    "dashboard.quadrant.fix_first": ("zuerst verbessern", "fix first"),
    "dashboard.quadrant.keep_up": ("Stärke halten", "keep up"),
    "dashboard.quadrant.low_priority": ("nachrangig", "low priority"),
    "dashboard.quadrant.possible_overkill": ("ggf. Übererfüllung", "possible overkill"),
    "dashboard.model_fit": ("R² = {r2}, n = {n} Kunden", "R² = {r2}, n = {n} customers"),
    "dashboard.all_drivers": ("Alle Treiber und die Matrix", "All drivers and the matrix"),
    "dashboard.journeys_link": ("Kundenreisen", "Customer journeys"),
    "dashboard.saved_segments": ("Gespeicherte Segmente", "Saved segments"),
    "dashboard.attributes": ("Kundenmerkmale", "Customer attributes"),
    "dashboard.segment_members": (
        "Segment „{name}“: {n} Kunden (heute).",
        "Segment “{name}”: {n} customers (today).",
    ),
}
