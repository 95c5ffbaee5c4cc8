"""German and English labels of the insights page."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "insights.nav": ("Treiber & Wert", "Drivers & value"),
    "insights.title": (
        "Treiber, Momente der Wahrheit und Kundenwert",
        "Drivers, moments of truth and customer value",
    ),
    "insights.filters": ("Auswahl", "Selection"),
    "insights.outcome": ("Zielgröße", "Outcome"),
    "insights.window": ("Zeitraum (Tage)", "Window (days)"),
    "insights.apply": ("Anwenden", "Apply"),
    "insights.drivers": ("Was treibt die Zielgröße?", "What drives the outcome?"),
    "insights.drivers_hint": (
        "Relative Gewichte nach Johnson (Anteil an R²) mit 95-%-Bootstrap-Intervallen; "
        "eine Zeile je Kunde.",
        "Johnson's relative weights (share of R²) with 95 % bootstrap intervals; one row "
        "per customer.",
    ),
    "insights.share": ("Anteil an R² (%)", "Share of R² (%)"),
    "insights.interval": ("Intervall", "Interval"),
    "insights.driver": ("Treiber", "Driver"),
    "insights.direction": ("Richtung (r)", "Direction (r)"),
    "insights.performance": ("Leistung (0–100)", "Performance (0–100)"),
    "insights.quadrant": ("Quadrant", "Quadrant"),
    "insights.matrix": ("Wichtigkeit × Leistung", "Importance × performance"),
    "insights.matrix_hint": (
        "Oben links: wichtig und schwach – zuerst verbessern.",
        "Top left: important and weak – fix first.",
    ),
    "insights.quadrant.fix_first": ("zuerst verbessern", "fix first"),
    "insights.quadrant.keep_up": ("Stärke halten", "keep up"),
    "insights.quadrant.low_priority": ("nachrangig", "low priority"),
    "insights.quadrant.possible_overkill": ("ggf. Übererfüllung", "possible overkill"),
    "insights.moments": ("Momente der Wahrheit", "Moments of truth"),
    "insights.moments_hint": (
        "Kontaktpunkte mit großem Einfluss und schwacher Leistung: Rang nach Anteil × "
        "Leistungslücke.",
        "Touchpoints with a large effect and weak performance: ranked by share × performance gap.",
    ),
    "insights.rank": ("Rang", "Rank"),
    "insights.touchpoint": ("Kontaktpunkt", "Touchpoint"),
    "insights.score": ("Priorität", "Priority"),
    "insights.evidence": ("n", "n"),
    "insights.r2": ("R²", "R²"),
    "insights.customers_n": ("Kunden", "customers"),
    "insights.no_drivers": (
        "Für diesen Zeitraum gibt es zu wenige Antworten für eine Treiberanalyse.",
        "This window holds too few answers for a driver analysis.",
    ),
    "insights.dropped": ("Nicht verwendet", "Not used"),
    "insights.dropped.constant": ("konstant", "constant"),
    "insights.dropped.too_few_values": ("zu wenige Werte", "too few values"),
    "insights.value": ("Kundenwert × Erlebnis", "Value × experience"),
    "insights.value_hint": (
        "CLV (BG/NBD + Gamma-Gamma) nach Stufen, Erlebnis nach Abwanderungsrisiko. Hoher "
        "Wert und gefährdet: Priorität.",
        "CLV (BG/NBD + Gamma-Gamma) by tier, experience by churn risk. High value and at "
        "risk: priority.",
    ),
    "insights.no_scores": (
        "Noch keine Werte berechnet.",
        "No scores computed yet.",
    ),
    "insights.refresh": ("Kundenwert und Risiko neu berechnen", "Recompute value and risk"),
    "insights.refreshed": ("Neu berechnet.", "Recomputed."),
    "insights.computed_at": ("berechnet am", "computed at"),
    "insights.tier": ("CLV-Stufe", "CLV tier"),
    "insights.tier.high": ("hoch", "high"),
    "insights.tier.medium": ("mittel", "medium"),
    "insights.tier.low": ("niedrig", "low"),
    "insights.tier.none": ("ohne Kauf", "no purchase"),
    "insights.experience.at_risk": ("gefährdet", "at risk"),
    "insights.experience.neutral": ("neutral", "neutral"),
    "insights.experience.good": ("gut", "good"),
    "insights.churn": ("Abwanderungsrisiko", "Churn risk"),
    "insights.auc": ("AUC auf zurückgehaltenen Daten", "AUC on held-back data"),
    "insights.churn_hint": (
        "Logistische Regression auf Kontaktpause, Beschwerden, Detraktor-Antworten, "
        "Stimmungstrend und offenen Fällen; trainiert vor, geprüft nach einem Stichtag.",
        "Logistic regression on recency, complaints, detractor answers, sentiment trend "
        "and open cases; trained before, tested after a cutoff.",
    ),
    "insights.priority": ("Priorität: hoher Wert, gefährdet", "Priority: high value, at risk"),
    "insights.no_priority": ("Keine Kunden in dieser Zelle.", "No customers in this cell."),
    "insights.clv": ("CLV (€)", "CLV (€)"),
    "insights.risk": ("Risiko", "Risk"),
    "insights.customer": ("Kunde", "Customer"),
    "insights.model_skipped": ("Modell nicht berechnet", "Model not computed"),
    "insights.as_table": ("Als Tabelle", "As a table"),
    "insights.chart_hint": (
        "Die Tabelle darunter enthält dieselben Werte.",
        "The table below holds the same values.",
    ),
}
