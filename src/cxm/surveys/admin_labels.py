"""German and English labels of the survey pages (list, builder, survey, results, preview)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "svy.title": ("Umfragen", "Surveys"),
    "svy.new": ("Neue Umfrage anlegen", "Create a survey"),
    "svy.edit": ("Umfrage bearbeiten", "Edit survey"),
    "svy.empty": (
        "Noch keine Umfragen — legen Sie eine an.",
        "No surveys yet — create one.",
    ),
    "svy.empty_read": (
        "Noch keine Umfragen. Ein CX-Manager kann eine anlegen.",
        "No surveys yet. A CX manager can create one.",
    ),
    "svy.name": ("Name", "Name"),
    "svy.key": ("Schlüssel", "Key"),
    "svy.status": ("Status", "Status"),
    "svy.status.draft": ("Entwurf", "draft"),
    "svy.status.live": ("aktiv", "live"),
    "svy.status.closed": ("geschlossen", "closed"),
    "svy.version": ("Version", "Version"),
    "svy.versions": ("Versionen", "Versions"),
    "svy.current": ("aktuell", "current"),
    "svy.created": ("Angelegt", "Created"),
    "svy.touchpoint": ("Kontaktpunkt", "Touchpoint"),
    "svy.responses": ("Antworten", "Responses"),
    "svy.response_rate": ("Rücklaufquote", "Response rate"),
    "svy.sent": ("versendet", "sent"),
    "svy.no_invitations": ("keine Einladungen versendet", "no invitations sent"),
    "svy.too_few": ("zu wenige für einen Wert", "too few for a score"),
    "svy.min_n": ("mindestens", "at least"),
    "svy.actions": ("Aktionen", "Actions"),
    "svy.results": ("Ergebnisse", "Results"),
    "svy.preview": ("Vorschau der Kundenseite", "Preview the customer page"),
    "svy.basics": ("Grunddaten", "Basics"),
    "svy.key_hint": (
        "Kleinbuchstaben, Ziffern, - und _; Teil des öffentlichen Links, später nicht änderbar.",
        "Lower-case letters, digits, - and _; part of the public link, cannot change later.",
    ),
    "svy.f.key": ("Schlüssel", "Key"),
    "svy.f.name": ("Interner Name", "Internal name"),
    "svy.f.title_de": ("Titel (Deutsch)", "Title (German)"),
    "svy.f.title_en": ("Titel (Englisch)", "Title (English)"),
    "svy.f.intro_de": ("Einleitung (Deutsch)", "Introduction (German)"),
    "svy.f.intro_en": ("Einleitung (Englisch)", "Introduction (English)"),
    "svy.f.touchpoint": ("Kontaktpunkt", "Touchpoint"),
    "svy.f.invitation_valid_days": (
        "Einladungen gültig (Tage)",
        "Invitations valid (days)",
    ),
    "svy.f.anonymous_enabled": (
        "Öffentlicher Link (ohne Einladung)",
        "Public link (without invitation)",
    ),
    "svy.f.questions": ("Fragen", "Questions"),
    "svy.f.form": ("Formular", "Form"),
    "svy.f.interaction_type": ("Art der Interaktion", "Interaction type"),
    "svy.f.delay_minutes": ("Verzögerung (Minuten)", "Delay (minutes)"),
    "svy.f.status": ("Status", "Status"),
    "svy.anonymous_hint": (
        "Jeder mit dem Link kann antworten, solange die Umfrage aktiv ist.",
        "Anyone with the link can answer while the survey is live.",
    ),
    "svy.no_touchpoint": ("— keiner —", "— none —"),
    "svy.versions_note": (
        "Ist die Umfrage schon aktiv oder beantwortet, wird jede inhaltliche Änderung als neue "
        "Version gespeichert; bisherige Antworten behalten ihre Fragen.",
        "Once a survey is live or answered, every change of content is saved as a new version; "
        "answers given keep their questions.",
    ),
    "svy.questions": ("Fragen", "Questions"),
    "svy.questions_hint": (
        "Leere Zeilen werden ignoriert. Weitere Zeilen mit „Frage hinzufügen“.",
        "Empty rows are ignored. More rows with “Add question”.",
    ),
    "svy.question": ("Frage", "Question"),
    "svy.q.type": ("Fragetyp", "Question type"),
    "svy.q.key": ("Schlüssel der Frage", "Question key"),
    "svy.q.text_de": ("Fragetext (Deutsch)", "Question text (German)"),
    "svy.q.text_en": ("Fragetext (Englisch)", "Question text (English)"),
    "svy.q.options": ("Antwortoptionen", "Answer options"),
    "svy.q.scale_min": ("Skala von (nur Bewertung)", "Scale from (rating only)"),
    "svy.q.scale_max": ("Skala bis (nur Bewertung)", "Scale to (rating only)"),
    "svy.q.required": ("Pflichtfrage", "Required"),
    "svy.qkey_hint": (
        "Schlüssel der Frage: optional (sonst q1, q2 …); Kleinbuchstaben, Ziffern, - und _.",
        "Question key: optional (else q1, q2 …); lower-case letters, digits, - and _.",
    ),
    "svy.options_hint": (
        "Antwortoptionen (nur Einfach-/Mehrfachauswahl): eine je Zeile, "
        "„wert | Deutsch | English“ oder „Deutsch | English“.",
        "Answer options (single/multiple choice only): one a line, "
        "“value | German | English” or “German | English”.",
    ),
    "svy.scale_hint": (
        "Skala nur für Bewertungsfragen (Standard 1–5); NPS 0–10, CSAT 1–5 und CES 1–7 sind fest.",
        "Scale for rating questions only (default 1–5); NPS 0–10, CSAT 1–5 and CES 1–7 are fixed.",
    ),
    "svy.type.nps": ("NPS (0–10 Weiterempfehlung)", "NPS (0–10 recommend)"),
    "svy.type.csat": ("CSAT (1–5 Zufriedenheit)", "CSAT (1–5 satisfaction)"),
    "svy.type.ces": ("CES (1–7 Aufwand)", "CES (1–7 effort)"),
    "svy.type.rating": ("Bewertung (Skala)", "Rating (scale)"),
    "svy.type.single_choice": ("Einfachauswahl", "Single choice"),
    "svy.type.multiple_choice": ("Mehrfachauswahl", "Multiple choice"),
    "svy.type.text": ("Freitext", "Free text"),
    "svy.add_question": ("Frage hinzufügen", "Add question"),
    "svy.create": ("Umfrage anlegen", "Create survey"),
    "svy.save_revision": ("Änderungen speichern", "Save changes"),
    "svy.check_fields": (
        "Die Umfrage wurde nicht gespeichert. Bitte prüfen Sie:",
        "The survey was not saved. Please check:",
    ),
    "svy.error.required": ("Bitte ausfüllen.", "Please fill in."),
    "svy.error.key_pattern": (
        "Nur Kleinbuchstaben, Ziffern, - und _ (am Anfang ein Buchstabe oder eine Ziffer).",
        "Only lower-case letters, digits, - and _ (starting with a letter or digit).",
    ),
    "svy.error.whole_number": ("Bitte eine ganze Zahl angeben.", "Please give a whole number."),
    "svy.error.no_questions": (
        "Eine Umfrage braucht mindestens eine Frage.",
        "A survey needs at least one question.",
    ),
    "svy.error.option_line": (
        "Jede Zeile: „wert | Deutsch | English“ oder „Deutsch | English“.",
        "Each line: “value | German | English” or “German | English”.",
    ),
    "svy.error.two_options": (
        "Eine Auswahlfrage braucht mindestens zwei Antwortoptionen.",
        "A choice question needs at least two answer options.",
    ),
    "svy.error.scale": (
        "Skala: von 0 bis 100, „von“ kleiner als „bis“.",
        "Scale: from 0 to 100, “from” below “to”.",
    ),
    "svy.error.status": ("Unbekannter Status.", "Unknown status."),
    "svy.error.same_status": (
        "Die Umfrage hat diesen Status bereits.",
        "The survey already has this status.",
    ),
    "svy.error.interaction_type": (
        "Art der Interaktion: Kleinbuchstaben, Ziffern und _ (z. B. call).",
        "Interaction type: lower-case letters, digits and _ (e.g. call).",
    ),
    "svy.error.delay": (
        "Verzögerung: 0 bis 43200 Minuten (30 Tage).",
        "Delay: 0 to 43,200 minutes (30 days).",
    ),
    "svy.publish": ("Veröffentlichen", "Publish"),
    "svy.close": ("Schließen", "Close"),
    "svy.reopen": ("Wieder öffnen", "Reopen"),
    "svy.done.created": (
        "Umfrage als Entwurf angelegt. Prüfen Sie die Vorschau und veröffentlichen Sie sie.",
        "Survey created as a draft. Check the preview and publish it.",
    ),
    "svy.done.saved": ("Änderungen gespeichert.", "Changes saved."),
    "svy.done.version": (
        "Als neue Version gespeichert; bisherige Antworten behalten ihre Version.",
        "Saved as a new version; earlier answers keep theirs.",
    ),
    "svy.done.status_live": ("Umfrage ist aktiv.", "The survey is live."),
    "svy.done.status_closed": (
        "Umfrage geschlossen; sie nimmt keine Antworten mehr an.",
        "Survey closed; it takes no more answers.",
    ),
    "svy.done.status_draft": ("Umfrage ist wieder ein Entwurf.", "The survey is a draft again."),
    "svy.done.trigger_added": ("Auslöser angelegt.", "Trigger added."),
    "svy.done.trigger_off": ("Auslöser deaktiviert.", "Trigger deactivated."),
    "svy.public_link": ("Öffentlicher Link", "Public link"),
    "svy.public_live": (
        "Der Link nimmt Antworten an, solange die Umfrage aktiv ist.",
        "The link takes answers while the survey is live.",
    ),
    "svy.public_not_live": (
        "Der Link funktioniert erst, wenn die Umfrage aktiv ist.",
        "The link works once the survey is live.",
    ),
    "svy.no_public_link": (
        "Kein öffentlicher Link — aktivieren Sie ihn beim Bearbeiten, um ohne Einladung "
        "Antworten zu sammeln.",
        "No public link — enable it when editing to collect answers without invitations.",
    ),
    "svy.personal_links": (
        "Eingeladene Kunden erhalten einen persönlichen Link, der einmal gilt.",
        "Invited customers get a personal link that works once.",
    ),
    "svy.triggers": ("Auslöser (Einladungsregeln)", "Triggers (invitation rules)"),
    "svy.triggers_hint": (
        "Nach einer Interaktion dieser Art (an diesem Kontaktpunkt) wird der Kunde nach der "
        "Verzögerung eingeladen, sofern er eingewilligt hat und nicht kürzlich befragt wurde.",
        "After an interaction of this type (at this touchpoint) the customer is invited after "
        "the delay, if they consented and were not surveyed recently.",
    ),
    "svy.no_triggers": (
        "Noch keine Auslöser — legen Sie einen an, damit Kunden nach einem Kontakt "
        "automatisch eingeladen werden.",
        "No triggers yet — add one so customers are invited after a contact automatically.",
    ),
    "svy.any_touchpoint": ("jeder Kontaktpunkt", "any touchpoint"),
    "svy.f.segment_id": ("Nur Mitglieder des Segments", "Only members of the segment"),
    "svy.any_customer": ("jeder Kunde", "any customer"),
    "svy.segment_hint": (
        "Mit Segment wird nur eingeladen, wer zum Zeitpunkt der Auswertung Mitglied ist; "
        "andere werden mit Begründung übersprungen.",
        "With a segment only customers who are members when the rule is applied are invited; "
        "others are skipped with the reason.",
    ),
    "svy.error.segment": (
        "Dieses Segment gibt es nicht (mehr).",
        "This segment does not exist (any more).",
    ),
    "svy.active": ("Aktiv", "Active"),
    "svy.yes": ("ja", "yes"),
    "svy.no": ("nein", "no"),
    "svy.deactivate": ("Deaktivieren", "Deactivate"),
    "svy.add_trigger": ("Auslöser anlegen", "Add trigger"),
    "svy.all_versions": ("alle Versionen", "all versions"),
    "svy.show": ("Anzeigen", "Show"),
    "svy.results_note": (
        "Live aus den Antworten berechnet, mit den Kennzahl-Definitionen der Übersicht "
        "(NPS mit Fehlermarge, CSAT und Rücklaufquote mit 95-%-Intervall).",
        "Computed live from the answers with the dashboard's metric definitions (NPS with "
        "margin of error, CSAT and response rate with 95 % interval).",
    ),
    "svy.agree": ("stimmen zu", "agree"),
    "svy.no_responses": (
        "Noch keine Antworten. Veröffentlichen Sie die Umfrage und legen Sie Auslöser an oder "
        "teilen Sie den öffentlichen Link.",
        "No answers yet. Publish the survey and add triggers or share the public link.",
    ),
    "svy.no_responses_live": (
        "Noch keine Antworten. Die Umfrage ist aktiv — Antworten erscheinen hier sofort.",
        "No answers yet. The survey is live — answers show here at once.",
    ),
    "svy.per_question": ("Verteilung je Frage", "Distribution per question"),
    "svy.until_version": ("gestellt bis Version", "asked until version"),
    "svy.promoters": ("Promotoren", "promoters"),
    "svy.passives": ("Passive", "passives"),
    "svy.detractors": ("Kritiker", "detractors"),
    "svy.mean": ("Mittelwert", "mean"),
    "svy.answer": ("Antwort", "Answer"),
    "svy.count": ("Anzahl", "Count"),
    "svy.share": ("Anteil", "Share"),
    "svy.text_below": ("Die Freitexte stehen unten.", "The free texts are below."),
    "svy.comments": ("Kommentare (neueste zuerst)", "Comments (newest first)"),
    "svy.no_comments": ("Noch keine Kommentare.", "No comments yet."),
    "svy.preview_ok_title": ("Vorschau: Antworten gültig", "Preview: answers valid"),
    "svy.preview_ok": (
        "So würde die Antwort angenommen. In der Vorschau wird nichts gespeichert.",
        "The answer would be accepted. Nothing is stored in the preview.",
    ),
    "svy.preview_again": ("Vorschau erneut öffnen", "Open the preview again"),
}
