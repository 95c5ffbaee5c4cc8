"""Static catalogues and text templates for the demo company, a German telco and retailer.

Everything here is fictional: the brand, the staff, the devices and the customers' words. E-mail
addresses use the reserved example domains (RFC 2606).
"""

from __future__ import annotations

from typing import NamedTuple


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


BRAND = "Lindenfunk"
BRAND_HANDLE = "lindenfunk"
STAFF_DOMAIN = "example.com"
CUSTOMER_DOMAINS = ("example.com", "example.net", "example.org")

# The device with the software fault of the dropped-calls story.
FAULTY_MODEL = "Smartphone Modell X"

# ----------------------------------------------------------------------------------------------
# Organisation

# (key, name)
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("kundenservice", "Kundenservice"),
    ("vertrieb", "Vertrieb"),
    ("technik", "Technik & Netz"),
    ("abrechnung", "Abrechnung"),
    ("online", "Online & Digital"),
    ("shops", "Shops"),
    ("marketing", "Marketing"),
    ("beschwerdemanagement", "Beschwerdemanagement"),
    ("cx", "Customer Experience"),
)


class StaffMember(NamedTuple):
    first: str
    last: str
    role: str  # cxm.accounts.domain.Role value
    language: str
    department: str


STAFF: tuple[StaffMember, ...] = (
    StaffMember("Sabine", "Hartmann", "cx_manager", "de", "cx"),
    StaffMember("Jonas", "Weidner", "analyst", "de", "cx"),
    StaffMember("Emily", "Carter", "analyst", "en", "marketing"),
    StaffMember("Lea", "Schubert", "agent", "de", "kundenservice"),
    StaffMember("Tobias", "Krämer", "agent", "de", "kundenservice"),
    StaffMember("Aylin", "Demir", "agent", "de", "kundenservice"),
    StaffMember("Markus", "Vogel", "agent", "de", "kundenservice"),
    StaffMember("Nina", "Lorenz", "agent", "de", "kundenservice"),
    StaffMember("Stefan", "Brandt", "agent", "de", "kundenservice"),
    StaffMember("Julia", "Engel", "agent", "de", "kundenservice"),
    StaffMember("Daniel", "Kowalski", "agent", "de", "kundenservice"),
    StaffMember("Sarah", "Mitchell", "agent", "en", "kundenservice"),
    StaffMember("James", "O'Connor", "agent", "en", "kundenservice"),
    StaffMember("Michael", "Baumann", "agent", "de", "technik"),
    StaffMember("Katrin", "Seidel", "agent", "de", "technik"),
    StaffMember("Florian", "Kuhn", "agent", "de", "technik"),
    StaffMember("Oliver", "Grant", "agent", "en", "technik"),
    StaffMember("Andrea", "Pohl", "agent", "de", "abrechnung"),
    StaffMember("Martin", "Haas", "agent", "de", "abrechnung"),
    StaffMember("Claudia", "Ziegler", "agent", "de", "abrechnung"),
    StaffMember("Sven", "Albrecht", "agent", "de", "vertrieb"),
    StaffMember("Melanie", "Voigt", "agent", "de", "vertrieb"),
    StaffMember("Kevin", "Jung", "agent", "de", "vertrieb"),
    StaffMember("Patrick", "Arnold", "agent", "de", "shops"),
    StaffMember("Vanessa", "Roth", "agent", "de", "shops"),
    StaffMember("Dennis", "Frank", "agent", "de", "shops"),
    StaffMember("Selin", "Yilmaz", "agent", "de", "shops"),
    StaffMember("Christina", "Berger", "agent", "de", "beschwerdemanagement"),
    StaffMember("Thomas", "Lange", "agent", "de", "beschwerdemanagement"),
    StaffMember("Miriam", "Schenk", "agent", "de", "online"),
    StaffMember("Lukas", "Winter", "agent", "de", "online"),
)

# ----------------------------------------------------------------------------------------------
# Touchpoints


class TouchpointSpec(NamedTuple):
    key: str
    name_de: str
    name_en: str
    channel: str  # cxm.touchpoints.domain.Channel value
    stage: str  # a key of cxm.touchpoints.domain.DEFAULT_STAGES
    department: str
    controllable: bool
    description: str


# Shops: (touchpoint key suffix, city, street).
SHOPS: tuple[tuple[str, str, str], ...] = (
    ("berlin", "Berlin", "Alexanderplatz"),
    ("hamburg", "Hamburg", "Mönckebergstraße"),
    ("muenchen", "München", "Kaufingerstraße"),
    ("koeln", "Köln", "Schildergasse"),
    ("frankfurt", "Frankfurt am Main", "Zeil"),
    ("stuttgart", "Stuttgart", "Königstraße"),
    ("duesseldorf", "Düsseldorf", "Schadowstraße"),
    ("leipzig", "Leipzig", "Grimmaische Straße"),
    ("dresden", "Dresden", "Prager Straße"),
    ("hannover", "Hannover", "Georgstraße"),
)

_TP = TouchpointSpec

