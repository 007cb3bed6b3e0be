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
from collections.abc import Iterator
from typing import Literal, get_args

from stdnum import iban as _stdnum_iban

from workbench.traffic._addresses import find_addresses
from workbench.traffic._base import Detector, Validator, digits, regex_finder
from workbench.traffic._gazetteer import person_names
from workbench.traffic._ids import NATIONAL_ID_DETECTORS
from workbench.traffic._names import FIRST_NAMES, NOT_SURNAMES
from workbench.traffic._phones import phone_detectors


def luhn_ok(number: str) -> bool:
    """Luhn checksum of the digits in ``number``."""
    total = 0
    for i, c in enumerate(reversed(digits(number))):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_ok(s: str) -> bool:
    d = digits(s)
    if not 12 <= len(d) <= 19 or not luhn_ok(d):
        return False
    # Issuer prefixes and lengths (ISO/IEC 7812 ranges as the networks publish them): a Luhn-valid
    # order number passes one time in ten, one that also has a network's prefix and length far less.
    return any(d.startswith(p) and len(d) in lengths for p, lengths in _CARD_RANGES)


_CARD_RANGES: tuple[tuple[str, frozenset[int]], ...] = tuple(
    (prefix, frozenset(lengths))
    for prefixes, lengths in (
        (("4",), (13, 16, 19)),  # Visa
        ([str(n) for n in range(51, 56)] + [str(n) for n in range(2221, 2721)], (16,)),  # Mastercard
        (("34", "37"), (15,)),  # American Express
        (("300", "301", "302", "303", "304", "305", "36", "38", "39"), (14, 15, 16, 17, 18, 19)),  # Diners
        (("6011", "644", "645", "646", "647", "648", "649", "65"), (16, 17, 18, 19)),  # Discover
        (("35",), (16, 17, 18, 19)),  # JCB (3528-3589; Faker and some issuers use all of 35)
        (("2131", "1800"), (15,)),  # JCB (15 digits)
        (("62", "81"), (16, 17, 18, 19)),  # UnionPay
        (("50", "56", "57", "58", "6", "0604"), (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro
        (("2200", "2201", "2202", "2203", "2204"), (16, 17, 18, 19)),  # Mir
        (("60", "65", "81", "82", "508", "353", "356"), (16,)),  # RuPay
        (("9792",), (16,)),  # Troy
    )
    for prefix in prefixes
)


def iban_ok(s: str) -> bool:
    """An IBAN by python-stdnum: the mod-97 check and its country's BBAN structure (length, letters).

    stdnum's national BBAN checks (``check_country=True``) are left off: they reject IBANs that
    banks accept, such as the Belgian example ``BE68 5390 0754 7034`` of the hand-written set.
    """
    return bool(_stdnum_iban.is_valid(s, check_country=False))


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


_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}"
_IBAN = r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])"
_CARD = r"(?<![\w\-.+])\d(?:[ \-.]?\d){11,18}(?![\w\-]|[.,]\d)"
_IPV4 = r"(?<![\w.])(?<!(?i:version) )(?<!(?i:build) )(?<!(?i:version is) )(?<![vV])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)"
_IPV6 = r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])"
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


def _person_context(text: str) -> Iterator[tuple[int, int]]:
    for start, end in regex_finder(_PERSON_CONTEXT, 1)(text):
        yield _trim(text, start, end)


def _person_first(text: str) -> Iterator[tuple[int, int]]:
    # A set lookup per capitalised word: Python's re would try every name at every position.
    for m in _CAP_WORD.finditer(text):
        if m.group() in FIRST_NAMES:
            tail = _SURNAMES_AFTER.match(text, m.end())
            yield _trim(text, m.start(), tail.end() if tail else m.end())


_TOKEN = re.compile(r"(?<![\w'\-])[^\W\d_]+(?:['\-][^\W\d_]+)*")
_PARTICLES = frozenset("da de del della di do dos das du van den der von la le Van De Da Di Von Del".split())


def _gazetteer_name(word: str, names: frozenset[str]) -> bool:
    return word in names or ("-" in word and all(p in names for p in word.split("-")))


def _person_gazetteer(text: str) -> Iterator[tuple[int, int]]:
    """Two or more capitalised words: a given name and a family name of Faker's locales, in either order."""
    first, last = person_names()
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    i = 0
    while i < len(tokens):
        start, end, word = tokens[i]
        if not (word[0].isupper() and (word in first or word in FIRST_NAMES or word in last)):
            i += 1
            continue
        run, j = [word], i + 1
        while j < len(tokens) and text[tokens[j - 1][1] : tokens[j][0]] == " ":
            w = tokens[j][2]
            if w in _PARTICLES and j + 1 < len(tokens) and _gazetteer_name(tokens[j + 1][2], last):
                run.append(w)
                j += 1
                continue
            if not w[0].isupper() or not (_gazetteer_name(w, last) or w in first):
                break
            run.append(w)
            j += 1
        given = [k for k, w in enumerate(run) if w in first or w in FIRST_NAMES]
        family = [k for k, w in enumerate(run) if _gazetteer_name(w, last)]
        if given and family and (len(set(given) | set(family)) >= 2):
            yield start, tokens[j - 1][1]
            i = j
        else:
            i += 1


def _detector(
    type_: str, pattern: str, prefilter: str, validate: Validator | None = None, group: int = 0
) -> Detector:
    return Detector(type_, regex_finder(pattern, group), prefilter, validate)


DETECTORS: tuple[Detector, ...] = (
    _detector("EMAIL", _EMAIL, r"@"),
    _detector("IBAN", _IBAN, r"[A-Z]{2}[0-9]{2} ?[A-Z0-9]{4}", iban_ok),
    *NATIONAL_ID_DETECTORS,
    _detector("CREDIT_CARD", _CARD, r"[0-9](?:[ \-.]?[0-9]){11}", _card_ok),
    _detector("IP_ADDRESS", _IPV4, r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}", _ip_ok),
    _detector("IP_ADDRESS", _IPV6, r"[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:", _ip_ok),
    *phone_detectors(),
    _detector("STREET_ADDRESS", _ADDRESS, _ADDRESS_PREFILTER),
    Detector("STREET_ADDRESS", find_addresses, r"[0-9]"),
    Detector("PERSON", _person_context, _PERSON_CONTEXT_PREFILTER, _person_ok),
    Detector("PERSON", _person_first, _PERSON_FIRST_PREFILTER, _person_ok),
    Detector("PERSON", _person_gazetteer, r"\p{Lu}\p{Ll}+ \p{Lu}", _person_ok),
)

#: The PII types, for type checkers (the same names as ``PII_TYPES``, in its order).
PiiType = Literal[
    "EMAIL", "IBAN", "CREDIT_CARD", "NATIONAL_ID", "IP_ADDRESS", "PHONE", "STREET_ADDRESS", "PERSON"
]
#: The PII types in report order (detectors run in ``DETECTORS`` order, national ids before cards).
PII_TYPES: tuple[str, ...] = get_args(PiiType)
assert set(PII_TYPES) == {d.type for d in DETECTORS}


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
