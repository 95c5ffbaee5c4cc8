"""German and English labels of the settings pages."""

from __future__ import annotations

_FIELDS: dict[str, tuple[str, str]] = {
    # touchpoints (create: tp_, edit: tpe_) and stages (create: stage_, edit: stagee_)
    "tp_key": ("Schlüssel", "Key"),
    "tp_name_de": ("Name (Deutsch)", "Name (German)"),
    "tp_name_en": ("Name (Englisch)", "Name (English)"),
    "tp_channel": ("Kanal", "Channel"),
    "tp_stage": ("Phase der Customer Journey", "Journey stage"),
    "tp_department": ("Verantwortliche Abteilung", "Owning department"),
    "tp_controllable": ("Vom Unternehmen gestaltbar", "Controlled by the company"),
    "tp_description": ("Beschreibung", "Description"),
    "tpe_name_de": ("Name (Deutsch)", "Name (German)"),
    "tpe_name_en": ("Name (Englisch)", "Name (English)"),
    "tpe_channel": ("Kanal", "Channel"),
    "tpe_stage": ("Phase der Customer Journey", "Journey stage"),
    "tpe_department": ("Verantwortliche Abteilung", "Owning department"),
    "tpe_controllable": ("Vom Unternehmen gestaltbar", "Controlled by the company"),
    "tpe_description": ("Beschreibung", "Description"),
    "stage_key": ("Schlüssel der Phase", "Stage key"),
    "stage_name_de": ("Name der Phase (Deutsch)", "Stage name (German)"),
    "stage_name_en": ("Name der Phase (Englisch)", "Stage name (English)"),
    "stage_position": ("Position (0 = erste)", "Position (0 = first)"),
    "stagee_name_de": ("Name der Phase (Deutsch)", "Stage name (German)"),
    "stagee_name_en": ("Name der Phase (Englisch)", "Stage name (English)"),
    "stagee_position": ("Position (0 = erste)", "Position (0 = first)"),
    # taxonomy topics
    "topic_id": ("Schlüssel des Themas", "Topic key"),
    "topic_label": ("Bezeichnung", "Label"),
    "topic_keywords": ("Schlüsselwörter (eines je Zeile)", "Keywords (one a line)"),
    "topic_patterns": (
        "Reguläre Ausdrücke (einer je Zeile, optional)",
        "Regular expressions (one a line, optional)",
    ),
    # users, departments, passwords, tokens, channels
    "user_email": ("E-Mail-Adresse", "E-mail address"),
    "user_name": ("Name", "Name"),
    "user_role": ("Rolle", "Role"),
    "user_department": ("Abteilung", "Department"),
    "user_language": ("Sprache", "Language"),
    "user_password": ("Passwort (optional)", "Password (optional)"),
    "dept_key": ("Schlüssel der Abteilung", "Department key"),
    "dept_name": ("Name der Abteilung", "Department name"),
    "edit_role": ("Rolle", "Role"),
    "edit_department": ("Abteilung", "Department"),
    "edit_active": ("Aktiv (darf sich anmelden)", "Active (may log in)"),
    "pw_password": ("Neues Passwort", "New password"),
    "token_name": ("Name des Tokens", "Token name"),
    "token_user": ("Für Benutzer", "For user"),
    "test_channel": ("Kanal", "Channel"),
    "test_address": ("Empfänger", "Recipient"),
    "form": ("Formular", "Form"),
}