TOUCHPOINTS: tuple[TouchpointSpec, ...] = (
    # Website
    _TP(
        "web_home",
        "Website: Startseite",
        "Website: homepage",
        "web",
        "awareness",
        "online",
        True,
        "Die Startseite von lindenfunk.example; Einstieg für Interessenten und Kunden.",
    ),
    _TP(
        "web_tariffs_mobile",
        "Website: Mobilfunktarife",
        "Website: mobile tariffs",
        "web",
        "consideration",
        "online",
        True,
        "Tarifübersicht Tarif S, M und L mit Vergleich.",
    ),
    _TP(
        "web_tariffs_dsl",
        "Website: DSL- und Festnetztarife",
        "Website: DSL and landline tariffs",
        "web",
        "consideration",
        "online",
        True,
        "DSL 50, DSL 100, DSL 250 im Überblick.",
    ),
    _TP(
        "web_availability",
        "Website: DSL-Verfügbarkeitsprüfung",
        "Website: DSL availability check",
        "web",
        "consideration",
        "online",
        True,
        "Adresseingabe und verfügbare Bandbreite.",
    ),
    _TP(
        "web_shop_devices",
        "Online-Shop: Smartphones",
        "Online shop: smartphones",
        "web",
        "consideration",
        "online",
        True,
        "Geräteübersicht mit Filtern und Preisen.",
    ),
    _TP(
        "web_product_page",
        "Online-Shop: Produktseite",
        "Online shop: product page",
        "web",
        "consideration",
        "online",
        True,
        "Detailseite eines Smartphones mit Tarifkombination.",
    ),
    _TP(
        "web_shop_accessories",
        "Online-Shop: Zubehör",
        "Online shop: accessories",
        "web",
        "consideration",
        "online",
        True,
        "Hüllen, Ladegeräte, Kopfhörer, Smartwatches und Tablets; online bestellen oder im Shop "
        "abholen.",
    ),
    _TP(
        "web_cart",
        "Online-Shop: Warenkorb",
        "Online shop: cart",
        "web",
        "purchase",
        "online",
        True,
        "Warenkorb mit Tarif, Gerät und Zubehör.",
    ),
    _TP(
        "web_checkout",
        "Online-Shop: Bestellprozess",
        "Online shop: checkout",
        "web",
        "purchase",
        "online",
        True,
        "Bestellstrecke: Daten, Bonitätsprüfung, Zahlungsart, Abschluss.",
    ),
    _TP(
        "web_search",
        "Website: Suche",
        "Website: site search",
        "web",
        "consideration",
        "online",
        True,
        "Volltextsuche über Tarife, Geräte und Hilfe-Artikel.",
    ),
    _TP(
        "web_help",
        "Website: Hilfe & FAQ",
        "Website: help & FAQ",
        "web",
        "service",
        "online",
        True,
        "Hilfe-Artikel, häufige Fragen und Anleitungen.",
    ),
    _TP(
        "web_contact_form",
        "Website: Kontaktformular",
        "Website: contact form",
        "web",
        "service",
        "kundenservice",
        True,
        "Kontaktformular; Anliegen landen im E-Mail-Postfach des Service.",
    ),
    _TP(
        "web_complaint_form",
        "Website: Beschwerdeformular",
        "Website: complaint form",
        "web",
        "service",
        "beschwerdemanagement",
        True,
        "Formular für formelle Beschwerden.",
    ),
    _TP(
        "web_login",
        "Kundenportal: Login",
        "Customer portal: login",
        "web",
        "usage",
        "online",
        True,
        "Anmeldung im Kundenportal „Mein Lindenfunk“.",
    ),
    _TP(
        "web_portal_invoices",
        "Kundenportal: Rechnungen",
        "Customer portal: invoices",
        "web",
        "usage",
        "abrechnung",
        True,
        "Rechnungen, Einzelverbindungsnachweis, Zahlungen.",
    ),
    _TP(
        "web_portal_contract",
        "Kundenportal: Vertrag & Tarif",
        "Customer portal: contract & tariff",
        "web",
        "renewal",
        "vertrieb",
        True,
        "Vertragsdaten, Tarifwechsel, Vertragsverlängerung.",
    ),
    _TP(
        "web_network_status",
        "Website: Netzstatus & Störungsmelder",
        "Website: network status & outage map",
        "web",
        "service",
        "technik",
        True,
        "Netzabdeckung und aktuelle Störungen nach Postleitzahl.",
    ),
    _TP(
        "web_cancellation",
        "Website: Kündigungsbutton",
        "Website: cancellation button",
        "web",
        "exit",
        "kundenservice",
        True,
        "Online-Kündigung nach § 312k BGB.",
    ),
    _TP(
        "web_forum",
        "Community-Forum",
        "Community forum",
        "web",
        "service",
        "online",
        True,
        "Kunden helfen Kunden; moderiert vom Online-Team.",
    ),
    _TP(
        "web_comparison_portal",
        "Vergleichsportal",
        "Comparison portal",
        "web",
        "consideration",
        "marketing",
        False,
        "Tarifvergleich auf externen Portalen.",
    ),
    _TP(
        "web_review_site",
        "Bewertungsportal",
        "Review site",
        "web",
        "consideration",
        "marketing",
        False,
        "Öffentliche Bewertungen von Kunden auf externen Plattformen.",
    ),
    # Phone
    _TP(
        "hotline_ivr",
        "Hotline: Sprachmenü (IVR)",
        "Hotline: voice menu (IVR)",
        "phone",
        "service",
        "kundenservice",
        True,
        "Sprachdialog vor der Weiterleitung an die Fachteams.",
    ),
    _TP(
        "hotline_billing",
        "Hotline: Rechnung",
        "Hotline: billing",
        "phone",
        "service",
        "abrechnung",
        True,
        "Fragen zu Rechnung, Zahlungen, Mahnungen.",
    ),
    _TP(
        "hotline_technical",
        "Hotline: Technik",
        "Hotline: technical support",
        "phone",
        "service",
        "technik",
        True,
        "Störungen, Empfang, Geräte, Internet.",
    ),
    _TP(
        "hotline_sales",
        "Hotline: Vertrieb",
        "Hotline: sales",
        "phone",
        "purchase",
        "vertrieb",
        True,
        "Bestellung, Beratung, Tarifwechsel, Vertragsverlängerung.",
    ),
    _TP(
        "hotline_cancellation",
        "Hotline: Kündigung & Kundenbindung",
        "Hotline: cancellation & retention",
        "phone",
        "exit",
        "kundenservice",
        True,
        "Kündigungswünsche und Halteangebote.",
    ),
    _TP(
        "hotline_general",
        "Hotline: Allgemeine Anliegen",
        "Hotline: general enquiries",
        "phone",
        "service",
        "kundenservice",
        True,
        "Adressänderung, PUK, Roaming, sonstige Fragen.",
    ),
    _TP(
        "call_activation",
        "Begrüßungsanruf",
        "Welcome call",
        "phone",
        "onboarding",
        "kundenservice",
        True,
        "Ausgehender Anruf nach Vertragsbeginn: Aktivierung, erste Fragen.",
    ),
    _TP(
        "call_callback",
        "Service-Rückruf",
        "Service call-back",
        "phone",
        "service",
        "kundenservice",
        True,
        "Zugesagter Rückruf durch den Service.",
    ),
    # E-mail
    _TP(
        "email_service",
        "E-Mail an den Kundenservice",
        "Customer service e-mail",
        "email",
        "service",
        "kundenservice",
        True,
        "Postfach service@lindenfunk.example und Antworten.",
    ),
    _TP(
        "email_order_confirmation",
        "Bestellbestätigung per E-Mail",
        "Order confirmation e-mail",
        "email",
        "purchase",
        "online",
        True,
        "Automatische Bestellbestätigung.",
    ),
    _TP(
        "email_welcome",
        "Willkommens-E-Mail",
        "Welcome e-mail",
        "email",
        "onboarding",
        "kundenservice",
        True,
        "Zugangsdaten, erste Schritte, App-Hinweis.",
    ),
    _TP(
        "email_invoice",
        "Online-Rechnung per E-Mail",
        "E-mail invoice",
        "email",
        "usage",
        "abrechnung",
        True,
        "Monatliche Rechnung als PDF.",
    ),
    _TP(
        "email_newsletter",
        "Newsletter",
        "Newsletter",
        "email",
        "awareness",
        "marketing",
        True,
        "Monatlicher Newsletter mit Angeboten (nur mit Einwilligung).",
    ),
    # Chat
    _TP(
        "chat_web",
        "Live-Chat",
        "Live chat",
        "chat",
        "service",
        "kundenservice",
        True,
        "Chat mit Mitarbeitenden auf Website und in der App.",
    ),
    _TP(
        "chat_bot",
        "Chatbot „Lini“",
        'Chatbot "Lini"',
        "chat",
        "service",
        "online",
        True,
        "Automatischer Assistent; übergibt an den Live-Chat.",
    ),
    # App
    _TP(
        "app_home",
        "App: Verbrauch & Übersicht",
        "App: usage & overview",
        "app",
        "usage",
        "online",
        True,
        "Datenverbrauch, Restminuten, Tarifoptionen.",
    ),
    _TP(
        "app_invoices",
        "App: Rechnungen",
        "App: invoices",
        "app",
        "usage",
        "abrechnung",
        True,
        "Rechnungen und Zahlungen in der App.",
    ),
    _TP(
        "app_support",
        "App: Hilfe & Störung melden",
        "App: help & report a fault",
        "app",
        "service",
        "technik",
        True,
        "Störungsmeldung und Hilfe-Artikel in der App.",
    ),
    _TP(
        "app_onboarding",
        "App: Registrierung & eSIM-Aktivierung",
        "App: sign-up & eSIM activation",
        "app",
        "onboarding",
        "online",
        True,
        "Erstanmeldung, SIM-/eSIM-Aktivierung.",
    ),
    # Shops
    *(
        _TP(
            f"shop_{key}",
            f"Shop {city}",
            f"Shop {city}",
            "store",
            "purchase",
            "shops",
            True,
            f"Lindenfunk-Shop {city}, {street}.",
        )
        for key, city, street in SHOPS
    ),
    # Letters
    _TP(
        "letter_contract",
        "Vertragsunterlagen per Post",
        "Contract documents by post",
        "letter",
        "onboarding",
        "vertrieb",
        True,
        "Auftragsbestätigung und Vertragszusammenfassung.",
    ),
    _TP(
        "letter_invoice",
        "Papierrechnung",
        "Paper invoice",
        "letter",
        "usage",
        "abrechnung",
        True,
        "Rechnung per Post (gegen Aufpreis).",
    ),
    _TP(
        "letter_customer",
        "Kundenbrief (eingehend)",
        "Customer letter (incoming)",
        "letter",
        "service",
        "beschwerdemanagement",
        True,
        "Briefe und Faxe von Kunden.",
    ),
    _TP(
        "letter_cancellation",
        "Kündigungsbestätigung",
        "Cancellation confirmation",
        "letter",
        "exit",
        "kundenservice",
        True,
        "Schriftliche Bestätigung der Kündigung.",
    ),
    # Social
    _TP(
        "social_x",
        "X (Twitter) @lindenfunk",
        "X (Twitter) @lindenfunk",
        "social",
        "service",
        "marketing",
        True,
        "Social-Media-Kundenservice auf X.",
    ),
    _TP(
        "social_facebook",
        "Facebook-Seite",
        "Facebook page",
        "social",
        "service",
        "marketing",
        True,
        "Beiträge und Kommentare auf der Facebook-Seite.",
    ),
    _TP(
        "social_word_of_mouth",
        "Empfehlung von Freunden & Familie",
        "Recommendation by friends & family",
        "social",
        "awareness",
        "marketing",
        False,
        "Mundpropaganda; nicht steuerbar, nur beobachtbar.",
    ),
    # Field service and logistics
    _TP(
        "technician_visit",
        "Technikertermin vor Ort",
        "Technician visit",
        "field_service",
        "onboarding",
        "technik",
        True,
        "Installation und Entstörung beim Kunden.",
    ),
    _TP(
        "parcel_delivery",
        "Paketzustellung",
        "Parcel delivery",
        "field_service",
        "purchase",
        "vertrieb",
        False,
        "Zustellung von Geräten und SIM-Karten durch den Paketdienst.",
    ),
)

# ----------------------------------------------------------------------------------------------
# Products

# (name, product code, monthly fee in EUR, data volume GB; None = unlimited)
MOBILE_TARIFFS: tuple[tuple[str, str, float, int | None], ...] = (
    ("Tarif S", "MOB-S", 14.99, 5),
    ("Tarif M", "MOB-M", 24.99, 20),
    ("Tarif L", "MOB-L", 39.99, None),
)
BUSINESS_MOBILE_TARIFFS: tuple[tuple[str, str, float, int | None], ...] = (
    ("Business Mobil M", "BIZ-MOB-M", 29.99, 30),
    ("Business Mobil L", "BIZ-MOB-L", 44.99, None),
)
# (name, product code, monthly fee, Mbit/s)
DSL_TARIFFS: tuple[tuple[str, str, float, int], ...] = (
    ("DSL 50", "DSL-50", 29.99, 50),
    ("DSL 100", "DSL-100", 34.99, 100),
    ("DSL 250", "DSL-250", 44.99, 250),
)
# (model, product code, price EUR, serial prefix)
DEVICES: tuple[tuple[str, str, float, str], ...] = (
    (FAULTY_MODEL, "DEV-MX", 699.0, "MX"),
    ("Smartphone Modell Y", "DEV-MY", 449.0, "MY"),
    ("Smartphone Modell Z", "DEV-MZ", 949.0, "MZ"),
)
ROUTER = ("WLAN-Router HomeBox 5", "HW-HB5", 4.99, "HB")
# What customers buy again and again, on the web or in the shops: (name, product code, price EUR).
ACCESSORIES: tuple[tuple[str, str, float], ...] = (
    ("USB-C-Ladekabel", "ACC-CABLE", 12.99),
    ("Displayschutzglas", "ACC-GLASS", 17.99),
    ("Schutzhülle", "ACC-CASE", 24.99),
    ("Ladegerät 30 W", "ACC-CHARGER", 29.99),
    ("Powerbank 10.000 mAh", "ACC-POWER", 39.99),
    ("Kfz-Halterung mit Ladefunktion", "ACC-CAR", 49.99),
    ("Bluetooth-Lautsprecher", "ACC-SPEAKER", 79.99),
    ("Kabellose Kopfhörer", "ACC-BUDS", 129.0),
    ("Smartwatch", "ACC-WATCH", 249.0),
    ("Tablet 11 Zoll", "ACC-TABLET", 399.0),
)
COLOURS = ("Schwarz", "Weiß", "Blau", "Grün", "Titan")

