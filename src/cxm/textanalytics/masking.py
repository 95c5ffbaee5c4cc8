"""PII masking: e-mail addresses, IBANs, customer numbers, phone numbers and names become
typed placeholders such as ``[EMAIL]``, before any analysis and in every analytical copy."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from cxm.textanalytics.domain import PiiKind

# Lengths of IBANs per country (ISO 13616 registry); unknown codes are not treated as IBANs.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,24}\b"
    r"|(?<!\w)[\w.+-]+\s*[\[(]\s*(?:at|ät)\s*[\])]\s*[\w-]+(?:\s*[\[(]\s*(?:dot|punkt)\s*[\])]\s*\w+)+",
    re.IGNORECASE,
)
# Two letters, two check digits, then 11-30 letters/digits, optionally grouped by single spaces.
_IBAN = re.compile(r"\b([A-Za-z]{2})\s?(\d{2})((?:[ \-]?[A-Za-z0-9]){11,30})\b")

_CUSTOMER_KEYWORD = re.compile(
    r"(?P<kw>\b(?:kunden|vertrags|konto|mitglieds|rechnungs|auftrags|bestell)"
    r"(?:-?nummer|-?nr\.?)"
    r"|\bkd\.?\s?-?nr\.?|\bkundennr\.?|\bvertragsnr\.?"
    r"|\b(?:customer|account|contract|member(?:ship)?|invoice|order)\s+(?:number|no\.?|id|#)"
    r"|\bcust\.?\s?(?:no|id)\.?)"
    r"(?P<sep>\s*(?:[:#]|ist|lautet|is)?\s*)"
    r"(?P<num>[A-Za-z]{0,3}[-/]?\d[\d\-/ ]{3,18}\d)",
    re.IGNORECASE,
)
# Customer numbers in the house format (K + 6-10 digits), also when no keyword precedes them.
_CUSTOMER_NO = re.compile(r"\bK[-\s]?\d{6,10}\b")

_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+/.,-])"
    r"(?:"
    r"(?:\+|00)\d{1,3}[\s\-/.]*(?:\(0\)[\s\-/]*)?(?:\(?\d{1,5}\)?[\s\-/.]*){1,5}\d"
    r"|\(0\d{1,5}\)[\s\-/]*\d(?:[\s\-/]?\d){3,11}"
    r"|0\d{1,5}(?:\s?[\-/]\s?|\s)?\d(?:[\s\-/]?\d){3,11}"
    r"|\(?\d{3}\)?[\s\-.]\d{3}[\s\-.]\d{4}"
    r")"
    r"(?![\w,]|\.\d)"
)
_DATE_LIKE = re.compile(r"^\d{1,4}([./-])\d{1,2}\1\d{1,4}$")
_TIME_OR_AMOUNT_AFTER = re.compile(
    r"^\s*(?:€|eur\b|euro\b|\$|usd\b|chf\b|%|uhr\b|h\b|min\b|km\b)", re.I
)
_AMOUNT_BEFORE = re.compile(r"(?:€|eur|euro|\$|usd|chf)\s*$", re.IGNORECASE)
_PHONE_CONTEXT_BEFORE = re.compile(
    r"(?:tel|telefon|phone|mobil|handy|fax|call|ruf|whatsapp|nummer|number)\w*\.?\s*:?\s*$",
    re.IGNORECASE,
)

_NAME_WORD = r"[A-ZÄÖÜ][a-zäöüßéèáàçñ]+(?:-[A-ZÄÖÜ][a-zäöüßéèáàçñ]+)?"
_PARTICLES: frozenset[str] = frozenset(
    {"von", "van", "de", "der", "zu", "vom", "di", "da", "le", "la"}
)
_PARTICLE = r"(?:von|van|de|der|zu|vom|di|da|le|la)"
_FULL_NAME = rf"(?:{_PARTICLE}\s+)?{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{0,2}}"
_TITLES = r"(?:(?:Dr|Prof|Dipl\.-Ing|Ing|Mag)\.?\s+)*"
_HONORIFIC = re.compile(
    rf"\b(?P<hon>Herrn?|Frau|Hr\.|Fr\.|Mr\.?|Mrs\.?|Ms\.?|Miss|Mx\.?|Dr\.|Prof\.)\s+"
    rf"(?P<titles>{_TITLES})(?P<name>{_FULL_NAME})"
)
_GREETING = re.compile(
    rf"(?:^|(?<=[\n.!?]))\s*(?P<greet>Hallo|Hi|Hey|Moin|Servus|Guten\s+Tag|Liebe[rs]?|Dear|Hello)"
    rf"\s+(?P<name>{_FULL_NAME})\s*(?=[,!\n:]|$)"
)
_SIGN_OFF = re.compile(
    r"(?P<closing>(?:Mit\s+)?(?:freundlichen|besten|herzlichen|vielen|viele|liebe|beste|sonnige)"
    r"\s+Grüßen?|(?:Viele|Liebe|Beste|Herzliche|Freundliche)\s+Grüße|MfG|LG|VG|Gruß|Grüße"
    r"|(?:Best|Kind|Warm)\s+regards|Regards|Best\s+wishes|Sincerely|Cheers|Thanks|Thank\s+you"
    r"|Danke|Vielen\s+Dank)"
    rf"\s*[,!.]?\s*(?:\n\s*|\s+)(?P<name>{_FULL_NAME})\s*$",
    re.MULTILINE,
)
_SELF_INTRO = re.compile(
    rf"\b(?P<intro>[Mm]ein\s+Name\s+ist|[Ii]ch\s+hei(?:ße|sse)|[Mm]y\s+name\s+is|[Tt]his\s+is|"
    rf"[Ii]ch\s+bin\s+(?=(?:{_NAME_WORD})\s+{_NAME_WORD}))\s+(?P<name>{_FULL_NAME})"
)
# Capitalised words after a greeting that are not names.
_NOT_NAMES: frozenset[str] = frozenset(
    w.lower()
    for w in [
        "Team",
        "Support",
        "Service",
        "Kundenservice",
        "Kundendienst",
        "Leute",
        "Zusammen",
        "Alle",
        "Damen",
        "Herren",
        "Sir",
        "Madam",
        "Everyone",
        "All",
        "There",
        "Customer",
        "Kunde",
        "Kundin",
        "Hotline",
        "Bahn",
        "Deutsche",
        "Telekom",
        "Vodafone",
        "Admin",
        "Mitarbeiter",
        "Mitarbeiterin",
        "Kollegen",
        "Kolleginnen",
        "Freunde",
        "Folks",
        "Guys",
        "Sehr",
        "Geehrte",
        "Geehrter",
        "Ihnen",
        "Dir",
        "Euch",
        "Sie",
        "Ich",
        "Wir",
        "Mit",
        "Und",
        "Ihr",
        "Ihre",
        "Thanks",
        "Danke",
        "Morgen",
        "Abend",
        "Tag",
        "Grüße",
        "Gruß",
        "Hallo",
        "Hi",
        "Im",
        "In",
        "Am",
        "Vom",
        "Zum",
        "Beim",
        "Leider",
        "Heute",
        "Gestern",
        "Nochmal",
        "Schon",
        "Jetzt",
    ]
)

# Common given names (German and English): after one of them a second capitalised word is
# taken as the surname; otherwise it may be an ordinary German noun.
FIRST_NAMES: frozenset[str] = frozenset(
    [
        "alexander",
        "alexandra",
        "andrea",
        "andreas",
        "angelika",
        "anja",
        "anna",
        "anne",
        "annika",
        "antje",
        "barbara",
        "bernd",
        "birgit",
        "brigitte",
        "carina",
        "carsten",
        "christa",
        "christian",
        "christiane",
        "christina",
        "christine",
        "christoph",
        "claudia",
        "daniel",
        "daniela",
        "david",
        "dennis",
        "dieter",
        "dirk",
        "doris",
        "elena",
        "elisabeth",
        "emily",
        "emma",
        "erik",
        "eva",
        "fabian",
        "felix",
        "florian",
        "frank",
        "franz",
        "franziska",
        "frieda",
        "friedrich",
        "gabriele",
        "georg",
        "gerhard",
        "gisela",
        "gudrun",
        "günter",
        "hannah",
        "hans",
        "harald",
        "heike",
        "heinz",
        "helga",
        "helmut",
        "herbert",
        "horst",
        "ines",
        "ingrid",
        "jan",
        "jana",
        "jens",
        "jessica",
        "johanna",
        "johannes",
        "jonas",
        "jörg",
        "josef",
        "julia",
        "julian",
        "juliane",
        "jürgen",
        "karin",
        "karl",
        "katharina",
        "kathrin",
        "katrin",
        "kerstin",
        "klaus",
        "kurt",
        "lara",
        "laura",
        "lea",
        "lena",
        "leon",
        "lisa",
        "lukas",
        "manfred",
        "manuela",
        "marc",
        "marco",
        "maria",
        "marie",
        "mario",
        "markus",
        "martin",
        "martina",
        "matthias",
        "max",
        "maximilian",
        "melanie",
        "michael",
        "michaela",
        "mia",
        "monika",
        "nadine",
        "nicole",
        "niklas",
        "nina",
        "norbert",
        "olaf",
        "oliver",
        "patrick",
        "paul",
        "peter",
        "petra",
        "philipp",
        "ralf",
        "ralph",
        "regina",
        "reinhard",
        "renate",
        "rita",
        "robert",
        "roland",
        "rolf",
        "rüdiger",
        "sabine",
        "sandra",
        "sara",
        "sarah",
        "sebastian",
        "silke",
        "simon",
        "simone",
        "sofia",
        "sophie",
        "stefan",
        "stefanie",
        "steffen",
        "stephan",
        "susanne",
        "sven",
        "tanja",
        "thomas",
        "thorsten",
        "tim",
        "tobias",
        "tom",
        "torsten",
        "ursula",
        "ute",
        "uwe",
        "vanessa",
        "volker",
        "walter",
        "werner",
        "wolfgang",
        "yvonne",
        "amanda",
        "amy",
        "andrew",
        "anthony",
        "ashley",
        "barbara",
        "ben",
        "benjamin",
        "betty",
        "brian",
        "carol",
        "charles",
        "chris",
        "daniel",
        "deborah",
        "donald",
        "donna",
        "dorothy",
        "edward",
        "elizabeth",
        "emily",
        "eric",
        "george",
        "helen",
        "jack",
        "james",
        "jane",
        "jason",
        "jennifer",
        "jessica",
        "john",
        "jonathan",
        "joseph",
        "joshua",
        "karen",
        "kevin",
        "kimberly",
        "laura",
        "linda",
        "lisa",
        "margaret",
        "mark",
        "mary",
        "matthew",
        "melissa",
        "michelle",
        "nancy",
        "olivia",
        "patricia",
        "paul",
        "rebecca",
        "richard",
        "robert",
        "ronald",
        "ryan",
        "sam",
        "samantha",
        "sandra",
        "sarah",
        "scott",
        "sharon",
        "stephanie",
        "steven",
        "susan",
        "thomas",
        "timothy",
        "william",
    ]
)

_PLACEHOLDER = "[{}]"
_ANY_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class MaskResult:
    """The masked text and how many spans of each kind were replaced."""

    text: str
    counts: dict[PiiKind, int]


def _iban_ok(country: str, body: str) -> bool:
    expected = IBAN_LENGTHS.get(country.upper())
    return expected is not None and 4 + len(body) == expected


def _mask_ibans(text: str, counts: dict[PiiKind, int]) -> str:
    def repl(m: re.Match[str]) -> str:
        country, rest = m.group(1), m.group(3)
        body = re.sub(r"[ \-]", "", rest)
        if not _iban_ok(country, body):
            # The greedy body may have eaten a following word: retry on exact length.
            expected = IBAN_LENGTHS.get(country.upper())
            if expected is None:
                return m.group(0)
            need = expected - 4
            taken, consumed = 0, 0
            for ch in rest:
                if taken == need:
                    break
                consumed += 1
                if ch not in " -":
                    taken += 1
            tail = rest[consumed:]
            if taken < need or (tail and tail[0].isalnum()):
                return m.group(0)
            counts[PiiKind.IBAN] = counts.get(PiiKind.IBAN, 0) + 1
            return _PLACEHOLDER.format(PiiKind.IBAN) + tail
        counts[PiiKind.IBAN] = counts.get(PiiKind.IBAN, 0) + 1
        return _PLACEHOLDER.format(PiiKind.IBAN)

    return _IBAN.sub(repl, text)


def _looks_like_phone(text: str, m: re.Match[str]) -> bool:
    s = m.group(0)
    digits = sum(ch.isdigit() for ch in s)
    if digits < 6 or digits > 15:
        return False
    compact = s.strip()
    if _DATE_LIKE.match(compact):
        return False
    after = text[m.end() : m.end() + 6]
    before = text[max(0, m.start() - 6) : m.start()]
    if _TIME_OR_AMOUNT_AFTER.match(after) or _AMOUNT_BEFORE.search(before):
        return False
    if compact.startswith(("+", "00", "0", "(")):
        # A bare run of digits starting with 0 is a phone number only when it is long enough.
        return not (compact.isdigit() and digits < 7)
    # US-style 555-123-4567 without a trunk prefix: accept, or any number after a phone cue.
    return bool(re.fullmatch(r"\(?\d{3}\)?[\s\-.]\d{3}[\s\-.]\d{4}", compact)) or bool(
        _PHONE_CONTEXT_BEFORE.search(text[max(0, m.start() - 24) : m.start()])
    )


def _mask_phones(text: str, counts: dict[PiiKind, int]) -> str:
    out: list[str] = []
    last = 0
    for m in _PHONE_CANDIDATE.finditer(text):
        if not _looks_like_phone(text, m):
            continue
        s = m.group(0)
        trailing = len(s) - len(s.rstrip())
        out.append(text[last : m.start()])
        out.append(_PLACEHOLDER.format(PiiKind.PHONE))
        if trailing:
            out.append(s[-trailing:])
        last = m.end()
        counts[PiiKind.PHONE] = counts.get(PiiKind.PHONE, 0) + 1
    out.append(text[last:])
    return "".join(out)


def _name_repl(counts: dict[PiiKind, int], *, anchored: bool) -> Callable[[re.Match[str]], str]:
    def repl(m: re.Match[str]) -> str:
        name = m.group("name")
        words = name.split()
        # German nouns are capitalised: "Frau Müller Rechnung falsch" must keep "Rechnung".
        # Unanchored matches keep a second word only after a known given name.
        if not anchored and len(words) > 1 and words[0].lower() not in FIRST_NAMES:
            cut = 2 if words[0] in _PARTICLES else 1
            while cut < len(words) and words[cut] in _PARTICLES:
                cut += 2
            words = words[: min(cut, len(words))]
        while words and words[-1].lower() in _NOT_NAMES:
            words.pop()
        if not words or words[0].lower() in _NOT_NAMES:
            return m.group(0)
        kept = " ".join(words)
        offset = m.start("name") - m.start()
        whole = m.group(0)
        counts[PiiKind.NAME] = counts.get(PiiKind.NAME, 0) + 1
        return (
            whole[:offset]
            + _PLACEHOLDER.format(PiiKind.NAME)
            + name[len(kept) :]
            + whole[offset + len(name) :]
        )

    return repl


def _mask_names(text: str, counts: dict[PiiKind, int]) -> str:
    loose = _name_repl(counts, anchored=False)
    anchored = _name_repl(counts, anchored=True)
    text = _HONORIFIC.sub(loose, text)
    text = _SELF_INTRO.sub(loose, text)
    text = _GREETING.sub(anchored, text)
    return _SIGN_OFF.sub(anchored, text)


def _mask_customer_numbers(text: str, counts: dict[PiiKind, int]) -> str:
    def kw_repl(m: re.Match[str]) -> str:
        num = m.group("num")
        trailing = len(num) - len(num.rstrip())
        counts[PiiKind.CUSTOMER_NO] = counts.get(PiiKind.CUSTOMER_NO, 0) + 1
        return (
            m.group("kw")
            + m.group("sep")
            + _PLACEHOLDER.format(PiiKind.CUSTOMER_NO)
            + (num[-trailing:] if trailing else "")
        )

    text = _CUSTOMER_KEYWORD.sub(kw_repl, text)

    def repl(m: re.Match[str]) -> str:
        counts[PiiKind.CUSTOMER_NO] = counts.get(PiiKind.CUSTOMER_NO, 0) + 1
        return _PLACEHOLDER.format(PiiKind.CUSTOMER_NO)

    return _CUSTOMER_NO.sub(repl, text)


def _mask_emails(text: str, counts: dict[PiiKind, int]) -> str:
    def repl(m: re.Match[str]) -> str:
        counts[PiiKind.EMAIL] = counts.get(PiiKind.EMAIL, 0) + 1
        return _PLACEHOLDER.format(PiiKind.EMAIL)

    return _EMAIL.sub(repl, text)


def mask_pii(text: str, *, names: bool = True) -> MaskResult:
    """Replace e-mails, IBANs, customer numbers, phone numbers and (detectable) names with
    typed placeholders; dates, times and amounts are left alone."""
    counts: dict[PiiKind, int] = {}
    masked = text
    if "@" in masked or "(at)" in masked.lower() or "[at]" in masked.lower():
        masked = _mask_emails(masked, counts)
    masked = _mask_ibans(masked, counts)
    masked = _mask_customer_numbers(masked, counts)
    if _ANY_DIGIT.search(masked):
        masked = _mask_phones(masked, counts)
    if names:
        masked = _mask_names(masked, counts)
    return MaskResult(text=masked, counts=counts)


def mask(text: str) -> str:
    """The text with all detectable PII replaced by typed placeholders."""
    return mask_pii(text).text