LABELS: dict[str, tuple[str, str]] = {
    **{f"settings.f.{name}": pair for name, pair in _FIELDS.items()},
    "settings.nav": ("Einstellungen", "Settings"),
    "settings.title": ("Einstellungen", "Settings"),
    "settings.section.touchpoints": (
        "Kontaktpunkte und Journey-Phasen",
        "Touchpoints and journey stages",
    ),
    "settings.section.taxonomy": ("Themen-Taxonomie", "Topic taxonomy"),
    "settings.section.users": ("Benutzer und Rollen", "Users and roles"),
    "settings.section.tokens": ("API-Tokens", "API tokens"),
    "settings.section.channels": ("Versandkanäle", "Channels"),
    "settings.about.touchpoints": (
        "Wo Kunden mit uns in Kontakt kommen, welcher Phase und Abteilung das gehört.",
        "Where customers meet us, and which stage and department it belongs to.",
    ),
    "settings.about.taxonomy": (
        "Themen, nach denen Freitexte eingeordnet werden, mit ihren Schlüsselwort-Regeln.",
        "The topics free texts are sorted into, with their keyword rules.",
    ),
    "settings.about.users": (
        "Wer sich anmelden darf, mit welcher Rolle und in welcher Abteilung.",
        "Who may log in, with which role and in which department.",
    ),
    "settings.about.tokens": (
        "Zugänge für Programme über die API; ein Token wird nur einmal angezeigt.",
        "Access for programs through the API; a token is shown only once.",
    ),
    "settings.about.channels": (
        "Über welche Dienste E-Mail, SMS und App-Nachrichten versendet werden; Testversand.",
        "Which services send e-mail, SMS and app messages; send a test.",
    ),
    "settings.not_saved": (
        "Nicht gespeichert. Bitte prüfen Sie:",
        "Not saved. Please check:",
    ),
    "settings.error.required": ("Bitte ausfüllen.", "Please fill in."),
    "settings.error.key_pattern": (
        "Nur Kleinbuchstaben, Ziffern, - und _ (am Anfang ein Buchstabe oder eine Ziffer).",
        "Only lower-case letters, digits, - and _ (starting with a letter or digit).",
    ),
    "settings.error.whole_number": (
        "Bitte eine ganze Zahl ab 0 angeben.",
        "Please give a whole number from 0.",
    ),
    "settings.error.choose": (
        "Bitte einen Wert aus der Liste wählen.",
        "Please pick from the list.",
    ),
    "settings.error.email": ("Keine gültige E-Mail-Adresse.", "Not a valid e-mail address."),
    "settings.error.password": (
        "Ein Passwort braucht mindestens 8 Zeichen.",
        "A password needs at least 8 characters.",
    ),
    "settings.error.not_yourself": (
        "Sie können sich nicht selbst die Admin-Rechte nehmen oder sich deaktivieren.",
        "You cannot remove your own admin rights or deactivate yourself.",
    ),
    "settings.error.rule_needed": (
        "Geben Sie mindestens ein Schlüsselwort oder einen Ausdruck an.",
        "Give at least one keyword or expression.",
    ),
    "settings.error.topic_exists": (
        "Dieses Thema gibt es schon — bearbeiten Sie es in der Liste.",
        "This topic exists — edit it in the list.",
    ),
    "settings.error.no_adapter": (
        "Für diesen Kanal ist kein Versand eingerichtet.",
        "No delivery is set up for this channel.",
    ),
    "settings.done.tp_created": ("Kontaktpunkt angelegt.", "Touchpoint created."),
    "settings.done.tp_saved": ("Kontaktpunkt gespeichert.", "Touchpoint saved."),
    "settings.done.tp_on": ("Kontaktpunkt aktiviert.", "Touchpoint activated."),
    "settings.done.tp_off": (
        "Kontaktpunkt deaktiviert; bisherige Daten bleiben erhalten.",
        "Touchpoint deactivated; its data stays.",
    ),
    "settings.done.stage_created": ("Phase angelegt.", "Stage created."),
    "settings.done.stage_saved": ("Phase gespeichert.", "Stage saved."),
    "settings.done.topic_saved": (
        "Thema gespeichert; es gilt für Texte, die ab jetzt analysiert werden.",
        "Topic saved; it applies to texts analysed from now on.",
    ),
    "settings.done.user_created": ("Benutzer angelegt.", "User created."),
    "settings.done.user_saved": ("Benutzer gespeichert.", "User saved."),
    "settings.done.password_set": ("Passwort gesetzt.", "Password set."),
    "settings.done.dept_created": ("Abteilung angelegt.", "Department created."),
    "settings.done.token_revoked": (
        "Token widerrufen; es gilt ab sofort nicht mehr.",
        "Token revoked; it stops working at once.",
    ),
    "settings.key": ("Schlüssel", "Key"),
    "settings.key_hint": (
        "Kleinbuchstaben, Ziffern, - und _; später nicht änderbar.",
        "Lower-case letters, digits, - and _; cannot change later.",
    ),
    "settings.name": ("Name", "Name"),
    "settings.channel": ("Kanal", "Channel"),
    "settings.stage": ("Phase", "Stage"),
    "settings.department": ("Abteilung", "Department"),
    "settings.controllable": ("Gestaltbar", "Controllable"),
    "settings.status": ("Status", "Status"),
    "settings.actions": ("Aktionen", "Actions"),
    "settings.active": ("aktiv", "active"),
    "settings.inactive": ("inaktiv", "inactive"),
    "settings.activate": ("Aktivieren", "Activate"),
    "settings.deactivate": ("Deaktivieren", "Deactivate"),
    "settings.edit": ("Bearbeiten", "Edit"),
    "settings.save": ("Speichern", "Save"),
    "settings.yes": ("ja", "yes"),
    "settings.no": ("nein", "no"),
    "settings.none": ("— keine —", "— none —"),
    "settings.touchpoints": ("Kontaktpunkte", "Touchpoints"),
    "settings.touchpoints_empty": (
        "Noch keine Kontaktpunkte — legen Sie den ersten unten an (z. B. die Hotline).",
        "No touchpoints yet — create the first one below (e.g. the hotline).",
    ),
    "settings.touchpoints_empty_read": (
        "Noch keine Kontaktpunkte. Ein CX-Manager kann sie anlegen.",
        "No touchpoints yet. A CX manager can create them.",
    ),
    "settings.touchpoint_new": ("Neuer Kontaktpunkt", "New touchpoint"),
    "settings.touchpoint_create": ("Kontaktpunkt anlegen", "Create touchpoint"),
    "settings.touchpoint_edit": ("Kontaktpunkt bearbeiten", "Edit touchpoint"),
    "settings.stages": ("Phasen der Customer Journey", "Journey stages"),
    "settings.stages_empty": (
        "Noch keine Phasen — legen Sie sie unten in der Reihenfolge der Journey an.",
        "No stages yet — create them below in journey order.",
    ),
    "settings.stage_new": ("Neue Phase", "New stage"),
    "settings.stage_create": ("Phase anlegen", "Create stage"),
    "settings.stage_edit": ("Phase bearbeiten", "Edit stage"),
    "settings.position": ("Position", "Position"),
    "settings.position_hint": (
        "Leer lassen, um die Phase ans Ende zu setzen.",
        "Leave empty to put the stage last.",
    ),
    "settings.taxonomy": ("Taxonomie", "Taxonomy"),
    "settings.taxonomy_about": (
        "Freitexte werden nach diesen Themen eingeordnet: über die Schlüsselwörter und "
        "Ausdrücke hier und über das gelernte Modell. Änderungen gelten für Texte, die ab "
        "jetzt analysiert werden.",
        "Free texts are sorted into these topics: through the keywords and expressions here "
        "and through the learnt model. Changes apply to texts analysed from now on.",
    ),
    "settings.topics": ("Themen", "topics"),
    "settings.topic": ("Thema", "Topic"),
    "settings.label": ("Bezeichnung", "Label"),
    "settings.keywords": ("Schlüsselwörter", "Keywords"),
    "settings.patterns": ("Ausdrücke", "Expressions"),
    "settings.model_only": ("nur gelerntes Modell", "learnt model only"),
    "settings.topic_new": ("Thema mit Regeln hinzufügen", "Add a topic with rules"),
    "settings.topic_edit": ("Thema bearbeiten", "Edit topic"),
    "settings.topics_empty": (
        "Diese Taxonomie hat noch keine Themen — fügen Sie eines hinzu.",
        "This taxonomy has no topics yet — add one.",
    ),
    "settings.taxonomies_empty": ("Keine Taxonomien vorhanden.", "No taxonomies."),
    "settings.keywords_hint": (
        "Ein Wort oder eine Wortgruppe je Zeile; Groß-/Kleinschreibung egal. "
        "„=wort“ nur genau dieses Wort, „wort*“ Wortanfang, „*wort“ Wortende "
        "(z. B. Komposita), „*wort*“ irgendwo im Wort.",
        "One word or phrase a line; case does not matter. “=word” this word only, "
        "“word*” word start, “*word” word end (e.g. compounds), “*word*” anywhere in a word.",
    ),
    "settings.patterns_hint": (
        "Reguläre Ausdrücke (Python), ohne Beachtung der Groß-/Kleinschreibung.",
        "Regular expressions (Python), case-insensitive.",
    ),
    "settings.users": ("Benutzer", "Users"),
    "settings.email": ("E-Mail", "E-mail"),
    "settings.role": ("Rolle", "Role"),
    "settings.language": ("Sprache", "Language"),
    "settings.role.admin": ("Administrator", "Administrator"),
    "settings.role.cx_manager": ("CX-Manager", "CX manager"),
    "settings.role.analyst": ("Analyst", "Analyst"),
    "settings.role.agent": ("Servicemitarbeiter", "Agent"),
    "settings.roles_about": (
        "Administratoren dürfen alles. CX-Manager pflegen Umfragen, Kontaktpunkte, Fälle "
        "und Hinweise. Analysten lesen Kennzahlen und Fälle. Servicemitarbeiter arbeiten "
        "mit Kunden und Fällen und sehen keine Einstellungen.",
        "Administrators may do everything. CX managers look after surveys, touchpoints, "
        "cases and notices. Analysts read metrics and cases. Agents work with customers and "
        "cases and see no settings.",
    ),
    "settings.no_password": ("ohne Passwort", "no password"),
    "settings.user_new": ("Neuer Benutzer", "New user"),
    "settings.user_create": ("Benutzer anlegen", "Create user"),
    "settings.password_hint": (
        "Mindestens 8 Zeichen. Ohne Passwort kann sich der Benutzer nicht anmelden "
        "(z. B. nur für API-Tokens).",
        "At least 8 characters. Without a password the user cannot log in (e.g. API tokens only).",
    ),
    "settings.departments": ("Abteilungen", "Departments"),
    "settings.departments_empty": (
        "Noch keine Abteilungen — legen Sie die Teams an, denen Fälle und Kontaktpunkte gehören.",
        "No departments yet — create the teams that own cases and touchpoints.",
    ),
    "settings.department_create": ("Abteilung anlegen", "Create department"),
    "settings.role_and_department": ("Rolle und Abteilung", "Role and department"),
    "settings.active_hint": (
        "Deaktivierte Benutzer können sich nicht anmelden; ihre API-Tokens gelten nicht mehr.",
        "Deactivated users cannot log in; their API tokens stop working.",
    ),
    "settings.password": ("Passwort", "Password"),
    "settings.password_set": ("Passwort setzen", "Set password"),
    "settings.tokens_none_user": ("Keine API-Tokens.", "No API tokens."),
    "settings.tokens_manage": ("API-Tokens verwalten", "Manage API tokens"),
    "settings.token": ("Token", "Token"),
    "settings.token_issued": ("Neues API-Token", "New API token"),
    "settings.token_once": (
        "Kopieren Sie das Token jetzt: Es wird nur dieses eine Mal angezeigt und nicht "
        "gespeichert.",
        "Copy the token now: it is shown this once and not stored.",
    ),
    "settings.token_use": ("Verwendung:", "Use:"),
    "settings.tokens_all": ("Alle API-Tokens", "All API tokens"),
    "settings.tokens_mine": ("Meine API-Tokens", "My API tokens"),
    "settings.tokens_empty": (
        "Noch keine API-Tokens — geben Sie unten eines aus, um die API zu nutzen.",
        "No API tokens yet — issue one below to use the API.",
    ),
    "settings.owner": ("Benutzer", "User"),
    "settings.token_prefix": ("Anfang", "Starts with"),
    "settings.created": ("Ausgegeben", "Issued"),
    "settings.last_used": ("Zuletzt benutzt", "Last used"),
    "settings.revoked": ("widerrufen", "revoked"),
    "settings.revoke": ("Widerrufen", "Revoke"),
    "settings.token_new": ("Neues Token ausgeben", "Issue a new token"),
    "settings.token_name_hint": (
        "Wofür das Token ist, z. B. „CRM-Import“.",
        "What the token is for, e.g. “CRM import”.",
    ),
    "settings.myself": ("für mich", "for me"),
    "settings.token_issue": ("Token ausgeben", "Issue token"),
    "settings.channel.email": ("E-Mail", "E-mail"),
    "settings.channel.sms": ("SMS", "SMS"),
    "settings.channel.phone": ("Telefon", "Phone"),
    "settings.channel.letter": ("Brief", "Letter"),
    "settings.channel.app": ("App (Push)", "App (push)"),
    "settings.channel.messenger": ("Messenger", "Messenger"),
    "settings.channels.configured": ("Eingerichtete Kanäle", "Configured channels"),
    "settings.channels.about": (
        "Nur lesbar: die Einrichtung kommt aus der Server-Konfiguration. Geheimnisse "
        "(Passwörter, API-Schlüssel) werden nie angezeigt, nur ob sie gesetzt sind.",
        "Read-only: the set-up comes from the server configuration. Secrets (passwords, API "
        "keys) are never shown, only whether they are set.",
    ),
    "settings.channels.env": (
        "Ändern über CXM_SMTP_*, CXM_SMS_* und CXM_WEBHOOK_* und einen Neustart.",
        "Change through CXM_SMTP_*, CXM_SMS_* and CXM_WEBHOOK_* and a restart.",
    ),
    "settings.channels.delivery": ("Versand über", "Delivered by"),
    "settings.channels.details": ("Einzelheiten", "Details"),
    "settings.channels.kind.smtp": ("SMTP-Server", "SMTP server"),
    "settings.channels.kind.console_mail": (
        "nicht eingerichtet: Ausgabe im Server-Log",
        "not configured: printed to the server log",
    ),
    "settings.channels.kind.http": ("SMS-Anbieter (HTTP)", "SMS provider (HTTP)"),
    "settings.channels.kind.console": (
        "nicht eingerichtet: Ausgabe im Server-Log",
        "not configured: printed to the server log",
    ),
    "settings.channels.kind.webhook": ("Webhook an das App-Backend", "Webhook to the app backend"),
    "settings.channels.kind.none": (
        "kein automatischer Versand (Mitarbeiter bzw. Briefdienst)",
        "no automatic delivery (agents or letter service)",
    ),
    "settings.channels.kind.off": (
        "nicht eingerichtet (CXM_WEBHOOK_URL fehlt)",
        "not configured (CXM_WEBHOOK_URL missing)",
    ),
    "settings.channels.kind.custom": ("eigener Adapter", "custom adapter"),
    "settings.channels.server": ("Server", "Server"),
    "settings.channels.starttls": ("STARTTLS", "STARTTLS"),
    "settings.channels.login": ("Anmeldung", "Login"),
    "settings.channels.sender": ("Absender", "Sender"),
    "settings.channels.endpoint": ("Adresse", "Endpoint"),
    "settings.channels.api_key": ("API-Schlüssel", "API key"),
    "settings.channels.secret": ("Signatur-Geheimnis", "Signing secret"),
    "settings.channels.adapter": ("Adapter", "Adapter"),
    "settings.channels.set": ("gesetzt", "set"),
    "settings.channels.not_set": ("nicht gesetzt", "not set"),
    "settings.channels.test": ("Testnachricht senden", "Send a test message"),
    "settings.channels.address_hint": (
        "E-Mail-Adresse, Mobilnummer im Format +4915112345678 oder App-Empfänger-ID.",
        "E-mail address, mobile number as +4915112345678, or app recipient id.",
    ),
    "settings.channels.send_test": ("Testnachricht senden", "Send test message"),
    "settings.channels.test_sent": (
        "Testnachricht übergeben. Kennung beim Anbieter:",
        "Test message handed over. Provider id:",
    ),
    "settings.channels.test_subject": ("cxm: Testnachricht", "cxm: test message"),
    "settings.channels.test_body": (
        "Dies ist eine Testnachricht aus den cxm-Einstellungen. Sie kam an — der Kanal "
        "funktioniert.",
        "This is a test message from the cxm settings. It arrived — the channel works.",
    ),
}