SEGMENTS = ("young", "family", "professional", "best_ager")
BUSINESS_SEGMENT = "business"

# ----------------------------------------------------------------------------------------------
# People

GERMAN_FEMALE = _words(
    "Anna Maria Julia Laura Lena Sarah Katharina Sophie Lisa Hannah Johanna Christina Sabine "
    "Petra Monika Ursula Claudia Susanne Andrea Stefanie Nicole Melanie Sandra Birgit Heike "
    "Karin Renate Ingrid Jana Lea Emma Mia Marie Franziska Jessica Katrin Anja Silke Elif "
    "Zeynep Natalia Agnieszka Ewa Gülay Helga Gisela Charlotte"
)
GERMAN_MALE = _words(
    "Thomas Michael Andreas Stefan Christian Markus Alexander Daniel Tobias Jan Lukas Felix "
    "Maximilian Jonas Leon Paul Florian Sebastian Matthias Martin Frank Jürgen Klaus Wolfgang "
    "Peter Uwe Dieter Bernd Ralf Jörg Sven Dirk Holger Philipp Niklas Tim Moritz Benedikt "
    "Mehmet Murat Ahmet Piotr Dimitri Karl-Heinz Hans-Peter Günter Björn"
)
GERMAN_LAST = _words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch "
    "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann "
    "Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann "
    "König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Schubert "
    "Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann Franke "
    "Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt Stein Jäger "
    "Otto Sommer Groß Seidel Heinrich Brandt Haas Yılmaz Kaya Demir Şahin Öztürk Nowak Kowalski "
    "Wiśniewski Popović Nguyen Ivanov Petrović Rossi Papadopoulos"
)
ENGLISH_FEMALE = _words(
    "Emily Olivia Sophie Charlotte Amelia Jessica Hannah Lucy Grace Chloe Emma Rachel Sarah "
    "Laura Megan Rebecca Catherine Victoria Abigail Natalie Priya Aisha Siobhan Fiona"
)
ENGLISH_MALE = _words(
    "James Oliver Jack Harry George William Thomas Daniel Matthew Christopher Andrew David "
    "Michael Ryan Samuel Benjamin Joshua Liam Connor Ethan Raj Arjun Sean Callum"
)
ENGLISH_LAST = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan "
    "Murphy O'Brien Kelly Campbell Stewart Anderson Sharma Khan Miller Davis Garcia"
)

COMPANY_PATTERNS_DE = (
    "{last} GmbH",
    "{last} & Partner Steuerberatung",
    "{last} Haustechnik GmbH",
    "Bäckerei {last}",
    "Autohaus {last} GmbH & Co. KG",
    "{last} Logistik GmbH",
    "Praxis Dr. {last}",
    "{last} Bau GmbH",
    "Elektro {last} e.K.",
    "{last} Immobilien GmbH",
    "Kanzlei {last} & Kollegen",
    "{last} IT-Service UG",
    "Gärtnerei {last}",
    "Hotel {last}hof",
    "{city}er Pflegedienst {last}",
)
COMPANY_PATTERNS_EN = (
    "{last} Consulting GmbH",
    "{last} & Co. Trading GmbH",
    "{last} Software GmbH",
    "{last} Language School",
    "{last} Design Studio",
)

# Bundesländer: (name, population in millions, [(city, postal-code prefix), ...], nearest shop key)
REGIONS: tuple[tuple[str, float, tuple[tuple[str, str], ...], str], ...] = (
    (
        "Baden-Württemberg",
        11.1,
        (
            ("Stuttgart", "70"),
            ("Karlsruhe", "76"),
            ("Mannheim", "68"),
            ("Freiburg im Breisgau", "79"),
            ("Heidelberg", "69"),
            ("Ulm", "89"),
        ),
        "stuttgart",
    ),
    (
        "Bayern",
        13.2,
        (
            ("München", "80"),
            ("München", "81"),
            ("Nürnberg", "90"),
            ("Augsburg", "86"),
            ("Regensburg", "93"),
            ("Würzburg", "97"),
            ("Ingolstadt", "85"),
        ),
        "muenchen",
    ),
    ("Berlin", 3.8, (("Berlin", "10"), ("Berlin", "12"), ("Berlin", "13")), "berlin"),
    (
        "Brandenburg",
        2.5,
        (("Potsdam", "14"), ("Cottbus", "03"), ("Frankfurt (Oder)", "15")),
        "berlin",
    ),
    ("Bremen", 0.7, (("Bremen", "28"),), "hamburg"),
    ("Hamburg", 1.9, (("Hamburg", "20"), ("Hamburg", "22")), "hamburg"),
    (
        "Hessen",
        6.3,
        (
            ("Frankfurt am Main", "60"),
            ("Wiesbaden", "65"),
            ("Kassel", "34"),
            ("Darmstadt", "64"),
            ("Offenbach am Main", "63"),
        ),
        "frankfurt",
    ),
    (
        "Mecklenburg-Vorpommern",
        1.6,
        (("Rostock", "18"), ("Schwerin", "19"), ("Greifswald", "17")),
        "hamburg",
    ),
    (
        "Niedersachsen",
        8.0,
        (
            ("Hannover", "30"),
            ("Braunschweig", "38"),
            ("Oldenburg", "26"),
            ("Osnabrück", "49"),
            ("Göttingen", "37"),
        ),
        "hannover",
    ),
    (
        "Nordrhein-Westfalen",
        18.1,
        (
            ("Köln", "50"),
            ("Köln", "51"),
            ("Düsseldorf", "40"),
            ("Dortmund", "44"),
            ("Essen", "45"),
            ("Münster", "48"),
            ("Bonn", "53"),
            ("Bielefeld", "33"),
            ("Wuppertal", "42"),
        ),
        "koeln",
    ),
    (
        "Rheinland-Pfalz",
        4.1,
        (("Mainz", "55"), ("Koblenz", "56"), ("Trier", "54"), ("Ludwigshafen am Rhein", "67")),
        "frankfurt",
    ),
    ("Saarland", 1.0, (("Saarbrücken", "66"),), "frankfurt"),
    ("Sachsen", 4.1, (("Dresden", "01"), ("Leipzig", "04"), ("Chemnitz", "09")), "leipzig"),
    ("Sachsen-Anhalt", 2.2, (("Magdeburg", "39"), ("Halle (Saale)", "06")), "leipzig"),
    ("Schleswig-Holstein", 2.9, (("Kiel", "24"), ("Lübeck", "23"), ("Flensburg", "24")), "hamburg"),
    ("Thüringen", 2.1, (("Erfurt", "99"), ("Jena", "07"), ("Weimar", "99")), "leipzig"),
)
# Cities with a shop of their own send their customers there.
CITY_SHOP = {city: key for key, city, _ in SHOPS}

MOBILE_PREFIXES = _words(
    "1511 1512 1514 1515 1516 1517 1520 1521 1522 1523 1525 1526 1570 1573 1575 1577 1578 1590 "
    "160 162 163 170 171 172 173 174 175 176 177 178 179"
)

MONTHS_DE = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# ----------------------------------------------------------------------------------------------
# Web and app behaviour

# touchpoint key -> page paths
PAGE_PATHS: dict[str, tuple[str, ...]] = {
    "web_home": ("/",),
    "web_tariffs_mobile": ("/tarife/mobilfunk", "/tarife/mobilfunk/tarif-m", "/tarife/vergleich"),
    "web_tariffs_dsl": ("/tarife/dsl", "/tarife/dsl/dsl-100", "/tarife/dsl/dsl-250"),
    "web_availability": ("/dsl/verfuegbarkeit",),
    "web_shop_devices": ("/shop/smartphones", "/shop/smartphones?sort=preis", "/shop/angebote"),
    "web_product_page": (
        "/shop/smartphone-modell-x",
        "/shop/smartphone-modell-y",
        "/shop/smartphone-modell-z",
    ),
    "web_shop_accessories": (
        "/shop/zubehoer",
        "/shop/zubehoer/huellen",
        "/shop/zubehoer/laden",
        "/shop/zubehoer/audio",
        "/shop/zubehoer/wearables",
        "/shop/zubehoer/tablets",
    ),
    "web_cart": ("/shop/warenkorb",),
    "web_checkout": ("/shop/kasse/daten", "/shop/kasse/zahlung", "/shop/kasse/pruefen"),
    "web_help": (
        "/hilfe",
        "/hilfe/rechnung-verstehen",
        "/hilfe/esim-einrichten",
        "/hilfe/roaming",
        "/hilfe/empfang-verbessern",
        "/hilfe/router-einrichten",
        "/hilfe/rufnummer-mitnehmen",
        "/hilfe/kontakt",
    ),
    "web_contact_form": ("/kontakt",),
    "web_complaint_form": ("/kontakt/beschwerde",),
    "web_login": ("/mein-lindenfunk/login",),
    "web_portal_invoices": (
        "/mein-lindenfunk/rechnungen",
        "/mein-lindenfunk/rechnungen/evn",
        "/mein-lindenfunk/zahlungen",
    ),
    "web_portal_contract": (
        "/mein-lindenfunk/vertrag",
        "/mein-lindenfunk/tarifwechsel",
        "/mein-lindenfunk/verlaengerung",
    ),
    "web_network_status": ("/netz/status", "/netz/abdeckung"),
    "web_cancellation": ("/vertraege-hier-kuendigen",),
    "web_forum": (
        "/community/thema/empfang",
        "/community/thema/rechnung",
        "/community/thema/smartphone-modell-x",
        "/community/thema/router",
    ),
    "web_comparison_portal": (
        "https://vergleich.example.org/handytarife",
        "https://vergleich.example.org/dsl",
    ),
    "web_review_site": ("https://bewertungen.example.net/lindenfunk",),
}
SEARCH_QUERIES_DE = (
    "rechnung",
    "roaming",
    "esim",
    "modell x",
    "kündigung",
    "tarif wechseln",
    "dsl störung",
    "rufnummer mitnehmen",
    "pin vergessen",
    "hotline",
    "empfang",
    "router einrichten",
    "vertragslaufzeit",
    "datenvolumen nachbuchen",
    "mailbox ausschalten",
    "zweitkarte",
    "anrufe brechen ab",
    "sim sperren",
    "ausland",
    "kontakt",
)
SEARCH_QUERIES_EN = (
    "invoice",
    "roaming",
    "esim",
    "cancel contract",
    "english",
    "contact",
    "data top up",
    "dropped calls",
    "router setup",
    "change tariff",
)
# Queries that find nothing: the website story measures them.
ZERO_RESULT_QUERIES = (
    "anrufe brechen ab",
    "modell x update",
    "english",
    "dropped calls",
    "gutschrift 100 minuten",
    "warteschleife",
    "rückruf",
)
APP_EVENTS = (
    "app_open",
    "usage_check",
    "data_topup",
    "roaming_option",
    "tariff_options",
    "push_opened",
    "pin_reset",
    "invoice_download",
)
CALL_REASONS_IVR = ("rechnung", "technik", "vertrag", "kuendigung", "sonstiges")

