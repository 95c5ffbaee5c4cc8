"""Surveys, consent sources and the customers' words for the demo's voice of the customer.

Everything here is fictional. Comments are keyed by theme; a theme is negative, mixed or
positive, so a comment always fits the score it comes with (detractors complain, promoters
praise). Placeholders: {wait} {agent} {city} {model} {device} {minutes} {tariff} {days} {kunde}.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from cxm.demo.data import TouchpointSpec

# ----------------------------------------------------------------------------------------------
# Surveys


def _q(key: str, type_: str, de: str, en: str, *, required: bool = False) -> dict[str, Any]:
    # The shape surveys.services.create_survey stores (QuestionIn.model_dump()).
    return {
        "key": key,
        "type": type_,
        "text_de": de,
        "text_en": en,
        "required": required,
        "options": [],
        "scale_min": None,
        "scale_max": None,
    }


NPS_QUESTION = _q(
    "nps",
    "nps",
    "Wie wahrscheinlich ist es, dass Sie Lindenfunk einem Freund oder Kollegen weiterempfehlen?",
    "How likely are you to recommend Lindenfunk to a friend or colleague?",
    required=True,
)
COMMENT_QUESTION = _q(
    "comment",
    "text",
    "Was hat Ihnen gefallen, und was können wir besser machen?",
    "What did you like, and what could we do better?",
)


class TriggerSpec(NamedTuple):
    interaction_type: str
    touchpoint: str | None  # None: at any touchpoint
    delay_minutes: int


class SurveySpec(NamedTuple):
    key: str
    name: str
    title_de: str
    title_en: str
    intro_de: str
    intro_en: str
    questions: tuple[dict[str, Any], ...]
    touchpoint: str | None
    anonymous_enabled: bool
    valid_days: int
    triggers: tuple[TriggerSpec, ...]


HOTLINE_QUEUES = ("hotline_billing", "hotline_technical", "hotline_general", "hotline_sales")

SURVEYS: tuple[SurveySpec, ...] = (
    SurveySpec(
        "nach-hotline",
        "Nach dem Hotline-Anruf",
        "Ihr Anruf bei Lindenfunk",
        "Your call to Lindenfunk",
        "Sie haben kürzlich mit unserer Hotline telefoniert. Wie war es?",
        "You recently called our hotline. How did it go?",
        (
            NPS_QUESTION,
            _q(
                "csat",
                "csat",
                "Wie zufrieden waren Sie mit Ihrem Anruf?",
                "How satisfied were you with your call?",
            ),
            _q(
                "ces",
                "ces",
                "Lindenfunk hat es mir leicht gemacht, mein Anliegen zu klären.",
                "Lindenfunk made it easy for me to handle my request.",
            ),
            COMMENT_QUESTION,
        ),
        None,
        False,
        14,
        tuple(TriggerSpec("call", queue, 60) for queue in HOTLINE_QUEUES),
    ),
    SurveySpec(
        "nach-kauf",
        "Nach Kauf und Bestellung",
        "Ihre Bestellung bei Lindenfunk",
        "Your Lindenfunk order",
        "Vielen Dank für Ihren Einkauf. Wie zufrieden sind Sie?",
        "Thank you for your purchase. How satisfied are you?",
        (
            NPS_QUESTION,
            _q(
                "csat",
                "csat",
                "Wie zufrieden sind Sie mit Ihrer Bestellung?",
                "How satisfied are you with your order?",
            ),
            COMMENT_QUESTION,
        ),
        None,
        False,
        14,
        (TriggerSpec("order", None, 3 * 24 * 60), TriggerSpec("purchase", None, 24 * 60)),
    ),
    SurveySpec(
        "nach-shopbesuch",
        "Nach dem Shopbesuch",
        "Ihr Besuch im Lindenfunk-Shop",
        "Your visit to a Lindenfunk shop",
        "Sie waren kürzlich in einem unserer Shops. Wie war Ihr Besuch?",
        "You recently visited one of our shops. How was your visit?",
        (
            _q(
                "csat",
                "csat",
                "Wie zufrieden waren Sie mit Ihrem Besuch in unserem Shop?",
                "How satisfied were you with your visit to our shop?",
            ),
            NPS_QUESTION,
            COMMENT_QUESTION,
        ),
        None,
        False,
        14,
        (TriggerSpec("visit", None, 120),),
    ),
    SurveySpec(
        "website-feedback",
        "Website-Feedback (Widget)",
        "Feedback zu unserer Website",
        "Feedback on our website",
        "Helfen Sie uns, lindenfunk.example besser zu machen.",
        "Help us make lindenfunk.example better.",
        (
            NPS_QUESTION,
            _q(
                "comment",
                "text",
                "Was sollen wir an unserer Website verbessern?",
                "What should we improve on our website?",
            ),
        ),
        "web_home",
        True,
        14,
        (),
    ),
    SurveySpec(
        "relationship-nps",
        "Beziehungs-NPS (quartalsweise)",
        "Wie zufrieden sind Sie mit Lindenfunk?",
        "How happy are you with Lindenfunk?",
        "Einmal im Quartal fragen wir eine Auswahl unserer Kundinnen und Kunden nach ihrer "
        "Meinung.",
        "Once a quarter we ask some of our customers what they think of us.",
        (
            NPS_QUESTION,
            _q(
                "comment",
                "text",
                "Was ist der wichtigste Grund für Ihre Bewertung?",
                "What is the main reason for your score?",
            ),
        ),
        None,
        False,
        21,
        (),
    ),
)
# The relationship survey's comment question was reworded half-way through the period; the
# answers given before keep version 1.
RELATIONSHIP_V2_COMMENT = _q(
    "comment",
    "text",
    "Was ist der wichtigste Grund für Ihre Bewertung? Was sollten wir als Erstes verbessern?",
    "What is the main reason for your score? What should we improve first?",
)

# Where app reviews are written; the voice of the customer adds it to the catalogue.
APP_STORE = TouchpointSpec(
    "app_store",
    "App-Stores: Bewertungen der App",
    "App stores: app reviews",
    "app",
    "usage",
    "online",
    False,
    "Bewertungen der Lindenfunk-App in App Store und Google Play.",
)

# ----------------------------------------------------------------------------------------------
# Consent

# Where a decision was recorded.
SOURCE_CONTRACT = "Vertragsabschluss"
SOURCE_PORTAL = "Kundenportal"
SOURCE_UNSUBSCRIBE = "Abmeldelink"
SOURCE_APP = "App-Einstellungen"
SOURCE_HOTLINE = "Hotline"
SOURCE_SHOP = "Shop"

# ----------------------------------------------------------------------------------------------
# Survey comments by theme

NEGATIVE_THEMES = frozenset(
    {
        "waiting_time",
        "dropped_calls",
        "billing",
        "network",
        "unresolved",
        "staff_unfriendly",
        "price",
        "contract",
        "delivery",
        "website",
        "shop_queue",
        "callback_missing",
    }
)
MIXED_THEMES = frozenset({"ok", "ok_but_wait", "ok_slow", "ok_price", "ok_website"})
POSITIVE_THEMES = frozenset(
    {
        "staff_competent",
        "fast",
        "problem_solved",
        "fix_callback",
        "delivery_fast",
        "easy_order",
        "shop_advice",
        "network_good",
        "app_good",
        "website_good",
    }
)

Texts = dict[str, dict[str, tuple[str, ...]]]

COMMENTS: Texts = {
    # -- negative ------------------------------------------------------------------------------
    "waiting_time": {
        "de": (
            "Über {wait} Minuten in der Warteschleife. Das ist einfach inakzeptabel.",
            "Viel zu lange Wartezeit an der Hotline, {wait} Minuten für eine einfache Frage.",
            "Ich hing ewig in der Warteschleife und wurde dann auch noch zweimal weiterverbunden.",
            "Die Hotline ist kaum erreichbar. Nach {wait} Minuten Warten bin ich kurz davor, "
            "den Anbieter zu wechseln.",
            "Warteschleife, Musik, Warteschleife. So geht man nicht mit Kunden um.",
        ),
        "en": (
            "Over {wait} minutes on hold. That is simply unacceptable.",
            "Far too long on hold, {wait} minutes for a simple question.",
            "I waited ages in the queue and then got transferred twice.",
            "Your hotline is hardly reachable. After a {wait}-minute wait I'm close to switching "
            "provider.",
        ),
    },
    "dropped_calls": {
        "de": (
            "Meine Anrufe mit dem {model} brechen ständig ab, und keiner kann mir sagen, wann "
            "das behoben wird.",
            "Seit Wochen brechen Gespräche auf dem {model} nach ein paar Minuten ab. Der "
            "versprochene Rückruf kam nie.",
            "Ich zahle für einen Vertrag, mit dem ich nicht telefonieren kann. Das {model} ist "
            "ein einziges Ärgernis.",
            "Dritter Anruf wegen der abbrechenden Gespräche auf dem {model}, und wieder keine "
            "Lösung.",
            "Telefonieren mit dem {model} ist seit dem letzten Update unmöglich, Anrufe brechen "
            "einfach ab.",
        ),
        "en": (
            "My calls keep dropping on the {model} and nobody can tell me when it will be fixed.",
            "Calls on my {model} have been dropping for weeks. The promised call back never came.",
            "I pay for a contract but can't make a phone call. The {model} is a disaster.",
            "Third call about dropped calls on the {model}, still no fix.",
        ),
    },
    "billing": {
        "de": (
            "Die Rechnung war schon wieder falsch, und ich musste mich selbst um die Korrektur "
            "kümmern.",
            "Mir wurden Leistungen berechnet, die ich nie gebucht habe. Sehr ärgerlich.",
            "Die Gutschrift für die falsche Rechnung lässt immer noch auf sich warten.",
            "Jeden Monat ein anderer Betrag auf der Rechnung, das ist nicht nachvollziehbar.",
        ),
        "en": (
            "My invoice was wrong again and I had to chase the correction myself.",
            "I was charged for services I never booked. Very annoying.",
            "Still waiting for the credit for the wrong invoice.",
            "A different amount on my bill every month, impossible to follow.",
        ),
    },
    "network": {
        "de": (
            "Zuhause habe ich kaum Empfang, und das schon seit Monaten.",
            "Das Internet fällt ständig aus. Für {tariff} zahle ich eindeutig zu viel.",
            "Schlechtes Netz in {city}, ständig nur Edge statt LTE.",
            "Mein Anschluss war tagelang tot, und niemand konnte mir sagen, warum.",
        ),
        "en": (
            "Hardly any signal at home, and that for months now.",
            "The internet keeps going down. I pay far too much for {tariff}.",
            "Poor coverage in {city}, constantly dropping to 3G.",
        ),
    },
    "unresolved": {
        "de": (
            "Mein Problem ist immer noch nicht gelöst. Ich musste schon dreimal anrufen.",
            "Man hat mich freundlich vertröstet, gelöst wurde aber nichts.",
            "Jeder Mitarbeiter erzählt etwas anderes, und am Ende passiert nichts.",
            "Ich musste alles noch einmal von vorn erklären, eine Lösung gab es trotzdem nicht.",
        ),
        "en": (
            "My problem still isn't solved. This was my third call.",
            "I was politely fobbed off, but nothing was solved.",
            "Every agent tells me something different and in the end nothing happens.",
        ),
    },
    "staff_unfriendly": {
        "de": (
            "Der Mitarbeiter war unfreundlich und hat mich nicht ausreden lassen.",
            "Sehr unfreundliche Beratung, ich habe mich abgewimmelt gefühlt.",
            "Patzige Antworten und kein Interesse an meinem Problem. So nicht.",
        ),
        "en": (
            "The agent was rude and kept interrupting me.",
            "Very unfriendly service, I felt brushed off.",
            "Curt answers and no interest in my problem. Not good enough.",
        ),
    },
    "price": {
        "de": (
            "Viel zu teuer im Vergleich zu anderen Anbietern.",
            "Die Preiserhöhung ist eine Frechheit, ich überlege zu kündigen.",
            "Für das Geld erwarte ich deutlich mehr Leistung.",
        ),
        "en": (
            "Far too expensive compared with other providers.",
            "The price increase is outrageous, I'm thinking of cancelling.",
        ),
    },
    "contract": {
        "de": (
            "Bei der Vertragsverlängerung wurde mir etwas anderes versprochen, als jetzt im "
            "Vertrag steht.",
            "Die Kündigung war unnötig kompliziert.",
            "Falsche Beratung zum Tarifwechsel, jetzt zahle ich mehr als vorher.",
        ),
        "en": (
            "The extension was sold to me with promises that are not in the contract.",
            "Cancelling was needlessly complicated.",
            "Wrong advice on the tariff change, now I pay more than before.",
        ),
    },
    "delivery": {
        "de": (
            "Die Lieferung hat über eine Woche gedauert, und niemand konnte mir sagen, wo das "
            "Paket ist.",
            "Paket kam {days} Tage zu spät, die Sendungsverfolgung war nutzlos.",
            "Die SIM-Karte kam erst nach mehreren Nachfragen. Sehr enttäuschend.",
        ),
        "en": (
            "Delivery took over a week and nobody could tell me where the parcel was.",
            "The parcel came {days} days late and tracking was useless.",
        ),
    },
    "website": {
        "de": (
            "Auf der Website finde ich nicht, wie ich meinen Tarif wechseln kann.",
            "Der Bestellvorgang ist abgebrochen, ich musste alles neu eingeben.",
            "Zu „Anrufe brechen ab“ findet die Suche gar nichts. Sehr ärgerlich.",
            "Die Seite lädt langsam und ist unübersichtlich.",
            "Die Kündigung ist auf der Website gut versteckt, das wirkt unseriös.",
            "Keine englische Version der Hilfe-Seiten, das ist umständlich.",
        ),
        "en": (
            "I can't find how to change my tariff on the website.",
            "Checkout crashed and I had to enter everything again.",
            "Searching for dropped calls finds nothing at all. Very annoying.",
            "The help pages are only in German, which is a real hassle.",
            "The site is slow and confusing.",
        ),
    },
    "shop_queue": {
        "de": (
            "Im Shop {city} musste ich ewig warten, obwohl kaum Kunden da waren.",
            "Lange Wartezeit im Shop und am Ende keine Lösung.",
            "Nur ein Mitarbeiter im Shop {city} am Samstag, über 40 Minuten Wartezeit.",
        ),
        "en": (
            "Long wait in the {city} shop and no solution in the end.",
            "Only one person working in the {city} shop on a Saturday, a 40-minute wait.",
        ),
    },
    "callback_missing": {
        "de": (
            "Mir wurde ein Rückruf versprochen, der nie kam.",
            "Zweimal wurde ein Rückruf zugesagt, passiert ist nichts.",
        ),
        "en": ("I was promised a call back that never came.",),
    },
    # -- mixed ---------------------------------------------------------------------------------
    "ok": {
        "de": (
            "Alles in Ordnung, nichts Besonderes.",
            "Hat gepasst, aber auch nicht mehr.",
            "Im Großen und Ganzen zufrieden.",
        ),
        "en": ("All fine, nothing special.", "Did the job, no more, no less."),
    },
    "ok_but_wait": {
        "de": (
            "Im Großen und Ganzen okay, aber die Wartezeit könnte kürzer sein.",
            "Freundliche Beratung, nur das Warten vorher war lästig.",
        ),
        "en": (
            "Mostly fine, but the wait could be shorter.",
            "Friendly advice, only the wait before was annoying.",
        ),
    },
    "ok_slow": {
        "de": (
            "Freundlich, aber bis zur Lösung hat es gedauert.",
            "Gelöst, aber erst im zweiten Anlauf.",
        ),
        "en": ("Friendly, but it took a while to get it sorted.", "Sorted, but only second time."),
    },
    "ok_price": {
        "de": (
            "Netz und Service passen, der Preis dürfte etwas niedriger sein.",
            "Solider Anbieter, aber es gibt günstigere Angebote.",
        ),
        "en": (
            "Network and service are fine, the price could be a bit lower.",
            "Solid provider, but there are cheaper offers.",
        ),
    },
    "ok_website": {
        "de": (
            "Ich habe gefunden, was ich gesucht habe, aber es hat etwas gedauert.",
            "Die Seite ist okay, die Suche könnte besser sein.",
        ),
        "en": (
            "Found what I needed, but it took a while.",
            "The site is okay, search could be better.",
        ),
    },
    # -- positive ------------------------------------------------------------------------------
    "staff_competent": {
        "de": (
            "{agent} war sehr kompetent und freundlich, mein Anliegen war in wenigen Minuten "
            "erledigt.",
            "Sehr freundliche und kompetente Beratung, vielen Dank an {agent}!",
            "Endlich jemand, der zuhört und sofort hilft. Danke!",
            "Kompetente Mitarbeiterin, hat sich richtig Zeit genommen. Top!",
        ),
        "en": (
            "{agent} was very competent and friendly, sorted in a few minutes.",
            "Friendly and competent help, many thanks to {agent}!",
            "Finally someone who listens and helps straight away. Thanks!",
        ),
    },
    "fast": {
        "de": (
            "Schnell durchgekommen und sofort Hilfe bekommen. Super!",
            "Kurze Wartezeit, klare Auskunft, so soll es sein.",
        ),
        "en": (
            "Got through quickly and got help right away. Great!",
            "Short wait, clear answer, that's how it should be.",
        ),
    },
    "problem_solved": {
        "de": (
            "Problem gleich beim ersten Anruf gelöst. Danke!",
            "Unkompliziert und schnell geholfen, sehr zufrieden.",
        ),
        "en": ("Problem solved on the first call. Thanks!", "Quick, simple help, very happy."),
    },
    "fix_callback": {
        "de": (
            "Der Rückruf kam wie versprochen, das Update hat geholfen, und die {minutes} "
            "Freiminuten sind eine faire Geste.",
            "Seit dem Update funktioniert mein {model} endlich wieder. Danke für den Rückruf!",
            "Am Ende gut gelöst: Update, Rückruf und Gutschrift. So kann es weitergehen.",
        ),
        "en": (
            "The call back came as promised, the update fixed it and the {minutes} free minutes "
            "are a fair gesture.",
            "Since the update my {model} finally works again. Thanks for the call back!",
        ),
    },
    "delivery_fast": {
        "de": (
            "Bestellung ging einfach, Lieferung schon am nächsten Tag. Top!",
            "Schnelle Lieferung, alles gut verpackt und sofort einsatzbereit.",
        ),
        "en": ("Easy to order and delivered the next day. Top!", "Fast delivery, ready to use."),
    },
    "easy_order": {
        "de": (
            "Der Bestellvorgang war einfach und verständlich.",
            "Tarif und Handy in fünf Minuten bestellt, super einfach.",
        ),
        "en": ("Ordering was simple and clear.", "Ordered tariff and phone in five minutes, easy."),
    },
    "shop_advice": {
        "de": (
            "Tolle Beratung im Shop {city}, ich habe mich gut aufgehoben gefühlt.",
            "Super Beratung, das neue Handy wurde gleich eingerichtet und die Daten übertragen.",
            "Freundliches Team im Shop, kurze Wartezeit, sehr zu empfehlen.",
        ),
        "en": (
            "Great advice in the {city} shop, I felt well looked after.",
            "Great service, they set up my new phone on the spot.",
        ),
    },
    "network_good": {
        "de": (
            "Zuverlässiges Netz und fairer Preis, ich empfehle Lindenfunk gern weiter.",
            "Seit Jahren zufrieden: gutes Netz, kaum Probleme.",
        ),
        "en": (
            "Reliable network and a fair price, happy to recommend Lindenfunk.",
            "Happy for years: good network, hardly any problems.",
        ),
    },
    "app_good": {
        "de": ("Die App ist klasse, ich habe Verbrauch und Rechnungen immer im Blick.",),
        "en": ("The app is great, usage and bills always at a glance.",),
    },
    "website_good": {
        "de": (
            "Übersichtliche Seite, ich habe sofort gefunden, was ich gesucht habe.",
            "Tarifvergleich auf der Website ist klar und verständlich. Danke!",
        ),
        "en": (
            "Clear website, found what I needed straight away.",
            "The tariff comparison is clear and easy to follow. Thanks!",
        ),
    },
}

# Complaints about the website, by the part of the site they came from (the "website" theme).
WEBSITE_COMMENTS: Texts = {
    "general": {
        "de": (
            "Die Seite lädt langsam und ist unübersichtlich.",
            "Viel zu viel Werbung auf der Startseite, ich finde den Login nicht.",
        ),
        "en": (
            "The site is slow and confusing.",
            "Too many ads on the homepage, can't find login.",
        ),
    },
    "tariffs": {
        "de": (
            "Die Tarife sind nicht vergleichbar, überall Sternchen und Fußnoten.",
            "Auf der Website finde ich nicht, wie ich meinen Tarif wechseln kann.",
        ),
        "en": (
            "The tariffs are impossible to compare, footnotes everywhere.",
            "I can't find how to change my tariff on the website.",
        ),
    },
    "shop": {
        "de": ("Der Filter im Shop funktioniert nicht, es werden falsche Geräte angezeigt.",),
        "en": ("The shop filter doesn't work and shows the wrong phones.",),
    },
    "checkout": {
        "de": (
            "Der Bestellvorgang ist abgebrochen, ich musste alles neu eingeben.",
            "Bei der Zahlung kommt ständig ein Fehler, Bestellung nicht möglich.",
        ),
        "en": (
            "Checkout crashed and I had to enter everything again.",
            "Payment keeps failing with an error, I can't place my order.",
        ),
    },
    "help": {
        "de": (
            "Zu „Anrufe brechen ab“ findet die Suche gar nichts. Sehr ärgerlich.",
            "Die Hilfe-Artikel helfen nicht weiter, und eine Telefonnummer ist gut versteckt.",
            "Keine englische Version der Hilfe-Seiten, das ist umständlich.",
        ),
        "en": (
            "Searching for dropped calls finds nothing at all. Very annoying.",
            "The help pages are only in German, which is a real hassle.",
        ),
    },
    "portal": {
        "de": (
            "Im Kundenportal lässt sich die Rechnung nicht als PDF herunterladen.",
            "Ständig werde ich aus dem Kundenportal abgemeldet.",
        ),
        "en": (
            "Can't download my bill as a PDF in the portal.",
            "The portal keeps logging me out.",
        ),
    },
    "cancel": {
        "de": ("Die Kündigung ist auf der Website gut versteckt, das wirkt unseriös.",),
        "en": ("Cancelling online is hidden away, that looks dodgy.",),
    },
}


def page_group(page: str) -> str:
    """The part of the website a page belongs to, for the widget's comments."""
    for prefix, group in (
        ("/tarife", "tariffs"),
        ("/shop/kasse", "checkout"),
        ("/shop", "shop"),
        ("/hilfe", "help"),
        ("/netz", "help"),
        ("/mein-lindenfunk", "portal"),
        ("/vertraege", "cancel"),
    ):
        if page.startswith(prefix):
            return group
    return "general"


