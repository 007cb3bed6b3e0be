"""Street addresses (type ``STREET_ADDRESS``) of many countries, from Faker's street gazetteer.

Four shapes, each needing a house number unless the street type says "street" by itself:

- number, name, street type as a word: ``17 Jones Light``, ``77763 Tony Village Suite 690``
  (the English-speaking locales' 380 street types);
- street type, name, number: ``Calle Mayor 5``, ``Rua Augusta, 274``, ``Jl. Otto Iskandardinata
  No. 266``, ``rue Jomini 796``; French, Polish and Portuguese types also without a number
  (``rue Clémence Samson``);
- a name glued to its street type, number: ``Agnes-Wesack-Straße 26``, ``Stationsgatan 5``,
  ``Willemdreef 162``, ``Saparonkatu 3``, ``Næsbyholm Allé 77``, ``Oroszfürdői utca 54``;
- after an address cue ("address is", "Address:", "Adresse", "dirección", "moved to",
  "ship ... to"): a capitalised name and a number, for countries that write no street type
  (``Koclířova 77``, ``Medveščak 77``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from workbench.traffic._gazetteer import street_words

_UP, _LO = "A-ZÀ-ÖØ-ÞĀ-ŽŠŽ", "a-zß-öø-ÿā-žœ"
_WORD = rf"[{_UP}][{_LO}{_UP}'\-]*\.?"
_PARTICLE = r"(?:de|da|do|dos|das|del|de la|di|du|des|van|von|der|la|le|el|los|las|y|e)"
_NUMBER = r"\d{1,5}[a-zA-Z]?(?:[\-/]\d{1,4}[a-zA-Z]?)?"
_UNIT = r"(?:,? (?:Apt|Apartment|Suite|Unit|Flat|Edif|Depto|Interior|Puerta|Piso|No|Nr|Nº)\.? ?#?\d{1,5}\w?)*"
_STRONG_BEFORE = frozenset(
    "rue chemin avenue boulevard ulica aleja plac Rua Calle Strada Via Viale Jalan Jl. Gg.".split()
)
_CUE = re.compile(
    r"(?i:\b(?:address(?: is)?|adresse|adres|adresa|dirección|direccion|indirizzo|endereço|osoite|"
    r"cím|moved to|ship(?: [\w ]{0,20})? to|deliver(?: [\w ]{0,20})? to|located at|live at|lives at)\b[: ]*)$"
)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], ...]:
    before, after, glued = street_words()
    before = before | {"al.", "ul.", "os.", "Stretto", "Vicolo", "Corso", "Piazzale", "Carrer", "Avinguda"}
    after = after | {"trg", "utca", "út", "Marg", "Nagar"}
    alt = lambda words: "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # noqa: E731
    name = rf"(?:{_WORD}|{_PARTICLE})"
    number_first = re.compile(
        rf"(?<![\w\-.,/])\d{{1,5}}[A-Za-z]?(?:/\d{{1,5}})?,? (?:{_WORD} ){{1,3}}(?:{alt(after)})(?![\w]){_UNIT}"
    )
    type_first = re.compile(
        rf"(?<![\w\-])(?:{alt(before)}) (?:{name} ){{0,4}}{_WORD}(?:,? (?:No\.? |Nr\.? |n\. ?)?{_NUMBER})?{_UNIT}"
    )
    glued_re = re.compile(
        rf"(?<![\w\-])(?:{_WORD}[ \-])?[{_UP}][{_LO}{_UP}\-]*(?i:{alt(glued)})\.?,? {_NUMBER}{_UNIT}(?![\w])"
        rf"|(?<![\w\-])(?:{_WORD} ){{1,2}}(?:{alt(a for a in after if a[0].islower())}) {_NUMBER}\.?"
        rf"|(?<![\w\-])(?:{_WORD} ){{1,2}}(?:Allé|Allee|Gasse|Platz|Ring|Straße|Weg) {_NUMBER}"
    )
    cue_re = re.compile(rf"(?:{_WORD} ){{0,3}}{_WORD},? {_NUMBER}(?![\w\-])")
    return number_first, type_first, glued_re, cue_re


def find_addresses(text: str) -> Iterator[tuple[int, int]]:
    number_first, type_first, glued_re, cue_re = _patterns()
    for m in number_first.finditer(text):
        yield m.span()
    for m in type_first.finditer(text):
        first = m.group().split(" ")[0]
        if any(c.isdigit() for c in m.group()) or first in _STRONG_BEFORE:
            yield m.span()
    for m in glued_re.finditer(text):
        yield m.span()
    for m in cue_re.finditer(text):
        if _CUE.search(text[max(0, m.start() - 30) : m.start()]):
            yield m.span()