# ----------------------------------------------------------------------------------------------
# Texts. Placeholders: {first} {last} {anrede} {kunde} {brand} {tariff} {new_tariff} {device}
# {city} {amount} {month} {wait} {agent} {order} {minutes} {days} {speed}

SALUTATIONS = {
    ("de", "ms"): "Sehr geehrte Frau {last}",
    ("de", "mr"): "Sehr geehrter Herr {last}",
    ("de", "mx"): "Guten Tag {first} {last}",
    ("de", "none"): "Guten Tag {first} {last}",
    ("en", "ms"): "Dear Ms {last}",
    ("en", "mr"): "Dear Mr {last}",
    ("en", "mx"): "Dear {first} {last}",
    ("en", "none"): "Dear {first} {last}",
}
GENERIC_SALUTATION = {"de": "Sehr geehrte Damen und Herren", "en": "Dear customer"}

EMAIL_OPENERS = {
    "de": (
        "Hallo,",
        "Guten Tag,",
        "Sehr geehrte Damen und Herren,",
        "Hallo Lindenfunk-Team,",
        "Moin,",
        "Liebes Service-Team,",
    ),
    "en": ("Hello,", "Hi,", "Dear Sir or Madam,", "Dear Lindenfunk team,", "Good morning,"),
}
EMAIL_CLOSERS = {
    "de": (
        "Mit freundlichen Grüßen\n{first} {last}",
        "Viele Grüße\n{first} {last}",
        "Danke im Voraus!\n{first}",
        "Gruß {first} {last}",
        "MfG {last}",
        "Ich bitte um eine schnelle Rückmeldung.\n{first} {last}",
    ),
    "en": (
        "Kind regards,\n{first} {last}",
        "Best wishes,\n{first}",
        "Thanks in advance,\n{first}",
        "Regards, {first} {last}",
        "Looking forward to your reply.\n{first} {last}",
    ),
}
SOCIAL_TAILS = {
    "de": ("", "", " #lindenfunk", " #kundenservice", " #fail", " 😡", " 🙄", " #mobilfunk"),
    "en": ("", "", " #lindenfunk", " #customerservice", " #fail", " 😡"),
}
PRAISE_SOCIAL_TAILS = {"de": ("", " 👍", " #danke", " 🙂"), "en": ("", " 👍", " #thanks", " 🙂")}

# TEXTS[topic][form][language] -> templates
Texts = dict[str, dict[str, dict[str, tuple[str, ...]]]]