# ----------------------------------------------------------------------------------------------
# Unsolicited feedback

# The interactions' demo topics as feedback topics.
FEEDBACK_TOPICS = {
    "dropped_calls": "dropped_calls",
    "network": "network",
    "dsl_outage": "network",
    "billing_question": "billing",
    "billing_complaint": "billing",
    "roaming": "billing",
    "hotline_wait": "waiting_time",
    "tariff_change": "contract",
    "general": "service",
    "generic": "service",
    "app_login": "app",
    "device_defect": "device",
    "delivery": "delivery",
    "sim_activation": "activation",
    "praise": "praise",
}
# Topics where the feedback names the customer's device.
DEVICE_TOPICS = frozenset({"dropped_calls", "device_defect"})

# "The customer said ...", as an agent writes it down; by feedback topic and agent language.
AGENT_NOTES: Texts = {
    "dropped_calls": {
        "de": (
            "{kunde} sagt, mit dem {model} brächen Gespräche nach ein bis zwei Minuten ab, "
            "mehrmals täglich.",
            "{kunde} sagt, ohne Lösung für das {model} wechsle {er} zum Vertragsende den Anbieter.",
            "{kunde} sagt, der zugesagte Rückruf sei nicht erfolgt. Sehr verärgert.",
        ),
        "en": (
            "Customer says calls on the {model} drop after a minute or two, several times a day.",
            "Customer says they will leave at the end of the contract unless the {model} is fixed.",
        ),
    },
    "dropped_calls_fixed": {
        "de": (
            "{kunde} sagt, seit dem Update keine Abbrüche mehr. Bedankt sich für die Gutschrift.",
            "{kunde} sagt, das {model} laufe wieder einwandfrei.",
        ),
        "en": ("Customer says no more dropped calls since the update; thanks us for the credit.",),
    },
    "network": {
        "de": (
            "{kunde} sagt, in der Wohnung in {city} gebe es kaum Empfang.",
            "{kunde} sagt, das Internet falle abends regelmäßig aus.",
        ),
        "en": ("Customer says there is hardly any signal in their flat in {city}.",),
    },
    "billing": {
        "de": (
            "{kunde} sagt, die Rechnung sei zum wiederholten Mal falsch.",
            "{kunde} sagt, {er} verstehe die Positionen auf der Rechnung nicht.",
        ),
        "en": ("Customer says the invoice is wrong again.",),
    },
    "waiting_time": {
        "de": (
            "{kunde} sagt, {er} habe über {wait} Minuten in der Warteschleife gehangen.",
            "{kunde} beschwert sich über die lange Wartezeit in der Hotline.",
        ),
        "en": ("Customer says they were on hold for over {wait} minutes.",),
    },
    "contract": {
        "de": (
            "{kunde} sagt, beim Tarifwechsel sei {ihm} ein anderer Preis genannt worden.",
            "{kunde} sagt, die Vertragslaufzeit sei nicht klar kommuniziert worden.",
        ),
        "en": ("Customer says a different price was quoted for the tariff change.",),
    },
    "service": {
        "de": (
            "{kunde} sagt, {er} müsse jedem Mitarbeiter alles von vorn erzählen.",
            "{kunde} wünscht sich Antworten per E-Mail statt Rückrufen.",
        ),
        "en": ("Customer says they have to repeat everything to every agent.",),
    },
    "app": {
        "de": ("{kunde} sagt, die App stürze beim Öffnen der Rechnungen ab.",),
        "en": ("Customer says the app crashes when opening invoices.",),
    },
    "device": {
        "de": ("{kunde} sagt, der Akku des {device} halte keinen Tag mehr.",),
        "en": ("Customer says the {device} battery no longer lasts a day.",),
    },
    "delivery": {
        "de": ("{kunde} sagt, das Paket sei seit Tagen überfällig.",),
        "en": ("Customer says the parcel is days overdue.",),
    },
    "activation": {
        "de": ("{kunde} sagt, die neue SIM habe zwei Tage lang nicht funktioniert.",),
        "en": ("Customer says the new SIM did not work for two days.",),
    },
    "price": {
        "de": (
            "{kunde} sagt, ein Mitbewerber biete denselben Tarif günstiger an.",
            "{kunde} findet den Preis für {tariff} zu hoch.",
        ),
        "en": ("Customer says a competitor offers the same tariff for less.",),
    },
    "staff": {
        "de": (
            "{kunde} sagt, die Beratung im Shop sei hervorragend gewesen.",
            "{kunde} lobt die Geduld der Kollegin bei der Einrichtung des Handys.",
        ),
        "en": ("Customer says the advice in the shop was excellent.",),
    },
    "praise": {
        "de": ("{kunde} bedankt sich ausdrücklich für die schnelle Hilfe.",),
        "en": ("Customer explicitly thanked us for the quick help.",),
    },
}

