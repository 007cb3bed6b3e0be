"""Deterministic, offline PII detectors: a precise finder plus an optional validator each.

Every detector has a precise finder (Python ``re``, may use look-arounds, run on the few texts
that need it) and a ``prefilter`` (a looser Rust-regex superset, run by polars over the whole
column to pick those texts and the detectors worth running on each). A detector's validator (Luhn, mod-97, SSN areas, octet ranges)
only ever sees candidate matches, which are few.

National ids covered (type ``NATIONAL_ID``): US SSN (``ddd-dd-dddd``, areas 000/666/9xx and
zero groups excluded), UK National Insurance number (official prefix rules) and the French
INSEE/NIR social-security number (15 digits, 2A/2B Corsica, checked with its mod-97 key).

Detectors run in ``DETECTORS`` order and a later one never claims a span that overlaps an earlier
finding: EMAIL, IBAN, CREDIT_CARD, NATIONAL_ID, IP_ADDRESS, PHONE, STREET_ADDRESS, PERSON. PERSON
is a first-name list (``_names.py``) plus context rules ("my name is X", "Dear X", "Regards,\nX",
"Name: X", "-- X"); names outside the list and without such context are missed.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, get_args

from workbench.traffic._names import FIRST_NAMES, NOT_SURNAMES

Validator = Callable[[str], bool]
Finder = Callable[[str], Iterator[tuple[int, int]]]


@dataclass(frozen=True)
class Detector:
    """One PII type: its precise pattern, its Rust prefilter and an optional validator."""

    type: str
    find: Finder  # yields candidate (start, end) spans
    prefilter: str
    validate: Validator | None = None


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def luhn_ok(number: str) -> bool:
    """Luhn checksum of the digits in ``number``."""
    total = 0
    for i, c in enumerate(reversed(_digits(number))):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_ok(s: str) -> bool:
    d = _digits(s)
    if not 13 <= len(d) <= 19 or not luhn_ok(d):
        return False
    # Issuer prefixes (Visa, Mastercard, Amex, Diners, Discover, JCB, UnionPay, Maestro): a
    # Luhn-valid order number passes one time in ten, a Luhn-valid one with a card prefix far less.
    two, four = int(d[:2]), int(d[:4])
    return (
        d[0] == "4"
        or 51 <= two <= 55
        or 2221 <= four <= 2720
        or two in (34, 37, 36, 38, 30, 62, 64, 65, 35)
        or d.startswith("6011")
        or two in (50, 56, 57, 58, 63, 67)
    )


_IBAN_LENGTHS = {
    "AD": 24,
    "AT": 20,
    "BE": 16,
    "BG": 22,
    "CH": 21,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "EE": 20,
    "ES": 24,
    "FI": 18,
    "FR": 27,
    "GB": 22,
    "GR": 27,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IS": 26,
    "IT": 27,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MT": 31,
    "NL": 18,
    "NO": 15,
    "PL": 28,
    "PT": 25,
    "RO": 24,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
}


def iban_ok(s: str) -> bool:
    """IBAN length for its country (when known) and the ISO 13616 mod-97 check."""
    iban = s.replace(" ", "").upper()
    want = _IBAN_LENGTHS.get(iban[:2])
    if want is not None and len(iban) != want:
        return False
    if not 15 <= len(iban) <= 34:
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _ssn_ok(s: str) -> bool:
    d = _digits(s)
    area, group, serial = d[:3], d[3:5], d[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def insee_ok(s: str) -> bool:
    """French NIR: sex digit, month 01-12 (or 20+/99 for unknowns), key = 97 - number mod 97."""
    t = s.replace(" ", "").upper()
    if len(t) != 15 or t[0] not in "12":
        return False
    body = t[:13].replace("2A", "19").replace("2B", "18")
    if not body.isdigit() or not t[13:].isdigit():
        return False
    return 97 - int(body) % 97 == int(t[13:])


def _nino_ok(s: str) -> bool:
    prefix = s[:2].upper()
    return prefix not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ")


def _national_ok(s: str) -> bool:
    t = s.replace(" ", "")
    if len(t) == 15:
        return insee_ok(t)
    if t[:2].isalpha():
        return _nino_ok(t)
    return _ssn_ok(t)


def _ipv4_ok(s: str) -> bool:
    parts = s.split(".")
    return all(len(p) == 1 or (p[0] != "0" and int(p) <= 255) for p in parts)


def _ip_ok(s: str) -> bool:
    if ":" not in s:
        return _ipv4_ok(s)
    try:
        ipaddress.IPv6Address(s)
    except ValueError:
        return False
    return s.count(":") >= 2 and sum(c.isalnum() for c in s) >= 3


_SSN_SHAPE = re.compile(r"\d{3}-\d{2}-\d{4}$")


def _phone_ok(s: str) -> bool:
    d = _digits(s)
    if s.startswith("+"):
        return 8 <= len(d) <= 15
    if s.startswith("00"):
        return 11 <= len(d) <= 17
    if _SSN_SHAPE.match(s):  # an SSN that failed its own checks is not a phone either
        return False
    if len(d) < 9 or len(d) > 12:
        return False
    # A bare run of digits is an order number until a separator says otherwise (the context
    # rule in PHONE_CONTEXT catches "call me on 4155550134").
    return any(not c.isdigit() for c in s.strip())


_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}"
_IBAN = r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])"
_CARD = r"(?<![\w\-.+])\d(?:[ \-]?\d){12,18}(?![\w\-]|\.\d)"
_SSN = r"(?<![\w\-])\d{3}([\- ])\d{2}\1\d{4}(?![\w\-])"
_NINO = r"(?<![\w])[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])"
_INSEE = r"(?<![\w])[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?![\w])"
_IPV4 = r"(?<![\w.])(?<!version )(?<!build )(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)"
_IPV6 = r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])"
_PHONE = (
    r"(?<![\w+\-/.])(?:"
    r"(?:\+|00)\d{1,3}(?:[ .\-]?\(0?\d{1,4}\)|[ .\-]?\d{1,5}){1,6}"  # international
    r"|\(\d{3}\)[ .\-]?\d{3}[ .\-]\d{4}"  # (415) 555-0134
    r"|\(0\d{1,4}\)[ .\-]?\d{3,4}[ .\-]?\d{3,4}"  # (020) 7123 4567
    r"|\d{3}[.\-]\d{3}[.\-]\d{4}|\d{3} \d{3} \d{4}"  # 415-555-0134, 415 555 0134
    r"|0\d{1,4}(?:[ .\-/]\d{2,8}){1,4}"  # national trunk prefix: 020 7946 0958, 06 12 34 56 78
    r"|0\d{9,11}"  # 07700900123 (validated: digits only are rejected unless in context)
    r")(?![\w\-/]|\.\d)"
)
_PHONE_CONTEXT = (
    r"(?i:\b(?:phone|tel|mobile|cell|call|text|whatsapp|reach|fax)\b[^\n\d]{0,20}?)"
    r"(\d{9,12})(?![\w\-])"
)

_STREET_SUFFIX = (
    r"Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Boulevard|Blvd|Drive|Dr|Court|Ct|Place|Pl|Way|"
    r"Terrace|Close|Crescent|Square|Sq|Parkway|Pkwy|Highway|Hwy|Row|Gardens|Mews|Hill"
)
_ADDRESS = (
    r"(?<![\w\-.,/])(?:"
    r"\d{1,5}[A-Za-z]?,? (?:[A-Z][A-Za-z'\-]*\.? ){1,3}(?:" + _STREET_SUFFIX + r")\b"
    r"(?:(?:(?<=St|Rd|Ln|Dr|Ct|Pl|Sq)|(?<=Ave|Hwy)|(?<=Blvd|Pkwy))\.)?"  # "St." keeps its dot
    r"(?:,? (?:Apt|Apartment|Suite|Unit|Flat)\.? ?#?\w{1,5})?"
    r"|\d{1,4}(?:bis|ter)?,? (?i:rue|avenue|boulevard|bd|place|allée|chemin|impasse|quai) "
    r"(?:(?:de la|de l'|des|du|de|d')\s?)?[A-ZÀ-Ý][\wÀ-ÿ'\-]*(?: [A-ZÀ-Ý][\wÀ-ÿ'\-]*){0,2}"
    r"|(?:Calle|Avenida|Plaza|Via|Viale|Piazza) (?:(?:de la|del|de|di) )?[A-ZÀ-Ý][\wÀ-ÿ]*"
    r"(?: [A-ZÀ-Ý][\wÀ-ÿ]*){0,2},? \d{1,4}"
    r"|[A-ZÄÖÜ][a-zäöüß\-]*(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm) \d{1,4}[a-z]?"
    r")"
)
_ADDRESS_PREFILTER = (
    r"[0-9]{1,5}[A-Za-z]?,? (?:[A-Z][A-Za-z'\-]*\.? ){1,3}(?:" + _STREET_SUFFIX + r")"
    r"|[0-9]{1,4}(?:bis|ter)?,? (?i:rue|avenue|boulevard|bd|place|allée|chemin|impasse|quai) "
    r"|(?:Calle|Avenida|Plaza|Via|Viale|Piazza) |(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm) [0-9]"
)

_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_NAME = rf"[{_UPPER}][{_LOWER}]+(?:[\-'][{_UPPER}][{_LOWER}]+)?"
_SURNAME = r"(?:(?:van der|van|von|de la|de|da|del|di|le|la|O'|Mc) ?)?" + _NAME
_FIRST = "|".join(sorted(FIRST_NAMES, key=len, reverse=True))
_CONTEXT_WORDS = (
    r"my name is|my name's|i am called|this is|name:|contact:|from:|attn:?|dear|signed|regards,|"
    r"thanks,|cheers,|best,|sincerely,"
)
_PERSON_CONTEXT = rf"(?:\b(?i:{_CONTEXT_WORDS})|—|--)[ \t]*\n?[ \t]*({_NAME}(?: {_SURNAME}){{0,2}})"
# Rust-regex prefilters: ASCII word boundaries and [0-9], so the lazy DFA never falls back to
# a slower engine on non-ASCII text (a 10x difference on multilingual logs).
_PERSON_CONTEXT_PREFILTER = rf"(?:(?i:{_CONTEXT_WORDS})|—|--)[ \t]*\n?[ \t]*[{_UPPER}][{_LOWER}]"
_PERSON_FIRST_PREFILTER = (  # an ASCII \b cannot sit next to a non-ASCII letter (Émilie, José)
    r"(?-u:\b)(?:"
    + "|".join(sorted(n for n in FIRST_NAMES if n[0].isascii() and n[-1].isascii()))
    + r")(?-u:\b)|"
    + "|".join(sorted(n for n in FIRST_NAMES if not (n[0].isascii() and n[-1].isascii())))
)
_CAP_WORD = re.compile(rf"(?<![\w\-'])[{_UPPER}][{_LOWER}]+(?![\w'])")
_SURNAMES_AFTER = re.compile(rf"(?: {_SURNAME}(?![\w'])){{1,2}}")


def _person_ok(s: str) -> bool:
    first = s.split(" ")[0]
    return first not in NOT_SURNAMES and first.upper() != first


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop trailing tokens that are ordinary capitalised words, not surnames."""
    tokens = text[start:end].split(" ")
    while len(tokens) > 1 and tokens[-1] in NOT_SURNAMES:
        end -= len(tokens.pop()) + 1
    return start, end