TEXTS: Texts = {
    "dropped_calls": {
        "call_note": {
            "de": (
                "{kunde} meldet: Anrufe brechen ständig ab, besonders zu Hause in {city}. "
                "Gerät {device}. Netzqualität am Wohnort geprüft: keine Störung, gute Versorgung. "
                "Anfrage an Hersteller gestellt, Rückruf innerhalb von 24 Stunden zugesagt.",
                "Gespräche brechen nach wenigen Minuten ab, auch bei vollem Empfang. "
                "{kunde} ist genervt, hat schon Neustart und SIM-Tausch versucht. {device} seit "
                "dem letzten Update betroffen. Kein Netzfehler in {city}. Ticket an Hersteller, "
                "Rückruf morgen zugesagt.",
                '{kunde} sehr verärgert: "Ich kann mit dem Handy nicht mehr telefonieren, jeder '
                'zweite Anruf bricht ab." {device}, Netz vor Ort ohne Befund. Herstelleranfrage '
                "eröffnet.",
                "Verbindungsabbrüche bei Telefonaten mit {device}. Standort {city} geprüft, "
                "keine Auffälligkeiten. Kunde bittet um schnelle Lösung, braucht das Telefon "
                "beruflich. Rückruf zugesagt.",
            ),
            "en": (
                "Customer reports calls keep dropping, especially at home in {city}. Device "
                "{device}. Network quality at the address checked: no fault. Opened an inquiry "
                "with the manufacturer, promised a call back within 24 hours.",
                "Calls drop after a few minutes even with full signal. Customer already tried "
                "restart and a new SIM. {device}, started after the last update. No network "
                "issue in {city}. Ticket raised with the maker, call back promised.",
                "Customer very annoyed: \"I can't make a phone call anymore, every other call "
                'drops." {device}, network fine. Manufacturer inquiry opened.',
            ),
        },
        "repeat_note": {
            "de": (
                "Erneuter Anruf wegen abbrechender Gespräche ({device}). Versprochener Rückruf "
                "kam nicht. {kunde} droht mit Kündigung. Eskalation an Technik.",
                "{kunde} ruft zum dritten Mal an: Anrufe brechen weiter ab, niemand hat sich "
                "gemeldet. Musste alles noch einmal erklären. Sehr verärgert.",
                "Nachfrage zum Stand der Herstelleranfrage ({device}). Noch keine Antwort vom "
                "Hersteller. Erneuter Rückruf zugesagt.",
            ),
            "en": (
                "Second call about dropped calls ({device}). The promised call back never "
                "happened. Customer threatens to cancel. Escalated to technical team.",
                "Customer asks about the manufacturer inquiry. No answer yet. Promised another "
                "call back.",
            ),
        },
        "callback_note": {
            "de": (
                "Rückruf wie zugesagt. Hersteller bestätigt Softwarefehler bei {device}, behoben "
                "durch Update. Update mit {kunde} Schritt für Schritt installiert, Testanruf "
                "erfolgreich. {minutes} Freiminuten als Kulanz gutgeschrieben. {kunde} bedankt "
                "sich.",
                "Rückruf: Softwarefehler laut Hersteller, Update verfügbar. Gemeinsam "
                "installiert, Anrufe halten jetzt. Kulanz: {minutes} Freiminuten. Kunde "
                "zufrieden.",
                "Rückruf erfolgt. Fehlerursache: Firmware des {device}. Update eingespielt, "
                "Problem gelöst. {minutes} Minuten gutgeschrieben, Entschuldigung "
                "ausgesprochen.",
            ),
            "en": (
                "Called back as promised. Manufacturer confirms a software fault in the "
                "{device}, fixed by an update. Walked the customer through the update step by "
                "step, test call works. Granted {minutes} free minutes as goodwill. Customer "
                "thanked us.",
                "Call back: software fault per manufacturer, update available. Installed it "
                "together, calls now stay connected. Goodwill: {minutes} free minutes.",
            ),
        },
        "email_in": {
            "de": (
                "seit zwei Wochen brechen bei meinem {device} fast alle Telefonate nach kurzer "
                "Zeit ab. Der Empfang wird voll angezeigt. Was ist da los? Ich zahle jeden "
                "Monat für {tariff} und kann nicht telefonieren.",
                "Anrufe brechen ständig ab! Ich habe das Handy ({device}) erst bei Ihnen "
                "gekauft. Bitte tauschen Sie das Gerät aus oder sagen Sie mir, was ich tun soll.",
                "mein Smartphone verliert bei jedem dritten Gespräch die Verbindung. Neustart "
                "hilft nicht. Liegt das am Netz in {city} oder am Gerät?",
            ),
            "en": (
                "for two weeks nearly every call on my {device} drops after a short time. Signal "
                "shows full bars. What is going on? I pay for {tariff} every month and can't "
                "make calls.",
                "My calls keep dropping! I bought the phone ({device}) from you. Please replace "
                "it or tell me what to do.",
            ),
        },
        "chat": {
            "de": (
                "Kunde: Meine Anrufe brechen dauernd ab, {device}.\n"
                "{agent}: Das tut mir leid! Ich prüfe kurz das Netz an Ihrer Adresse.\n"
                "{agent}: In {city} gibt es keine Störung. Ich gebe das an unsere Technik weiter.",
                "Kunde: hallo, telefonieren geht fast nicht mehr, alles bricht ab\n"
                "{agent}: Welches Gerät nutzen Sie?\nKunde: {device}\n"
                "{agent}: Danke, dazu klären wir gerade etwas mit dem Hersteller. Wir melden uns.",
            ),
            "en": (
                "Customer: My calls keep dropping, {device}.\n"
                "{agent}: Sorry to hear that! Let me check the network at your address.\n"
                "{agent}: No outage in {city}. I'm passing this on to our technical team.",
            ),
        },
        "complaint": {
            "de": (
                "Ich beschwere mich hiermit offiziell: Seit Wochen brechen meine Anrufe ab. "
                "Mir wurde ein Rückruf innerhalb von 24 Stunden versprochen, der nie kam. So "
                "geht man nicht mit Kunden um.",
                "Beschwerde: {device} unbrauchbar zum Telefonieren, Anrufe brechen ständig ab. "
                "Dreimal die Hotline angerufen, jedes Mal alles neu erklärt. Ich verlange einen "
                "Austausch oder eine Gutschrift.",
            ),
            "en": (
                "I want to file a formal complaint: for weeks my calls have been dropping. I was "
                "promised a call back within 24 hours that never came.",
                "Complaint: the {device} is useless for calls, they keep dropping. Called the "
                "hotline three times and had to explain everything again each time.",
            ),
        },
        "social": {
            "de": (
                "@lindenfunk Anrufe brechen ständig ab mit dem {device}. Bin ich der Einzige?",
                "Drittes abgebrochenes Telefonat heute. Danke @lindenfunk, tolles {device}...",
                "Kann jemand mit {device} noch normal telefonieren? Bei mir bricht alles ab "
                "@lindenfunk",
            ),
            "en": (
                "@lindenfunk my calls keep dropping on the {device}. Anyone else?",
                "Third dropped call today. Thanks @lindenfunk, great {device}...",
            ),
        },
        "shop_note": {
            "de": (
                "{kunde} im Shop wegen abbrechender Anrufe, {device}. Gerät geprüft, "
                "Hardware i. O., Softwarestand notiert. An Technik-Hotline verwiesen.",
                "{kunde} bringt {device}: Telefonate brechen ab. Testanruf im Shop "
                "bricht nach 2 Minuten ab. Fall an Hersteller gemeldet.",
            ),
            "en": (
                "Customer came to the shop about dropped calls on the {device}. Hardware fine, "
                "software version noted. Referred to the technical hotline.",
            ),
        },
    },
    "network": {
        "call_note": {
            "de": (
                "Schlechter Empfang in der Wohnung in {city}, mobiles Internet langsam. "
                "Netzkarte geprüft: Ausbau im Gebiet geplant. WLAN-Call empfohlen.",
                "{kunde} meldet Funkloch auf dem Weg zur Arbeit. Bekannte Versorgungslücke, "
                "Ausbau in Planung. Hinweis auf Netzstatus-Seite gegeben.",
                "Kein Netz seit heute Morgen in {city}. Regionale Störung bestätigt, Behebung "
                "voraussichtlich heute Abend.",
            ),
            "en": (
                "Poor reception in the flat in {city}, mobile data slow. Coverage map checked: "
                "upgrade planned in the area. Recommended Wi-Fi calling.",
                "No network since this morning in {city}. Regional outage confirmed, expected "
                "to be fixed tonight.",
            ),
        },
        "email_in": {
            "de": (
                "in meiner Wohnung in {city} habe ich kaum Empfang. Das mobile Internet ist "
                "extrem langsam. Wann wird das besser?",
                "seit dem Umzug nach {city} habe ich ständig kein Netz. Kann ich den Vertrag "
                "deshalb vorzeitig beenden?",
            ),
            "en": (
                "I barely have reception in my flat in {city}. Mobile internet is extremely slow. "
                "When will this improve?",
            ),
        },
        "social": {
            "de": (
                "Mal wieder kein Netz in {city}. @lindenfunk was ist los?",
                "Funkloch am Hauptbahnhof {city}, jeden Tag dasselbe @lindenfunk",
            ),
            "en": ("No signal again in {city}. @lindenfunk what's going on?",),
        },
        "chat": {
            "de": (
                "Kunde: Kein Empfang in {city}?\n{agent}: Es gibt aktuell eine Störung in Ihrer "
                "Region, unsere Technik arbeitet daran.",
            ),
            "en": (
                "Customer: No signal in {city}?\n{agent}: There is a local outage, our "
                "engineers are working on it.",
            ),
        },
    },
    "billing_question": {
        "call_note": {
            "de": (
                "Frage zur Rechnung {month}: Betrag {amount} EUR höher als üblich. "
                "Drittanbieterabo gefunden, Drittanbietersperre eingerichtet.",
                "{kunde} versteht Rechnungsposition „Datenautomatik“ nicht. Erklärt, Option "
                "deaktiviert.",
                "Rückfrage zur Rechnung: anteilige Grundgebühr nach Tarifwechsel erklärt. "
                "{kunde} zufrieden.",
                "Bankverbindung geändert, SEPA-Mandat neu erfasst.",
                "{kunde} fragt nach Einzelverbindungsnachweis für {month}. Im Kundenportal "
                "freigeschaltet, Weg dorthin erklärt.",
                "Rechnung {month} ({amount} EUR): Roaming-Tagespakete aus dem Urlaub erklärt. "
                "{kunde} war nicht klar, dass die Pakete automatisch gebucht werden.",
                "Zahlungsziel verlängert, Ratenzahlung für offenen Betrag {amount} EUR vereinbart.",
                "{kunde} möchte Rechnung per Post statt per E-Mail. Umgestellt, Aufpreis "
                "1,50 EUR erklärt.",
                "Frage nach Gutschrift aus Vormonat: ist auf Rechnung {month} verrechnet, "
                "Position gezeigt.",
                "Rechnung kommt nicht an, E-Mail-Adresse hatte Tippfehler. Korrigiert, "
                "Rechnung erneut versendet.",
            ),
            "en": (
                "Question about the {month} invoice: amount {amount} EUR higher than usual. "
                "Found a third-party subscription, set up a third-party block.",
                "Customer did not understand the pro-rata base fee after the tariff change. "
                "Explained.",
                "Customer asked for an itemised bill for {month}. Enabled it in the portal.",
                "Invoice {month} ({amount} EUR): explained the roaming day passes from the "
                "holiday.",
                "Invoices not arriving; e-mail address had a typo. Fixed and resent.",
            ),
        },
        "email_in": {
            "de": (
                "auf meiner Rechnung für {month} steht ein Betrag von {amount} EUR. Normalerweise "
                "zahle ich weniger. Können Sie mir die Positionen erklären?",
                "ich habe eine Frage zu meiner letzten Rechnung. Was ist die Position "
                "„Sonstige Leistungen“?",
                "bitte schicken Sie mir die Rechnungen der letzten drei Monate noch einmal zu, "
                "ich brauche sie für die Steuer.",
            ),
            "en": (
                "my invoice for {month} shows {amount} EUR. I usually pay less. Could you explain "
                "the items?",
                "could you send me the invoices of the last three months again? I need them for "
                "my tax return.",
            ),
        },
        "chat": {
            "de": (
                "Kunde: Warum ist meine Rechnung diesen Monat so hoch?\n{agent}: Ich schaue "
                "nach... Es wurde Datenvolumen nachgebucht, 2 x 5,99 EUR.\nKunde: Ah, okay.",
            ),
            "en": (
                "Customer: Why is my invoice so high this month?\n{agent}: Let me check... You "
                "booked extra data twice, 2 x 5.99 EUR.\nCustomer: Oh, okay.",
            ),
        },
    },
    "billing_complaint": {
        "call_note": {
            "de": (
                "{kunde} verärgert: Betrag {amount} EUR doppelt abgebucht. Rückerstattung "
                "veranlasst, Bestätigung per E-Mail zugesagt.",
                "Beschwerde über Roaminggebühren nach Urlaub, {amount} EUR. Kulanzgutschrift "
                "50 % gewährt.",
                "Rechnung nach Kündigung weiter erhalten. Fehler im System, Korrektur "
                "beauftragt. {kunde} will schriftliche Bestätigung.",
                "Mahnung erhalten, obwohl bezahlt. Zahlungseingang gefunden, Mahnung storniert, "
                "entschuldigt.",
            ),
            "en": (
                "Customer upset: {amount} EUR debited twice. Refund initiated, confirmation by "
                "e-mail promised.",
                "Complaint about roaming charges after holiday, {amount} EUR. Granted a 50% "
                "goodwill credit.",
            ),
        },
        "email_in": {
            "de": (
                "Sie haben mir diesen Monat {amount} EUR abgebucht, das ist fast das Doppelte "
                "meines Tarifs. Ich habe nichts zusätzlich gebucht. Ich erwarte eine Korrektur.",
                "schon wieder ist meine Rechnung falsch! Die Gutschrift aus dem letzten Monat "
                "fehlt. Das ist jetzt das dritte Mal.",
                "ich habe eine Mahnung bekommen, obwohl ich pünktlich bezahlt habe. Das ist eine "
                "Frechheit.",
            ),
            "en": (
                "you charged me {amount} EUR this month, almost double my tariff. I didn't book "
                "anything extra. I expect a correction.",
                "my invoice is wrong again! Last month's credit is missing. This is the third "
                "time.",
            ),
        },
        "complaint": {
            "de": (
                "Hiermit lege ich Widerspruch gegen die Rechnung vom {month} ein. Der Betrag von "
                "{amount} EUR ist nicht nachvollziehbar. Ich habe die Lastschrift "
                "zurückgegeben.",
                "Ich bin seit Jahren Kunde und werde so behandelt: falsche Rechnung, drei Anrufe, "
                "keine Lösung. Ich erwarte eine schriftliche Stellungnahme.",
            ),
            "en": (
                "I hereby dispute the invoice of {month}. The amount of {amount} EUR makes no "
                "sense. I have reversed the direct debit.",
            ),
        },
        "social": {
            "de": (
                "@lindenfunk bucht einfach {amount} € ab und keiner kann es erklären. Super.",
                "Dritte falsche Rechnung in Folge @lindenfunk. Reicht langsam.",
            ),
            "en": ("@lindenfunk charged me {amount} € and nobody can explain why. Great.",),
        },
    },
    "hotline_wait": {
        "complaint": {
            "de": (
                "Ich habe heute {wait} Minuten in der Warteschleife verbracht und dann ist die "
                "Verbindung abgebrochen. Ihre Hotline ist nicht erreichbar!",
                "Dreimal angerufen, jedes Mal über {wait} Minuten gewartet. So kann man keinen "
                "Service machen.",
            ),
            "en": (
                "I spent {wait} minutes on hold today and then the line dropped. Your hotline "
                "is unreachable!",
            ),
        },
        "social": {
            "de": (
                "{wait} Minuten Warteschleife bei @lindenfunk. Und die Musik ist auch schlecht.",
                'Hotline @lindenfunk: "Ihr Anruf ist uns wichtig." Seit {wait} Minuten...',
            ),
            "en": ("{wait} minutes on hold with @lindenfunk. Unbelievable.",),
        },
        "call_note": {
            "de": (
                "{kunde} beschwert sich über {wait} Minuten Wartezeit. Entschuldigt. Anliegen: "
                "Frage zur Rechnung, geklärt.",
                "Lange Wartezeit beklagt ({wait} Min.). {kunde} hatte vorher zweimal aufgelegt.",
            ),
            "en": ("Customer complained about waiting {wait} minutes. Apologised.",),
        },
    },
    "praise": {
        "social": {
            "de": (
                "Großes Lob an {agent} von der @lindenfunk Hotline, super freundlich und hat "
                "sofort geholfen!",
                "Im Shop in {city} toll beraten worden, danke @lindenfunk",
                "Problem in 5 Minuten im Chat gelöst. So muss Service sein @lindenfunk",
            ),
            "en": (
                "Big thanks to {agent} at @lindenfunk, really friendly and solved it right away!",
                "Great advice at the shop in {city}, thanks @lindenfunk",
            ),
        },
        "email_in": {
            "de": (
                "ich wollte mich einmal bedanken: {agent} hat mir am Telefon sehr geduldig "
                "geholfen und sich sogar noch einmal gemeldet. Das erlebt man selten.",
                "vielen Dank für die schnelle Lösung meines Problems. Der Rückruf kam wie "
                "versprochen.",
            ),
            "en": (
                "I just wanted to say thank you: {agent} helped me very patiently on the phone "
                "and even followed up. That's rare.",
            ),
        },
        "call_note": {
            "de": (
                "{kunde} ruft an, um sich für die schnelle Hilfe letzte Woche zu bedanken.",
                "Kein Anliegen, {kunde} lobt die Beratung im Shop {city}.",
            ),
            "en": ("Customer called to thank us for the quick help last week.",),
        },
        "shop_note": {
            "de": (
                "Beratung zu Tarifoptionen, {kunde} sehr zufrieden, bedankt sich für die Zeit.",
            ),
            "en": ("Advice on tariff options, customer very happy.",),
        },
    },
    "dsl_outage": {
        "call_note": {
            "de": (
                "Internet ({tariff}) seit gestern ausgefallen. Leitung durchgemessen: Fehler im "
                "Hausanschluss. Technikertermin vereinbart.",
                "DSL bricht mehrmals täglich ab, Sync nur {speed} Mbit/s statt gebucht. Port "
                "neu gestartet, Beobachtung 48 h.",
                "Router HomeBox zeigt keine Verbindung. Fernwartung: Zugangsdaten neu "
                "eingespielt, läuft wieder.",
                "Dritte Störungsmeldung in einem Monat. {kunde} arbeitet im Homeoffice und ist "
                "auf stabiles Internet angewiesen. Eskalation, Techniker beauftragt.",
            ),
            "en": (
                "Internet ({tariff}) down since yesterday. Line test: fault at the house "
                "connection. Technician appointment booked.",
                "DSL drops several times a day, sync only {speed} Mbit/s. Port restarted, "
                "monitoring for 48 h.",
            ),
        },
        "technician_note": {
            "de": (
                "Techniker vor Ort: APL getauscht, Leitung gemessen, {speed} Mbit/s stabil. "
                "Kunde zufrieden.",
                "Termin wahrgenommen, Router neu eingerichtet, WLAN optimiert.",
                "Kunde nicht angetroffen, Benachrichtigungskarte hinterlassen.",
                "Installation abgeschlossen, Anschluss aktiv, Einweisung in HomeBox erfolgt.",
            ),
            "en": (
                "Technician on site: replaced the junction box, line measured, {speed} Mbit/s "
                "stable.",
                "Installation completed, line active, router set up with the customer.",
            ),
        },
        "complaint": {
            "de": (
                "Seit einer Woche kein Internet. Der Techniker ist nicht erschienen. Ich arbeite "
                "von zu Hause und verliere Geld. Ich verlange eine Gutschrift.",
                "Schon wieder DSL-Störung. Ich zahle für {tariff} und bekomme die Hälfte.",
            ),
            "en": (
                "No internet for a week. The technician never showed up. I work from home and "
                "am losing money.",
            ),
        },
        "social": {
            "de": ("Tag 4 ohne Internet. Danke @lindenfunk #homeoffice",),
            "en": ("Day 4 without internet. Thanks @lindenfunk",),
        },
    },
    "tariff_change": {
        "call_note": {
            "de": (
                "Wechsel von {tariff} auf {new_tariff} gewünscht, durchgeführt ab nächstem "
                "Monat. Bestätigung per E-Mail.",
                "Beratung Vertragsverlängerung: {new_tariff} mit neuem Smartphone angeboten.",
                "{kunde} möchte mehr Datenvolumen. {new_tariff} empfohlen, Wechsel beauftragt.",
            ),
            "en": (
                "Wants to change from {tariff} to {new_tariff}, done from next month. "
                "Confirmation by e-mail.",
                "Renewal advice: offered {new_tariff} with a new smartphone.",
            ),
        },
        "chat": {
            "de": (
                "Kunde: Kann ich meinen Tarif wechseln?\n{agent}: Gern! {new_tariff} wäre ab "
                "dem nächsten Monat möglich.\nKunde: Ja, bitte.",
            ),
            "en": (
                "Customer: Can I change my tariff?\n{agent}: Sure! {new_tariff} is possible "
                "from next month.\nCustomer: Yes, please.",
            ),
        },
        "email_in": {
            "de": (
                "mein Vertrag läuft bald aus. Welche Angebote haben Sie für Bestandskunden? Ich "
                "habe gesehen, dass Neukunden {new_tariff} günstiger bekommen.",
            ),
            "en": (
                "my contract ends soon. What offers do you have for existing customers? New "
                "customers seem to get {new_tariff} cheaper.",
            ),
        },
    },
    "delivery": {
        "call_note": {
            "de": (
                "Bestellung {order}: Lieferung verspätet, Sendungsverfolgung zeigt Zustellung "
                "morgen. {kunde} informiert.",
                "SIM-Karte nicht angekommen, Ersatzkarte versendet.",
            ),
            "en": ("Order {order}: delivery delayed, tracking shows delivery tomorrow.",),
        },
        "email_in": {
            "de": (
                "ich habe am {month} bestellt (Bestellung {order}) und noch immer nichts "
                "erhalten. Wo ist mein Paket?",
            ),
            "en": (
                "I ordered (order {order}) and still haven't received anything. Where is my "
                "parcel?",
            ),
        },
    },
    "app_login": {
        "chat": {
            "de": (
                "Kunde: Ich komme nicht mehr in die App, Passwort wird abgelehnt.\n{agent}: Ich "
                "habe Ihnen einen Link zum Zurücksetzen geschickt.\nKunde: Klappt, danke!",
                "Kunde: App stürzt beim Öffnen der Rechnung ab.\n{agent}: Bitte aktualisieren "
                "Sie die App, der Fehler ist in Version 5.2 behoben.",
            ),
            "en": (
                "Customer: I can't log into the app, password rejected.\n{agent}: I've sent you "
                "a reset link.\nCustomer: Works, thanks!",
            ),
        },
        "email_in": {
            "de": (
                "die App zeigt seit dem Update nur noch einen weißen Bildschirm. Bitte um Hilfe.",
            ),
            "en": ("since the update the app only shows a white screen. Please help.",),
        },
    },
    "roaming": {
        "call_note": {
            "de": (
                "Frage zu Roaming in der Schweiz (nicht EU). Tagespaket empfohlen.",
                "Im Urlaub kein Datennetz, Roaming war deaktiviert. Aktiviert, funktioniert.",
            ),
            "en": ("Question about roaming in Switzerland (non-EU). Recommended the day pass.",),
        },
        "email_in": {
            "de": (
                "ich fahre nächste Woche in die Türkei. Was kostet dort das Telefonieren und "
                "Surfen mit {tariff}?",
            ),
            "en": ("I'm travelling to the UK next week. What does roaming cost with {tariff}?",),
        },
    },
    "general": {
        "call_note": {
            "de": (
                "Adressänderung nach Umzug nach {city} erfasst.",
                "PUK angefordert, SIM entsperrt.",
                "Rufnummernmitnahme zu uns: Portierung für nächste Woche bestätigt.",
                "Frage zur Vertragslaufzeit: Ende der Mindestlaufzeit genannt.",
                "Zweitkarte bestellt.",
                "{kunde} fragt, ob die Rufnummer bei Anbieterwechsel mitgenommen werden kann. "
                "Ablauf erklärt.",
                "Mailbox deaktiviert auf Wunsch.",
                "SIM-Karte verloren, Karte gesperrt, Ersatz-SIM bestellt.",
                "Namensänderung nach Heirat erfasst, Nachweis angefordert.",
                "{kunde} fragt nach eSIM für die Smartwatch. MultiSIM-Option erklärt.",
            ),
            "en": (
                "Address change after moving to {city} recorded.",
                "Requested PUK, SIM unblocked.",
                "Question about the minimum term: end date given.",
            ),
        },
        "email_in": {
            "de": (
                "ich bin umgezogen, meine neue Adresse ist in {city}. Bitte ändern Sie das in "
                "meinen Kundendaten.",
                "wie kann ich eine Zweitkarte für meine Tochter bestellen?",
            ),
            "en": (
                "I have moved to {city}. Please update my address.",
                "how can I order a second SIM for my partner?",
            ),
        },
    },
    "device_defect": {
        "shop_note": {
            "de": (
                "Display von {device} gesprungen, Reparatur eingeleitet, Ersatzgerät ausgegeben.",
                "Akku von {device} hält nur noch einen halben Tag. Gerät zur Prüfung eingeschickt.",
                "Beratung zum Gerätewechsel, {device} vorgeführt.",
            ),
            "en": (
                "Screen of the {device} cracked, repair started, loan device issued.",
                "Battery of the {device} lasts half a day. Sent in for inspection.",
            ),
        },
        "call_note": {
            "de": ("Reparaturstatus {device} erfragt: Gerät auf dem Rückweg.",),
            "en": ("Asked for the repair status of the {device}: on its way back.",),
        },
    },
    "activation": {
        "call_note": {
            "de": (
                "Begrüßungsanruf: SIM aktiv, App erklärt, keine offenen Fragen.",
                "Begrüßungsanruf: {kunde} hatte Probleme mit der eSIM, gemeinsam aktiviert.",
                "Begrüßungsanruf, {kunde} nicht erreicht, Nachricht auf Mailbox.",
                "Begrüßungsanruf: Rufnummernmitnahme noch offen, Termin genannt.",
            ),
            "en": (
                "Welcome call: SIM active, explained the app, no open questions.",
                "Welcome call: customer had trouble with the eSIM, activated it together.",
            ),
        },
    },
    "cancellation": {
        "call_note": {
            "de": (
                "Kündigungswunsch: zu teuer, Angebot der Konkurrenz. Halteangebot {new_tariff} "
                "abgelehnt. Kündigung zum Laufzeitende erfasst.",
                "Kündigung wegen Umzug ins Ausland. Bestätigung per Post.",
                "Kündigung wegen wiederholter Probleme mit {device}. {kunde} enttäuscht.",
                "Kündigung wegen schlechtem Netz in {city}. Bestätigung zugesagt.",
            ),
            "en": (
                "Wants to cancel: too expensive, competitor offer. Retention offer declined. "
                "Cancellation at end of term recorded.",
                "Cancelling because of moving abroad. Confirmation by post.",
            ),
        },
        "letter_in": {
            "de": (
                "Hiermit kündige ich meinen Vertrag {tariff} fristgerecht zum nächstmöglichen "
                "Zeitpunkt. Bitte bestätigen Sie mir die Kündigung schriftlich.",
                "Kündigung: Nach den Erfahrungen der letzten Monate möchte ich nicht länger "
                "Kunde bleiben. Bitte bestätigen Sie das Vertragsende.",
            ),
            "en": (
                "I hereby cancel my contract {tariff} at the earliest possible date. Please "
                "confirm in writing.",
            ),
        },
        "confirmation": {
            "de": (
                "{anrede},\n\nwir bestätigen die Kündigung Ihres Vertrags {tariff}. Schade, "
                "dass Sie gehen. Ihr Vertrag endet zum Ende der Laufzeit.\n\nIhr "
                "Lindenfunk-Team",
            ),
            "en": (
                "{anrede},\n\nwe confirm the cancellation of your contract {tariff}. We are "
                "sorry to see you go.\n\nYour Lindenfunk team",
            ),
        },
    },
    "retention": {
        "call_note": {
            "de": (
                "Kündigungswunsch wegen Preis. Halteangebot {new_tariff} mit 20 % Rabatt "
                "angenommen.",
                "Wollte kündigen, nach Beratung Tarif gewechselt auf {new_tariff}.",
            ),
            "en": ("Wanted to cancel over price. Accepted retention offer {new_tariff}.",),
        },
    },
}