# (feedback topic, text) by star rating and language.
Reviews = dict[int, dict[str, tuple[tuple[str, str], ...]]]

APP_REVIEWS: Reviews = {
    1: {
        "de": (
            ("app", "App stürzt beim Öffnen der Rechnungen ab. Unbrauchbar."),
            ("app", "Seit dem Update kein Login mehr möglich. Zwei-Faktor-Code kommt nie an."),
            (
                "dropped_calls",
                "Die App zeigt alles grün, aber mit dem {model} kann ich nicht "
                "telefonieren. Null Sterne, wenn es ginge.",
            ),
            ("app", "Ständig abgemeldet, jedes Mal Passwort neu. Nervt."),
        ),
        "en": (
            ("app", "App crashes when opening invoices. Useless."),
            ("app", "Can't log in since the update, the two-factor code never arrives."),
        ),
    },
    2: {
        "de": (
            ("app", "Verbrauchsanzeige hinkt oft einen Tag hinterher."),
            ("app", "Keine englische Sprache in der App, schade."),
        ),
        "en": (("app", "No English in the app and the usage display lags a day behind."),),
    },
    3: {
        "de": (
            ("app", "Funktioniert, aber die Navigation ist umständlich."),
            ("app", "Ganz okay. Rechnungen als PDF gehen, mehr aber auch nicht."),
        ),
        "en": (("app", "Works, but the navigation is clumsy."),),
    },
    4: {
        "de": (
            ("app", "Gute App, Datenvolumen nachbuchen geht schnell. Dark Mode fehlt."),
            ("app", "Übersichtlich und schnell, nur die Anmeldung dauert manchmal."),
        ),
        "en": (("app", "Good app, topping up data is quick. Missing a dark mode."),),
    },
    5: {
        "de": (
            ("praise", "Super App, Verbrauch und Rechnungen immer im Blick."),
            ("praise", "eSIM in zwei Minuten aktiviert. Top!"),
            ("praise", "Endlich eine Anbieter-App, die einfach funktioniert."),
        ),
        "en": (
            ("praise", "Great app, usage and bills always at a glance."),
            ("praise", "Activated my eSIM in two minutes. Brilliant!"),
        ),
    },
}
SHOP_REVIEWS: Reviews = {
    1: {
        "de": (
            ("waiting_time", "Über 45 Minuten gewartet, dann hieß es, das System sei down."),
            ("staff", "Unfreundliches Personal, man fühlt sich als Störenfried."),
        ),
        "en": (("waiting_time", "Waited 45 minutes, then told the system was down."),),
    },
    2: {
        "de": (
            ("staff", "Beratung war oberflächlich, mein Problem wurde nicht gelöst."),
            ("waiting_time", "Lange Schlange, nur ein Mitarbeiter da."),
        ),
        "en": (("staff", "Advice was superficial and my problem wasn't solved."),),
    },
    3: {
        "de": (("staff", "Nett, aber etwas chaotisch. Hat am Ende geklappt."),),
        "en": (("staff", "Nice but a bit chaotic. Worked out in the end."),),
    },
    4: {
        "de": (
            ("staff", "Gute Beratung zum Tarif, kurze Wartezeit."),
            ("staff", "Freundlich und kompetent, nur etwas voll am Samstag."),
        ),
        "en": (("staff", "Good advice on tariffs, short wait."),),
    },
    5: {
        "de": (
            ("praise", "Sehr nette und kompetente Beratung im Shop {city}. Gerne wieder!"),
            ("praise", "Handy eingerichtet, Daten übertragen, alles in 20 Minuten. Danke!"),
            ("praise", "Bestes Team in {city}, nehmen sich Zeit für jede Frage."),
        ),
        "en": (
            ("praise", "Very friendly, competent staff in the {city} shop. Will come again!"),
            ("praise", "Set up my phone and moved my data in 20 minutes. Thank you!"),
        ),
    },
}
SITE_REVIEWS: Reviews = {
    1: {
        "de": (
            ("waiting_time", "Hotline nie erreichbar, Beschwerden werden ignoriert. Finger weg!"),
            ("billing", "Falsche Rechnungen, Gutschriften dauern Monate. Nie wieder."),
            (
                "dropped_calls",
                "Mit dem {model} brechen alle Anrufe ab, und Lindenfunk "
                "schiebt es auf den Hersteller.",
            ),
            ("contract", "Kündigung wird absichtlich erschwert. Unseriös."),
        ),
        "en": (
            ("waiting_time", "Hotline never answers and complaints are ignored. Stay away!"),
            ("dropped_calls", "Every call drops on the {model} and they blame the maker."),
        ),
    },
    2: {
        "de": (
            ("network", "Netz in der Stadt okay, auf dem Land eine Katastrophe."),
            ("billing", "Preis-Leistung stimmt nicht, ständig versteckte Kosten."),
        ),
        "en": (("network", "Fine in the city, hopeless in the countryside."),),
    },
    3: {
        "de": (
            ("service", "Durchschnittlich. Wenn alles läuft, ist es gut; wenn nicht, wird es zäh."),
        ),
        "en": (("service", "Average. Fine while it works, painful when it doesn't."),),
    },
    4: {
        "de": (("network", "Gutes Netz, faire Preise, Service manchmal langsam."),),
        "en": (("network", "Good network, fair prices, service sometimes slow."),),
    },
    5: {
        "de": (
            ("praise", "Seit zehn Jahren Kunde und zufrieden. Netz und Service passen."),
            ("praise", "Problem mit dem Router wurde super schnell gelöst. Danke!"),
        ),
        "en": (("praise", "Customer for ten years and happy. Network and service are good."),),
    },
}
APP_STORES = ("App Store", "Google Play")
APP_VERSIONS = ("5.2.0", "5.2.1", "5.3.0", "5.3.2", "5.4.0")

