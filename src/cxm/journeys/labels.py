"""German and English labels of the journey pages."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "journeys.nav": ("Journeys", "Journeys"),
    "journeys.title": ("Customer Journeys", "Customer journeys"),
    "journeys.intro": (
        "Journeys werden aus der Kontakthistorie rekonstruiert: Stufen sind Kontaktpunkte oder "
        "Interaktionsarten, ein Ziel beendet die Journey, eine lange Pause ebenso.",
        "Journeys are reconstructed from the contact history: stages are touchpoints or "
        "interaction types; the goal ends a journey, and so does a long pause.",
    ),
    "journeys.none": ("Noch keine Journeys definiert.", "No journeys defined yet."),
    "journeys.stages": ("Stufen", "Stages"),
    "journeys.goal": ("Ziel", "Goal"),
    "journeys.timeout": ("Pause, die eine Journey beendet", "Pause that ends a journey"),
    "journeys.days": ("Tage", "days"),
    "journeys.hours": ("Stunden", "hours"),
    "journeys.open": ("Öffnen", "Open"),
    "journeys.inactive": ("inaktiv", "inactive"),
    "journeys.active": ("aktiv", "active"),
    "journeys.period": ("Zeitraum", "Period"),
    "journeys.from": ("Von", "From"),
    "journeys.to": ("Bis", "To"),
    "journeys.apply": ("Anwenden", "Apply"),
    "journeys.reset": ("Zurücksetzen", "Reset"),
    "journeys.as_table": ("Als Tabelle", "As a table"),
    "journeys.chart_hint": (
        "Die Werte stehen in der Tabelle darunter.",
        "The values are in the table below.",
    ),
    "journeys.as_of": ("Stand der Daten", "Data as of"),
    "journeys.no_data": (
        "Im Zeitraum gibt es keine Interaktionen, die zu dieser Journey passen.",
        "No interactions in this period match this journey.",
    ),
    "journeys.totals": (
        "{instances} Journeys von {customers} Kunden: {goal} am Ziel, {open} offen, "
        "{lost} abgebrochen.",
        "{instances} journeys of {customers} customers: {goal} reached the goal, {open} open, "
        "{lost} lost.",
    ),
    "journeys.funnel": ("Trichter", "Funnel"),
    "journeys.funnel_note": (
        "Gezählt wird, wer diese Stufe oder eine spätere erreicht hat.",
        "Counts journeys that reached this stage or a later one.",
    ),
    "journeys.step": ("Schritt", "Step"),
    "journeys.reached": ("Erreicht", "Reached"),
    "journeys.share_of_start": ("Anteil vom Start", "Share of start"),
    "journeys.conversion": ("Konversion", "Conversion"),
    "journeys.lost_here": ("Hier abgebrochen", "Lost here"),
    "journeys.open_here": ("Hier offen", "Open here"),
    "journeys.to_next_median": ("Zeit zum nächsten Schritt (Median)", "Time to next step (median)"),
    "journeys.to_next_p90": ("… 90. Perzentil", "… 90th percentile"),
    "journeys.paths": ("Häufigste Wege", "Most common paths"),
    "journeys.paths_note": (
        "Wiederholungen zusammengefasst; am Ende steht der Ausgang.",
        "Repeats collapsed; the outcome comes last.",
    ),
    "journeys.by_stage": ("nach Stufe", "by stage"),
    "journeys.by_touchpoint": ("nach Kontaktpunkt", "by touchpoint"),
    "journeys.path": ("Weg", "Path"),
    "journeys.outcome": ("Ausgang", "Outcome"),
    "journeys.outcome.goal": ("Ziel erreicht", "Goal reached"),
    "journeys.outcome.open": ("noch offen", "still open"),
    "journeys.outcome.lost": ("abgebrochen", "lost"),
    "journeys.instances": ("Journeys", "Journeys"),
    "journeys.share": ("Anteil", "Share"),
    "journeys.other_paths": ("übrige Wege", "other paths"),
    "journeys.emotion": ("Emotionskurve", "Emotion curve"),
    "journeys.emotion_note": (
        "Antworten und Texte zählen für die Stufe des letzten Journey-Schritts davor "
        "(höchstens eine Pause zurück). Band: 95-%-Konfidenzintervall.",
        "Answers and texts count for the stage of the latest journey step before them (at most "
        "one pause back). Band: 95 % confidence interval.",
    ),
    "journeys.after_goal": ("nach dem Ziel", "after the goal"),
    "journeys.score_mean": ("Mittelwert 0–10", "Mean 0–10"),
    "journeys.nps": ("NPS", "NPS"),
    "journeys.sentiment": ("Stimmung der Texte (−1…1)", "Text sentiment (−1…1)"),
    "journeys.sentiment_axis": ("Stimmung", "Sentiment"),
    "journeys.ci": ("95-%-KI", "95 % CI"),
    "journeys.n": ("n", "n"),
    "journeys.no_emotion": (
        "Zu wenige Antworten oder Texte für eine Emotionskurve.",
        "Too few answers or texts for an emotion curve.",
    ),
    "journeys.switches": ("Kanalwechsel", "Channel switches"),
    "journeys.switches_note": (
        "{switched} von {instances} Journeys endeten auf einem anderen Kanal als sie begannen; "
        "{multi} nutzten mehr als einen Kanal.",
        "{switched} of {instances} journeys ended on another channel than they started on; "
        "{multi} used more than one channel.",
    ),
    "journeys.first_channel": ("Erster Kanal", "First channel"),
    "journeys.last_channel": ("Letzter Kanal", "Last channel"),
    "journeys.lost": ("Abgebrochene Journeys", "Lost journeys"),
    "journeys.lost_note": (
        "Ohne Ziel und länger als die Pause still: verlorene Verkäufe, abgebrochene Beratungen.",
        "No goal and silent for longer than the pause: lost sales, aborted consultations.",
    ),
    "journeys.last_touchpoint": ("Letzter Kontaktpunkt", "Last touchpoint"),
    "journeys.furthest_stage": ("Weiteste Stufe", "Furthest stage"),
    "journeys.unknown": ("unbekannt", "unknown"),
    "journeys.no_lost": ("Keine abgebrochenen Journeys.", "No lost journeys."),
    "journeys.web": ("Website-Besuche", "Website visits"),
    "journeys.web_note": (
        "Ein Besuch endet nach 30 Minuten ohne Klick. Zielseiten: {goal}. Orientierungsseiten: "
        "{orientation}.",
        "A visit ends after 30 minutes without a click. Goal pages: {goal}. Orientation pages: "
        "{orientation}.",
    ),
    "journeys.entry_page": ("Einstiegsseite", "Entry page"),
    "journeys.all_visits": ("Alle Besuche", "All visits"),
    "journeys.visits": ("Besuche", "Visits"),
    "journeys.goal_rate": ("Zielseite erreicht", "Reached a goal page"),
    "journeys.clicks": ("Klicks bis zum Ziel (Median)", "Clicks to the goal (median)"),
    "journeys.time_to_goal": (
        "Zeit bis zum Ziel (Median / P90)",
        "Time to the goal (median / p90)",
    ),
    "journeys.pages_per_visit": ("Seiten je Besuch", "Pages per visit"),
    "journeys.zero_searches": ("Suchen ohne Ergebnis", "Searches without result"),
    "journeys.orientation_exits": (
        "Ausstiege auf Orientierungsseiten",
        "Exits from orientation pages",
    ),
    "journeys.no_visits": (
        "Keine Website-Besuche im Zeitraum.",
        "No website visits in this period.",
    ),
    "journeys.none_set": ("keine", "none"),
    "journeys.settings": ("Einstellungen", "Settings"),
    "journeys.name_de": ("Name (deutsch)", "Name (German)"),
    "journeys.name_en": ("Name (englisch)", "Name (English)"),
    "journeys.timeout_hours": ("Pause in Stunden", "Pause in hours"),
    "journeys.save": ("Speichern", "Save"),
    "journeys.saved": ("Gespeichert.", "Saved."),
    "journeys.api_hint": (
        "Stufen, Ziel und Zielseiten lassen sich über die API ändern "
        "(PATCH /api/v1/journeys/{key}).",
        "Stages, goal and goal pages can be changed through the API "
        "(PATCH /api/v1/journeys/{key}).",
    ),
    "journeys.moments": (
        "Momente der Wahrheit auf dieser Reise",
        "Moments of truth on this journey",
    ),
    "journeys.moments_note": (
        "Die Kontaktpunkte der Reise unter den Schlüsseltreibern des NPS der letzten 12 Monate "
        "(alle Kunden, nicht nur der Zeitraum oben): Rang nach Anteil an R² × Leistungslücke.",
        "The journey's touchpoints among the key drivers of NPS over the last 12 months (every "
        "customer, not only the period above): ranked by share of R² × performance gap.",
    ),
    "journeys.no_moments": (
        "Noch nicht genug Antworten an den Kontaktpunkten dieser Reise für eine Treiberanalyse.",
        "Not enough answers at this journey's touchpoints yet for a driver analysis.",
    ),
    "journeys.rank": ("Rang", "Rank"),
    "journeys.touchpoint": ("Kontaktpunkt", "Touchpoint"),
    "journeys.effect": ("Einfluss (% R²)", "Effect (% R²)"),
    "journeys.performance": ("Leistung (0–100)", "Performance (0–100)"),
    "journeys.quadrant": ("Quadrant", "Quadrant"),
    "journeys.quadrant.fix_first": ("zuerst verbessern", "fix first"),
    "journeys.quadrant.keep_up": ("Stärke halten", "keep up"),
    "journeys.quadrant.low_priority": ("nachrangig", "low priority"),
    "journeys.quadrant.possible_overkill": ("ggf. Übererfüllung", "possible overkill"),
    "journeys.all_drivers": ("Alle Treiber", "All drivers"),
}