TEXTS["sale"] = {
    "call_note": {
        "de": (
            "Neukunde: {tariff} abgeschlossen, Lieferung der SIM in 2-3 Tagen.",
            "Beratung und Abschluss {tariff}, Rufnummernmitnahme beauftragt.",
            "Interessent fragt nach {tariff} mit Smartphone, Bestellung aufgenommen.",
        ),
        "en": (
            "New customer: signed {tariff}, SIM delivered in 2-3 days.",
            "Advice and sign-up for {tariff}, number porting requested.",
        ),
    },
}
TEXTS["sim_activation"] = {
    "call_note": {
        "de": (
            "SIM-Karte lässt sich nicht aktivieren, Aktivierung manuell angestoßen.",
            "eSIM-QR-Code funktioniert nicht, neuer Code per E-Mail versendet.",
            "Rufnummernmitnahme hängt, alter Anbieter hat noch nicht freigegeben. {kunde} "
            "ungeduldig.",
        ),
        "en": (
            "SIM cannot be activated, triggered activation manually.",
            "eSIM QR code doesn't work, sent a new code by e-mail.",
        ),
    },
    "chat": {
        "de": (
            "Kunde: Meine neue SIM geht nicht, kein Netz.\n{agent}: Ich aktiviere sie manuell, "
            "bitte starten Sie das Handy in 10 Minuten neu.\nKunde: Geht jetzt, danke!",
        ),
        "en": (
            "Customer: My new SIM doesn't work, no signal.\n{agent}: I'm activating it "
            "manually, please restart your phone in 10 minutes.\nCustomer: Works now, thanks!",
        ),
    },
}
TEXTS["complaint_followup"] = {
    "call_note": {
        "de": (
            "Rückruf zur Beschwerde: Sachverhalt geklärt, Gutschrift über {amount} EUR gewährt. "
            "{kunde} nimmt die Entschuldigung an.",
            "Beschwerde bearbeitet, {kunde} telefonisch informiert. Ursache behoben, "
            "Kulanzgutschrift erteilt.",
            "Rückruf Beschwerdemanagement: {kunde} nicht erreicht, Nachricht hinterlassen.",
            "Beschwerde besprochen. {kunde} weiterhin unzufrieden, erwägt Kündigung.",
        ),
        "en": (
            "Call back about the complaint: resolved, credited {amount} EUR. Customer accepted "
            "the apology.",
            "Complaint handled, customer informed by phone. Cause fixed, goodwill credit given.",
        ),
    },
}
TEXTS["app_login"]["call_note"] = {
    "de": (
        "{kunde} kommt nicht mehr in die App, Passwort zurückgesetzt, Login funktioniert.",
        "App stürzt beim Öffnen der Rechnungen ab. Hinweis auf App-Update gegeben.",
        "Zwei-Faktor-Code kommt nicht an, hinterlegte Rufnummer korrigiert.",
    ),
    "en": (
        "Customer locked out of the app, reset the password, login works.",
        "App crashes when opening invoices. Advised to update the app.",
    ),
}
TEXTS["generic"] = {
    "social": {
        "de": (
            "@lindenfunk ich warte seit Tagen auf eine Lösung. Echt enttäuschend.",
            "Wieder niemand erreichbar bei @lindenfunk. Muss man erst twittern, damit sich was "
            "tut?",
            "Bei @lindenfunk erzählt man jedem Mitarbeiter alles von vorn.",
        ),
        "en": (
            "@lindenfunk I've been waiting for days for a fix. Really disappointing.",
            "Had to explain everything again to every agent at @lindenfunk.",
        ),
    },
}
TEXTS["dsl_outage"]["email_in"] = {
    "de": (
        "mein Internetanschluss ({tariff}) funktioniert seit gestern nicht mehr. Die HomeBox "
        "zeigt keine Verbindung. Ich brauche das Internet dringend für die Arbeit.",
        "das Internet ist ständig weg, mehrmals am Tag. Statt {speed} Mbit/s kommen nur noch "
        "ein paar Mbit/s an.",
    ),
    "en": (
        "my internet ({tariff}) stopped working yesterday. The router shows no connection. I "
        "need it urgently for work.",
    ),
}
TEXTS["device_defect"]["email_in"] = {
    "de": (
        "das Display meines {device} ist nach einem Sturz gesprungen. Ist das über den Vertrag "
        "versichert?",
        "der Akku meines {device} hält keinen Tag mehr. Das Gerät ist gerade ein Jahr alt.",
    ),
    "en": ("the battery of my {device} doesn't last a day anymore. It's only a year old.",),
}
TEXTS["sim_activation"]["email_in"] = {
    "de": (
        "meine neue SIM-Karte ist angekommen, aber ich habe immer noch kein Netz. Was muss ich "
        "tun?",
        "der QR-Code für die eSIM funktioniert nicht. Bitte schicken Sie mir einen neuen.",
    ),
    "en": ("my new SIM arrived but I still have no signal. What do I need to do?",),
}