def _regex_finder(pattern: str, group: int = 0) -> Finder:
    compiled = re.compile(pattern)

    def find(text: str) -> Iterator[tuple[int, int]]:
        for m in compiled.finditer(text):
            if m.group(group) is not None:
                yield m.span(group)

    return find


def _person_context(text: str) -> Iterator[tuple[int, int]]:
    for start, end in _regex_finder(_PERSON_CONTEXT, 1)(text):
        yield _trim(text, start, end)


def _person_first(text: str) -> Iterator[tuple[int, int]]:
    # A set lookup per capitalised word: Python's re would try every name at every position.
    for m in _CAP_WORD.finditer(text):
        if m.group() in FIRST_NAMES:
            tail = _SURNAMES_AFTER.match(text, m.end())
            yield _trim(text, m.start(), tail.end() if tail else m.end())


def _detector(
    type_: str, pattern: str, prefilter: str, validate: Validator | None = None, group: int = 0
) -> Detector:
    return Detector(type_, _regex_finder(pattern, group), prefilter, validate)


DETECTORS: tuple[Detector, ...] = (
    _detector("EMAIL", _EMAIL, r"@"),
    _detector("IBAN", _IBAN, r"[A-Z]{2}[0-9]{2} ?[A-Z0-9]{4}", iban_ok),
    _detector("CREDIT_CARD", _CARD, r"[0-9](?:[ \-]?[0-9]){12}", _card_ok),
    _detector("NATIONAL_ID", _SSN, r"[0-9]{3}[\- ][0-9]{2}[\- ][0-9]{4}", _national_ok),
    _detector("NATIONAL_ID", _NINO, r"[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]", _national_ok),
    _detector("NATIONAL_ID", _INSEE, r"[12] ?[0-9]{2} ?[0-9]{2} ?(?:[0-9]{2}|2[AB]) ?[0-9]{3}", _national_ok),
    _detector("IP_ADDRESS", _IPV4, r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}", _ip_ok),
    _detector("IP_ADDRESS", _IPV6, r"[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:", _ip_ok),
    _detector("PHONE", _PHONE, r"[0-9](?:[ ().\-/]{0,2}[0-9]){7}", _phone_ok),
    _detector("PHONE", _PHONE_CONTEXT, r"[0-9]{9}", None, group=1),
    _detector("STREET_ADDRESS", _ADDRESS, _ADDRESS_PREFILTER),
    Detector("PERSON", _person_context, _PERSON_CONTEXT_PREFILTER, _person_ok),
    Detector("PERSON", _person_first, _PERSON_FIRST_PREFILTER, _person_ok),
)

PII_TYPES: tuple[str, ...] = tuple(dict.fromkeys(d.type for d in DETECTORS))
#: The PII types, for type checkers (the same names as ``PII_TYPES``, in its order).
PiiType = Literal[
    "EMAIL", "IBAN", "CREDIT_CARD", "NATIONAL_ID", "IP_ADDRESS", "PHONE", "STREET_ADDRESS", "PERSON"
]
assert get_args(PiiType) == PII_TYPES, (get_args(PiiType), PII_TYPES)


def find_spans(text: str, detectors: tuple[Detector, ...] = DETECTORS) -> list[tuple[str, int, int]]:
    """All validated, non-overlapping PII spans in ``text``, earlier detectors winning."""
    taken: list[tuple[str, int, int]] = []
    for det in detectors:
        for start, end in det.find(text):
            if start == end or (det.validate is not None and not det.validate(text[start:end])):
                continue
            if any(s < end and start < e for _, s, e in taken):
                continue
            taken.append((det.type, start, end))
    taken.sort(key=lambda t: t[1])
    return taken