FORUM_POSTS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "dropped_calls": {
        "de": (
            (
                "/community/thema/smartphone-modell-x",
                "Hat noch jemand Probleme mit dem {model}? Bei mir brechen Anrufe nach ein paar "
                "Sekunden ab, egal wo.",
            ),
            (
                "/community/thema/smartphone-modell-x",
                "Gleiches Problem hier: {model}, Gespräche brechen ständig ab. Hotline weiß "
                "von nichts.",
            ),
        ),
        "en": (
            (
                "/community/thema/smartphone-modell-x",
                "Anyone else with the {model} whose calls keep dropping? Same here since the "
                "last update.",
            ),
        ),
    },
    "network": {
        "de": (
            ("/community/thema/empfang", "Seit Tagen kein LTE in {city}. Ist da eine Störung?"),
            ("/community/thema/router", "HomeBox verliert nachts ständig die Verbindung."),
        ),
        "en": (("/community/thema/empfang", "No 4G in {city} for days. Is there an outage?"),),
    },
    "billing": {
        "de": (
            (
                "/community/thema/rechnung",
                "Auf meiner Rechnung steht eine Drittanbieter-Position, die ich nie bestellt "
                "habe. Wie sperre ich das?",
            ),
        ),
        "en": (("/community/thema/rechnung", "Third-party charge on my bill I never ordered?"),),
    },
}

# The website widget: (page, theme) pairs to draw from.
WIDGET_PAGES = (
    "/",
    "/tarife/mobilfunk",
    "/tarife/dsl",
    "/shop/smartphones",
    "/shop/kasse/zahlung",
    "/hilfe",
    "/hilfe/empfang-verbessern",
    "/hilfe/rechnung-verstehen",
    "/netz/status",
    "/mein-lindenfunk/rechnungen",
    "/mein-lindenfunk/vertrag",
    "/vertraege-hier-kuendigen",
)
# Pages where people look for help with the faulty model while it is broken.
FAULT_PAGES = ("/hilfe/empfang-verbessern", "/netz/status", "/hilfe")