# Agents' notes when a customer calls again about a problem the last contact did not solve.
TEXTS["billing_complaint"]["repeat_note"] = {
    "de": (
        "{kunde} ruft erneut wegen der Rechnung an: die zugesagte Gutschrift über {amount} € ist "
        "nicht gebucht. Sehr verärgert, fühlt sich vertröstet.",
        "Zweiter Anruf zur falschen Rechnung. Vorgang aus dem letzten Gespräch nicht "
        "auffindbar, musste alles noch einmal erklären. {kunde} denkt über Kündigung nach.",
    ),
    "en": (
        "Customer calls again about the invoice: the promised credit of {amount} has not been "
        "booked. Very annoyed, feels fobbed off.",
    ),
}
TEXTS["dsl_outage"]["repeat_note"] = {
    "de": (
        "Erneute Störungsmeldung: Anschluss ({tariff}) läuft immer noch nicht stabil. "
        "Technikertermin aus dem letzten Gespräch kam nicht zustande. {kunde} sehr verärgert.",
        "{kunde} meldet sich zum dritten Mal: Internet bricht weiter ab, Ticket noch offen. "
        "Droht mit Kündigung.",
    ),
    "en": (
        "Customer reports the outage again: the connection ({tariff}) is still not stable. "
        "The technician appointment never happened. Very annoyed.",
    ),
}
TEXTS["network"]["repeat_note"] = {
    "de": (
        "Erneuter Anruf wegen schlechtem Empfang in {city}. Die Netzprüfung vom letzten Mal hat "
        "nichts ergeben, Problem besteht weiter. {kunde} unzufrieden.",
        "{kunde} ruft wieder wegen Funklöchern an: keine Besserung seit der letzten Meldung. "
        "Fragt nach Sonderkündigungsrecht.",
    ),
    "en": (
        "Customer calls again about poor reception in {city}. Last network check found "
        "nothing, the problem goes on. Unhappy.",
    ),
}
TEXTS["device_defect"]["repeat_note"] = {
    "de": (
        "Nachfrage zur Reparatur des {device}: Gerät immer noch nicht zurück, kein Leihgerät. "
        "{kunde} verärgert.",
        "Zweiter Anruf zum defekten {device}: Reparatur abgelehnt, {kunde} sieht das nicht ein.",
    ),
    "en": (
        "Customer asks about the {device} repair again: still not back, no loan phone. Annoyed.",
    ),
}

