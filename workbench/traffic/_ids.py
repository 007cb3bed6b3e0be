"""National identity numbers (type ``NATIONAL_ID``), validated with python-stdnum.

Shapes that say "identity number" by themselves are taken wherever they occur, once their
checksum or date holds: US SSN (``ddd-dd-dddd``), UK National Insurance number, French NIR,
Italian codice fiscale, Spanish DNI/NIE, Swiss AHV (``756.dddd.dddd.dd``), Swedish
personnummer, Finnish henkilötunnus, Latvian personas kods, Brazilian CPF (``ddd.ddd.ddd-dd``)
and the Belgian national number (``yy.mm.dd-ddd.dd``).

A bare run of 9 to 13 digits is an order number as often as an id: it is taken only after an id
cue ("BSN", "PESEL", "CPF", "ID number", "tax id", ...) and when one of the checks for its
length holds: Dutch BSN (9), Austrian social-security number (10), Polish PESEL, Brazilian CPF,
Norwegian fødselsnummer, Croatian OIB, Estonian isikukood, Belgian national number (11),
Romanian CNP (13).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from types import ModuleType

from stdnum.at import vnr as at_vnr
from stdnum.be import nn as be_nn
from stdnum.br import cpf as br_cpf
from stdnum.ch import ssn as ch_ssn
from stdnum.ee import ik as ee_ik
from stdnum.es import nie as es_nie
from stdnum.es import nif as es_nif
from stdnum.fi import hetu as fi_hetu
from stdnum.fr import nir as fr_nir
from stdnum.hr import oib as hr_oib
from stdnum.it import codicefiscale as it_cf
from stdnum.lv import pvn as lv_pvn
from stdnum.nl import bsn as nl_bsn
from stdnum.no import fodselsnummer as no_fnr
from stdnum.pl import pesel as pl_pesel
from stdnum.ro import cnp as ro_cnp
from stdnum.se import personnummer as se_pnr

from workbench.traffic._base import Detector, cue_near, regex_finder


def _any(*modules: ModuleType) -> Callable[[str], bool]:
    def ok(s: str) -> bool:
        return any(m.is_valid(s) for m in modules)

    return ok


def insee_ok(s: str) -> bool:
    """French NIR (INSEE number): 15 characters, 2A/2B for Corsica, its mod-97 key."""
    return bool(fr_nir.is_valid(s))


def _ssn_ok(s: str) -> bool:
    # Not stdnum's us.ssn: it also rejects the SSNs printed in adverts and on sample cards
    # (078-05-1120, 219-09-9999), which people still type as theirs.
    d = "".join(c for c in s if c.isdigit())
    area, group, serial = d[:3], d[3:5], d[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _nino_ok(s: str) -> bool:
    return s[:2].upper() not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ")


_W = r"(?<![\w\-.])"  # not inside a longer token
_E = r"(?![\w\-]|[.,]\d)"
_SSN = _W + r"\d{3}([\- ])\d{2}\1\d{4}" + _E
_NINO = r"(?<![\w])[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])"
_NIR = _W + r"[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}" + _E
_OMO = "[0-9LMNPQRSTUV]"
_CODICE = rf"(?<![\w])[A-Z]{{6}}{_OMO}{{2}}[A-EHLMPRST]{_OMO}{{2}}[A-Z]{_OMO}{{3}}[A-Z](?![\w])"
_NIF = r"(?<![\w\-])(?:\d{8}|[XYZ]-?\d{7})-?[A-Z](?![\w\-])"
_AHV = _W + r"756\.?\d{4}\.?\d{4}\.?\d{2}" + _E
_DATE_SERIAL = _W + r"(?:\d{6}|(?:19|20)\d{6})[\-+A-FU-Y]\d{3,5}[0-9A-Y]?" + _E  # se, fi, lv
_CPF = _W + r"\d{3}\.\d{3}\.\d{3}-\d{2}" + _E
_BE = _W + r"\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}" + _E
_BARE = _W + r"\d{9,13}" + _E

_ID_CUE = re.compile(
    r"(?i:\b(?:ssn|social security|national (?:id|identity|insurance)|id(?:entity)?(?: number| no\.?| card|:)|"
    r"tax id|tin|personal (?:id|code|number)|bsn|pesel|cpf|nif|nie|dni|cnp|oib|egn|personnummer|"
    r"henkilötunnus|hetu|fødselsnummer|cpr|isikukood|personas kods|rijksregisternummer|"
    r"sécurité sociale|nir|insee|codice fiscale|ahv|avs|svnr|sozialversicherungsnummer|"
    r"versicherungsnummer|steuer-?id|identification)\b)"
)
_BY_LENGTH = {
    9: (nl_bsn,),
    10: (at_vnr,),
    11: (pl_pesel, br_cpf, no_fnr, hr_oib, ee_ik, be_nn),
    13: (ro_cnp,),
}


def _bare_with_cue(text: str) -> Iterator[tuple[int, int]]:
    for m in re.finditer(_BARE, text):
        modules = _BY_LENGTH.get(len(m.group()))
        if modules and cue_near(_ID_CUE, text, m.start(), m.end(), before=40):
            if any(mod.is_valid(m.group()) for mod in modules):
                yield m.span()


NATIONAL_ID_DETECTORS: tuple[Detector, ...] = (
    Detector("NATIONAL_ID", regex_finder(_SSN), r"[0-9]{3}[\- ][0-9]{2}[\- ][0-9]{4}", _ssn_ok),
    Detector("NATIONAL_ID", regex_finder(_NINO), r"[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]", _nino_ok),
    Detector(
        "NATIONAL_ID",
        regex_finder(_NIR),
        r"[12] ?[0-9]{2} ?[0-9]{2} ?(?:[0-9]{2}|2[AB]) ?[0-9]{3} ?[0-9]{3}",
        insee_ok,
    ),
    Detector("NATIONAL_ID", regex_finder(_CODICE), r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z]", _any(it_cf)),
    Detector("NATIONAL_ID", regex_finder(_NIF), r"[0-9]{7}-?[A-Z]", _any(es_nif, es_nie)),
    Detector("NATIONAL_ID", regex_finder(_AHV), r"756\.?[0-9]{4}\.?[0-9]{4}", _any(ch_ssn)),
    Detector(
        "NATIONAL_ID",
        regex_finder(_DATE_SERIAL),
        r"[0-9]{6}[\-+A-FU-Y][0-9]{3}",
        _any(se_pnr, fi_hetu, lv_pvn),
    ),
    Detector("NATIONAL_ID", regex_finder(_CPF), r"[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}", _any(br_cpf)),
    Detector("NATIONAL_ID", regex_finder(_BE), r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}-[0-9]{3}", _any(be_nn)),
    Detector("NATIONAL_ID", _bare_with_cue, r"[0-9]{9}", None),
)
