"""Phone numbers (type ``PHONE``), checked with Google's libphonenumber (PyPI ``phonenumbers``).

A loose pattern finds candidates: digits with spaces, dots, dashes, slashes and brackets, an
optional ``+`` or ``00`` country prefix, an optional extension (``x123``, ``ext. 12``). Then:

- with a country prefix (``+44 20 7946 0958``, ``0049 30 123456``, ``+(371) 6907 4391``), the
  number must be a possible number of its country by libphonenumber (length for the country and
  its number type);
- without one, it must be a possible number of one of the hint regions (``regions=``, by default
  ``DEFAULT_REGIONS``, 48 countries) and either follow a phone cue ("call", "phone", "tel",
  "mobile", "Telefon", "numéro", ...: 30 characters before, or 25 after) or be formatted as a
  phone (separators or a trunk ``0`` or ``(``), have 8 digits or more, not start with a year
  (``2026-100``) and be a *valid* number of a hint region.

Candidates never become phones when they are shaped like dates, times, ISBNs or versions, or
right after an order, invoice, reference, ticket, tracking, batch, SKU, serial, account or
customer cue: these are the hard negatives of both evaluation sets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, is_possible_number, is_valid_number

from workbench.traffic._base import Detector, Finder, cue_near, digits

#: Regions tried for numbers written without a country prefix (ISO 3166 alpha-2 codes).
DEFAULT_REGIONS: tuple[str, ...] = tuple(
    "US GB DE FR IT ES NL BE PL SE FI NO DK CZ SK HU RO HR SI EE LV LT BG GR PT AT CH IE TR IN "
    "AU CA MX BR AR CO ID JP CN KR RU UA IL ZA NG PH SG NZ".split()
)

_CANDIDATE = re.compile(
    r"(?<![\w+\-/.,:])"
    r"(?:(?:\+|00) ?\(?\d{1,4}\)?|\+?\(\d{1,5}\)|\d)"  # country prefix, area code in brackets, or a digit
    r"(?:[ .\-/]{0,2}\(?\d+\)?)*"
    r"(?:(?<=\d)|(?<=\)))"
    r"(?: ?(?:x|ext\.?|extn\.?|#) ?\d{1,6})?"
    r"(?![\w\-/]|[.,]\d)"
)
_EXTENSION = re.compile(r" ?(?:x|ext\.?|extn\.?|#) ?\d{1,6}$")
_DATE = re.compile(
    r"\d{1,4}([./\-])\d{1,2}\1\d{1,4}|\d{4}-\d{2}-\d{2}.*|\d{1,2}:\d{2}(?::\d{2})?|97[89][\- ].*"
    r"|(?:19|20)\d{2}[/\-](?:19|20)?\d{2}"  # 2025/2026
)
_YEAR_SERIAL = re.compile(r"(?:19|20)\d{2}[\-/]")
_DOTTED = re.compile(r"0?\d{2,4}(?:\.\d{2,4}){2,4}")  # 415.555.0134, 06.12.34.56.78
_PHONE_CUE = re.compile(
    r"(?i:\b(?:phone|tel|telephone|mobile|mob|cell|call|text|sms|whatsapp|reach|fax|ring|dial|"
    r"telefon|telefonnummer|handy|rufen|anrufen|téléphone|portable|appelez|appeler|numéro|"
    r"teléfono|telefono|telefone|móvil|celular|llámame|llame|cellulare|chiama|bel|mobiel|"
    r"telefonu|numer|puhelin|numero|número|nummer)\b)"
)
_NOT_PHONE_CUE = re.compile(
    r"(?i:\b(?:order|invoice|inv|ref|reference|ticket|case|batch|sku|serial|tracking|po|quote|"
    r"receipt|account|customer|isbn|ean|gtin|upc|version|build|iban|card|ssn|vat|model|code|"
    r"id|pesel|cpf|bsn|nif|cnp|oib|tax|nr\.?|no\.?)\b[ \t#:.]{0,3}(?:number|no\.?|#|nr\.?)?[ \t#:.]{0,3}$)"
)


@lru_cache(maxsize=65536)
def _international_ok(main: str) -> bool:
    number = "+" + main[2:] if main.startswith("00") else main
    try:
        parsed = phonenumbers.parse(number, None)
    except NumberParseException:
        return False
    return bool(is_possible_number(parsed))


@lru_cache(maxsize=65536)
def _national(main: str, regions: tuple[str, ...]) -> tuple[bool, bool]:
    """(possible, valid) for some hint region."""
    possible = False
    for region in regions:
        try:
            parsed = phonenumbers.parse(main, region)
        except NumberParseException:
            continue
        if is_possible_number(parsed):
            if is_valid_number(parsed):
                return True, True
            possible = True
    return possible, False


def _accept(text: str, start: int, end: int, regions: tuple[str, ...]) -> bool:
    cand = text[start:end]
    main = _EXTENSION.sub("", cand)
    n = len(digits(main))
    if not 7 <= n <= 15:
        return False
    if main.startswith(("+", "00")):
        return n >= 8 and _international_ok(main)
    if _DATE.fullmatch(main) or _NOT_PHONE_CUE.search(text, max(0, start - 24), start):
        return False
    seps = {c for c in main if not c.isdigit()}
    cue = cue_near(_PHONE_CUE, text, start, end, before=30, after=25)
    if seps == {"."} and not (cue or _DOTTED.fullmatch(main)):  # 10.0.19045.2965, 48.8566
        return False
    possible, valid = _national(main, regions)
    if not possible:
        return False
    if cue:
        return True
    # Without a cue: 8 digits at least (555-0134 alone is as often a serial) and no year in front
    # (2026-100, 2024-0001-7788 are invoice numbers).
    if n < 8 or _YEAR_SERIAL.match(main):
        return False
    return valid and (bool(seps) or main[0] in "0(")


def phone_finder(regions: tuple[str, ...]) -> Finder:
    def find(text: str) -> Iterator[tuple[int, int]]:
        for m in _CANDIDATE.finditer(text):
            if _accept(text, m.start(), m.end(), regions):
                yield m.span()

    return find


@lru_cache(maxsize=64)
def phone_detectors(regions: tuple[str, ...] = DEFAULT_REGIONS) -> tuple[Detector, ...]:
    """The PHONE detector for numbers without a country prefix read in ``regions``."""
    return (Detector("PHONE", phone_finder(regions), r"[0-9](?:[ ().\-/]{0,2}[0-9]){6}"),)