SOCIAL_REPLIES = {
    "de": (
        "Hallo {first}, das tut uns leid! Schick uns bitte eine DM mit deiner Kundennummer, "
        "wir kümmern uns. ^{initials}",
        "Hi {first}, danke für den Hinweis. Wir schauen uns das sofort an. ^{initials}",
        "Danke für dein Lob, {first}! Wir geben es ans Team weiter. ^{initials}",
    ),
    "en": (
        "Hi {first}, sorry to hear that! Please DM us your customer number and we'll sort it "
        "out. ^{initials}",
        "Thanks for letting us know, {first}. We're looking into it. ^{initials}",
    ),
}

# Replies the service sends. Good ones greet personally and refer to the request; the weak ones
# (generic salutation, no reference) are what the e-mail answer story checks for.
REPLIES: dict[str, dict[str, tuple[str, ...]]] = {
    "good": {
        "de": (
            "{anrede},\n\nvielen Dank für Ihre Nachricht zu {subject}. {answer}\n\nWenn noch "
            "etwas offen ist, antworten Sie einfach auf diese E-Mail.\n\nFreundliche Grüße\n"
            "{agent}, Lindenfunk Kundenservice",
            "{anrede},\n\ndanke, dass Sie sich wegen {subject} gemeldet haben. {answer}\n\n"
            "Viele Grüße\n{agent}",
        ),
        "en": (
            "{anrede},\n\nthank you for your message about {subject}. {answer}\n\nIf anything "
            "is still unclear, just reply to this e-mail.\n\nKind regards\n{agent}, Lindenfunk "
            "customer service",
        ),
    },
    "apology": {
        "de": (
            "{anrede},\n\nes tut mir leid, dass Sie Ärger mit {subject} hatten. {answer}\n\n"
            "Viele Grüße\n{agent}",
            "{anrede},\n\nvielen Dank für Ihre Nachricht zu {subject}, und entschuldigen Sie "
            "bitte die Unannehmlichkeiten. {answer}\n\nFreundliche Grüße\n{agent}, Lindenfunk "
            "Kundenservice",
        ),
        "en": (
            "{anrede},\n\nI'm sorry you had trouble with {subject}. {answer}\n\nBest regards\n"
            "{agent}",
            "{anrede},\n\nthank you for your message about {subject}, and sorry for the "
            "inconvenience. {answer}\n\nKind regards\n{agent}, Lindenfunk customer service",
        ),
    },
    "weak": {
        "de": (
            "Sehr geehrte Damen und Herren,\n\nvielen Dank für Ihre Anfrage. Wir haben Ihr "
            "Anliegen bearbeitet.\n\nMit freundlichen Grüßen\nIhr Kundenservice",
            "Guten Tag,\n\nbitte beachten Sie unsere FAQ unter lindenfunk.example/hilfe. Dort "
            "finden Sie Antworten auf die häufigsten Fragen.\n\nIhr Lindenfunk-Team",
        ),
        "en": (
            "Dear customer,\n\nthank you for your inquiry. We have processed your request.\n\n"
            "Customer service",
            "Hello,\n\nplease see our FAQ at lindenfunk.example/help for answers to the most "
            "common questions.\n\nYour Lindenfunk team",
        ),
    },
}
# Topics where a good reply starts with an apology.
APOLOGY_TOPICS = frozenset(
    {
        "dropped_calls",
        "network",
        "billing_complaint",
        "hotline_wait",
        "dsl_outage",
        "delivery",
        "app_login",
        "device_defect",
        "sim_activation",
    }
)
CHAT_ANSWERS = {
    "default": {
        "de": "Danke, ich schaue mir das sofort an und kümmere mich.",
        "en": "Thanks, I'm looking into it right away.",
    },
    "praise": {
        "de": "Das freut mich sehr, vielen Dank! Ich gebe es ans Team weiter.",
        "en": "That's great to hear, thank you! I'll pass it on to the team.",
    },
}
REPLY_SUBJECTS = {
    "de": {
        "dropped_calls": "Ihren abbrechenden Anrufen",
        "network": "dem Empfang",
        "billing_question": "Ihrer Rechnung",
        "billing_complaint": "Ihrer Rechnung",
        "hotline_wait": "unserer Erreichbarkeit",
        "praise": "Ihrem Lob",
        "dsl_outage": "Ihrem Internetanschluss",
        "tariff_change": "Ihrem Tarif",
        "delivery": "Ihrer Bestellung",
        "app_login": "unserer App",
        "roaming": "Roaming",
        "general": "Ihrem Anliegen",
        "sim_activation": "Ihrer neuen SIM-Karte",
        "device_defect": "Ihrem Smartphone",
    },
    "en": {
        "dropped_calls": "your dropped calls",
        "network": "reception",
        "billing_question": "your invoice",
        "billing_complaint": "your invoice",
        "hotline_wait": "our hotline",
        "praise": "your kind words",
        "dsl_outage": "your internet connection",
        "tariff_change": "your tariff",
        "delivery": "your order",
        "app_login": "our app",
        "roaming": "roaming",
        "general": "your request",
        "sim_activation": "your new SIM card",
        "device_defect": "your smartphone",
    },
}
REPLY_ANSWERS = {
    "de": {
        "dropped_calls": "Wir klären das gerade mit dem Hersteller und melden uns spätestens "
        "morgen telefonisch bei Ihnen.",
        "network": "An Ihrem Wohnort bauen wir das Netz in den nächsten Monaten aus. Bis dahin "
        "hilft WLAN-Call, den wir für Sie aktiviert haben.",
        "billing_question": "Die Abweichung kommt von nachgebuchtem Datenvolumen. Eine "
        "Aufstellung finden Sie im Kundenportal.",
        "billing_complaint": "Wir haben die Rechnung geprüft und Ihnen den zu viel berechneten "
        "Betrag gutgeschrieben. Er wird mit der nächsten Rechnung verrechnet.",
        "hotline_wait": "Wir haben zusätzliche Mitarbeitende eingestellt; über den Rückruf-Service "
        "müssen Sie nicht mehr warten.",
        "praise": "Wir haben Ihr Lob an das Team weitergegeben.",
        "dsl_outage": "Ein Techniker kommt am vereinbarten Termin zu Ihnen; die Tage ohne "
        "Internet schreiben wir Ihnen gut.",
        "tariff_change": "Der Wechsel ist zum nächsten Monat eingeplant.",
        "delivery": "Ihr Paket ist unterwegs und kommt morgen an.",
        "app_login": "Ein Update der App behebt den Fehler; bitte aktualisieren Sie die App.",
        "roaming": "Die Preise finden Sie in der App unter Tarifoptionen; ein Tagespaket kostet "
        "4,99 EUR.",
        "general": "Wir haben Ihre Daten geändert.",
        "sim_activation": "Wir haben Ihre SIM-Karte manuell aktiviert; nach einem Neustart des "
        "Telefons ist sie einsatzbereit.",
        "device_defect": "Bringen Sie das Gerät bitte in einen unserer Shops; wir schicken es zur "
        "Reparatur ein und Sie bekommen so lange ein Ersatzgerät.",
    },
    "en": {
        "dropped_calls": "We are checking this with the manufacturer and will call you back by "
        "tomorrow at the latest.",
        "network": "We are upgrading the network in your area in the coming months. Until then, "
        "Wi-Fi calling (now active for you) will help.",
        "billing_question": "The difference comes from extra data you booked. You can find a "
        "breakdown in the customer portal.",
        "billing_complaint": "We checked the invoice and credited the amount charged in error. "
        "It will be offset against your next invoice.",
        "hotline_wait": "We have hired more staff; with our call-back service you no longer need "
        "to wait.",
        "praise": "We have passed your kind words on to the team.",
        "dsl_outage": "A technician will visit on the agreed date; we will credit the days "
        "without internet.",
        "tariff_change": "The change is scheduled for next month.",
        "delivery": "Your parcel is on its way and will arrive tomorrow.",
        "app_login": "An app update fixes the error; please update the app.",
        "roaming": "You can find the prices in the app under tariff options; a day pass costs "
        "4.99 EUR.",
        "general": "We have updated your details.",
        "sim_activation": "We have activated your SIM manually; after restarting your phone it "
        "is ready to use.",
        "device_defect": "Please bring the device to one of our shops; we will send it in for "
        "repair and lend you a replacement in the meantime.",
    },
}

EMAIL_SUBJECTS = {
    "order_confirmation": {
        "de": "Ihre Bestellung {order} bei Lindenfunk",
        "en": "Your Lindenfunk order {order}",
    },
    "welcome": {
        "de": "Willkommen bei Lindenfunk, {first}!",
        "en": "Welcome to Lindenfunk, {first}!",
    },
    "invoice": {"de": "Ihre Rechnung für {month}", "en": "Your invoice for {month}"},
    "tariff_change": {
        "de": "Ihr Tarifwechsel zu {new_tariff}",
        "en": "Your change to {new_tariff}",
    },
}
NEWSLETTER_SUBJECTS = {
    "de": (
        "Neu: Tarif L jetzt mit 5G+",
        "Nur diese Woche: Smartphone Modell Z zum Aktionspreis",
        "Sommer-Roaming: Tipps für den Urlaub",
        "Ihr Vorteil als Bestandskunde",
        "Glasfaser kommt in Ihre Region",
        "Doppeltes Datenvolumen für drei Monate",
    ),
    "en": (
        "New: Tarif L now with 5G+",
        "This week only: Smartphone Modell Z on offer",
        "Summer roaming tips",
        "Your benefit as an existing customer",
    ),
}
