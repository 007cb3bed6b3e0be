"""Name and street gazetteers of many locales, read from Faker's locale providers (PyPI ``faker``).

Faker ships, per locale, the given names, family names and street types its generators use
(``faker.providers.person.<locale>`` and ``faker.providers.address.<locale>``): about 10,000
given names, 14,000 family names and 800 street words for the 35 locales of ``LOCALES``. They
are read once, on first use (about 0.2 s), and kept in memory. Nothing is downloaded.

Given names that are also ordinary English words ("Will", "May", "Grace") are safe here because
the PERSON detector takes a gazetteer name only when a family name from the gazetteer follows
it (or precedes it, as Hungarian writes names); the short hand-picked list in ``_names.py`` is the
one that fires alone.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

from workbench.traffic._names import NOT_SURNAMES

LOCALES: tuple[str, ...] = tuple(
    "en_US en_GB en_IE en_IN en_AU en_NZ en_CA de_DE de_AT de_CH fr_FR fr_CH it_IT es_ES es_MX "
    "es_CO es_AR pt_PT pt_BR nl_NL nl_BE pl_PL sv_SE fi_FI no_NO da_DK cs_CZ sk_SK sl_SI hu_HU "
    "ro_RO hr_HR et_EE lv_LV lt_LT tr_TR id_ID".split()
)
# Capitalised words that are given or family names in some locale but mostly ordinary words in
# support traffic; they never count as a gazetteer name.
_COMMON_WORDS = frozenset(
    """
    Will May Mark Bill Grace June Paris Chase Page Hope Faith Joy Rose Summer Dawn Eve Art Long
    Street Road Bank Post Price Cash Card Pay Sales Support Service Team Office Account Plan Report
    Export Import Data Test Demo New Old Best Good Great Little Young King Love Hall Green Brown
    White Black Gray Grey Wood Field Lane Hill Park Rich Sharp Strong Free Case Bond Money Gold
    Silver Key Lock Box Cross Law Pro Max Star Sun Moon Day Week Year Time Mon Tue Wed Thu Fri Sat
    Sun Jan Feb Mar Apr Jun Jul Aug Sep Oct Nov Dec Ok Api Csv Pdf Vat Iban Visa Via Per
    """.split()
)


def _values(cls: Any, *names: str) -> set[str]:
    out: set[str] = set()
    for name in names:
        value = getattr(cls, name, None)
        if isinstance(value, dict):
            value = list(value)
        if isinstance(value, (list, tuple)):
            out.update(v for v in value if isinstance(v, str))
    return out


def _provider(kind: str, locale: str) -> Any:
    try:
        return importlib.import_module(f"faker.providers.{kind}.{locale}").Provider
    except ImportError:
        return None


def _clean(names: set[str]) -> frozenset[str]:
    return frozenset(
        n
        for n in names
        if len(n) >= 2
        and n[0].isupper()
        and n.replace("-", "").replace("'", "").isalpha()
        and n not in NOT_SURNAMES
        and n not in _COMMON_WORDS
    )


@lru_cache(maxsize=1)
def person_names() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, family names) of every locale in ``LOCALES``."""
    first: set[str] = set()
    last: set[str] = set()
    for locale in LOCALES:
        cls = _provider("person", locale)
        if cls is None:
            continue
        first |= _values(cls, "first_names", "first_names_male", "first_names_female")
        last |= _values(cls, "last_names", "last_names_male", "last_names_female")
    return _clean(first), _clean(last)


@lru_cache(maxsize=1)
def street_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(street types written before the name, after it as a word, glued to it as a suffix)."""
    before: set[str] = set()
    after: set[str] = set()
    glued: set[str] = set()
    for locale in LOCALES:
        cls = _provider("address", locale)
        if cls is None:
            continue
        for word in _values(cls, "street_prefixes", "street_prefixes_long", "street_prefixes_short"):
            word = word.strip()
            if word and not word[-1].isalpha() and word[-1] != ".":
                continue
            if locale == "sv_SE" or locale == "fi_FI":  # their prefixes are name parts, not types
                continue
            before.add(word)
        for word in _values(
            cls, "street_suffixes", "street_suffixes_long", "street_suffixes_short", "street_suffix"
        ):
            word = word.strip()
            if not word or word == "Street" and locale not in ("en_US", "en_GB", "en_AU", "en_NZ", "en_CA"):
                continue
            if len(word) < 2 or " " in word or "{" in word:
                continue
            if word[0].isupper():
                after.add(word)
            elif locale in ("hu_HU", "hr_HR", "cs_CZ", "sk_SK", "pl_PL"):
                after.add(word)  # "Oroszfürdői utca 54", "Ilica ulica 3": a separate lower-case word
            else:
                glued.add(word)
    after |= {"Street", "St", "Road", "Rd", "Avenue", "Ave", "Lane", "Ln", "Drive", "Dr", "Way"}
    return frozenset(before), frozenset(after), frozenset(glued)
