"""Write data/pii_eval.jsonl: a PII evaluation set generated with Faker in 30 locales, with gold spans.

Each line is ``{"id", "locale", "text", "spans": [[type, start, end], ...]}``; ``type`` is one of
workbench's PII types and ``[start, end)`` indexes ``text``. About a fifth of the lines are hard
negatives with no span at all: order and invoice numbers, dates and times in the locale's formats,
amounts, versions, ISBNs, EANs, tracking numbers.

The values are Faker's (names, street addresses, phone numbers, IBANs, e-mails, IPs, cards of
every network, national ids of 18 countries that python-stdnum validates); UnionPay cards and UK
National Insurance numbers, which Faker does not make, are generated here. The sentences around
them are support-desk messages, in English and in a few of the locales' languages, some with a
cue ("my phone is ...") and some without.

The output depends only on the seed and on Faker's version (``pip install faker``); the test
``tests/traffic/test_pii_eval.py`` checks that the committed file has the shape described here.

Regenerate: ``.venv/bin/python data/make_pii_eval.py`` (or ``make data``).
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import datetime
from pathlib import Path

import phonenumbers
from faker import Faker
from stdnum import iban as stdnum_iban

SEED = 20261204
N_PER_LOCALE = 60
OUT = Path(__file__).with_name("pii_eval.jsonl")

LOCALES = (
    "en_US en_GB en_IN en_AU en_CA de_DE de_AT de_CH fr_FR fr_CH it_IT es_ES es_MX pt_PT pt_BR "
    "nl_NL nl_BE pl_PL sv_SE fi_FI no_NO da_DK cs_CZ hu_HU ro_RO hr_HR et_EE lv_LV tr_TR id_ID"
).split()

# The national id each locale's Faker makes that python-stdnum validates (method name, label).
NATIONAL_IDS = {
    "en_US": ("ssn", "SSN"),
    "fr_FR": ("ssn", "numéro de sécurité sociale"),
    "it_IT": ("ssn", "codice fiscale"),
    "es_ES": ("nif", "DNI"),
    "nl_NL": ("ssn", "BSN"),
    "pl_PL": ("ssn", "PESEL"),
    "pt_BR": ("ssn", "CPF"),
    "sv_SE": ("ssn", "personnummer"),
    "fi_FI": ("ssn", "henkilötunnus"),
    "no_NO": ("ssn", "fødselsnummer"),
    "de_AT": ("ssn", "Sozialversicherungsnummer"),
    "de_CH": ("ssn", "AHV-Nummer"),
    "ro_RO": ("ssn", "CNP"),
    "hr_HR": ("ssn", "OIB"),
    "et_EE": ("ssn", "isikukood"),
    "nl_BE": ("ssn", "rijksregisternummer"),
    "lv_LV": ("ssn", "personas kods"),
    "en_GB": ("nino", "National Insurance number"),
}
ID_CUES = ("my {label} is {v}", "{label}: {v}", "ID number {v}", "national id {v}", "tax id {v}")

CARD_TYPES = "amex diners discover jcb15 jcb16 maestro mastercard visa13 visa16 visa19 unionpay".split()

FRAMES: dict[str, tuple[str, ...]] = {
    "EMAIL": (
        "Please send the invoice to {v}.",
        "my login is {v} but the reset mail never arrives",
        "Can you change the account email to {v}?",
        "{v} cannot see the reports",
    ),
    "PHONE": (
        "Call me on {v} please.",
        "my phone number is {v}",
        "You can reach our office at {v} between 9 and 5.",
        "The number on the invoice ({v}) is wrong.",
        "{v} is the mobile for two-factor codes",
        "Tel. {v}",
        "Please update the phone to {v} and keep the rest.",
    ),
    "CREDIT_CARD": (
        "I paid with card {v} twice.",
        "Charge {v} instead of the old one",
        "my card number is {v}, expiry 04/29",
        "The payment on {v} failed again.",
    ),
    "IBAN": (
        "Please refund to IBAN {v}.",
        "Our bank account is {v}",
        "Send the payout to {v} instead.",
    ),
    "IP_ADDRESS": (
        "Logins from {v} are blocked.",
        "whitelist {v} for the API please",
        "The webhook comes from {v}",
    ),
    "PERSON": (
        "My name is {v} and I own the account.",
        "Please add {v} as an accountant.",
        "{v} from our finance team cannot log in.",
        "Thanks,\n{v}",
        "Dear support, this is {v}.",
        "Invoices should be addressed to {v}.",
        "Can {v} see the payroll reports?",
    ),
    "STREET_ADDRESS": (
        "Our new billing address is {v}.",
        "Please ship the card reader to {v}, {city}.",
        "The invoice still shows {v}",
        "We moved to {v} last month.",
        "Address: {v}, {postcode} {city}",
    ),
}
# A few frames in the locales' own languages (the value is what matters; the cue words vary).
LOCAL_FRAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "PHONE": ("Rufen Sie mich unter {v} an.", "Meine Telefonnummer ist {v}"),
        "PERSON": ("Mit freundlichen Grüßen\n{v}", "Bitte fügen Sie {v} als Nutzer hinzu."),
        "STREET_ADDRESS": ("Unsere Adresse: {v}, {postcode} {city}",),
    },
    "fr": {
        "PHONE": ("Appelez-moi au {v}.", "mon numéro est le {v}"),
        "PERSON": ("Cordialement,\n{v}", "Je m'appelle {v}."),
        "STREET_ADDRESS": ("Notre adresse est {v}, {postcode} {city}.",),
    },
    "es": {
        "PHONE": ("Mi teléfono es {v}", "Llámame al {v}."),
        "PERSON": ("Saludos,\n{v}", "Me llamo {v}."),
        "STREET_ADDRESS": ("La dirección es {v}, {city}.",),
    },
    "it": {"PHONE": ("Il mio numero è {v}",), "PERSON": ("Cordiali saluti,\n{v}",)},
    "pt": {"PHONE": ("Meu telefone é {v}",), "PERSON": ("Atenciosamente,\n{v}",)},
    "nl": {"PHONE": ("Bel me op {v}.",), "PERSON": ("Met vriendelijke groet,\n{v}",)},
}

NEGATIVES = (
    "Invoice INV-{y}-{n5} is overdue.",
    "Order #{n8} shipped on {date}.",
    "Due date: {date}",
    "The total was {amount} including VAT.",
    "Version {ver} fixed the export bug.",
    "Tracking number {track}",
    "ISBN {isbn} for the manual",
    "EAN {ean} on the scanner box",
    "Meeting at {time} on {date}",
    "order {y}{n4}-{n4b} still pending",
    "Reference {n4}-{n4b}-{n4c}",
    "We paid {amount} on {date}, receipt {n6}.",
    "customer number {n6} in your system",
    "Quote Q-{y}-{n4} accepted, {amount}",
    "The app version is {ver} build {n4}",
    "Batch {n9} was exported at {time}",
)


def _luhn_digit(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def _unionpay(rng: random.Random) -> str:
    length = rng.choice((16, 17, 18, 19))
    body = "62" + "".join(rng.choice("0123456789") for _ in range(length - 3))
    return body + _luhn_digit(body)


def _nino(rng: random.Random) -> str:
    first, second = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
    while True:
        prefix = rng.choice(first) + rng.choice(second)
        if prefix not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
            break
    digits = "".join(rng.choice("0123456789") for _ in range(6))
    if rng.random() < 0.5:
        digits = f"{digits[:2]} {digits[2:4]} {digits[4:]}"
        return f"{prefix} {digits} {rng.choice('ABCD')}"
    return f"{prefix}{digits}{rng.choice('ABCD')}"


def _group(digits: str, rng: random.Random, card_type: str) -> str:
    sep = rng.choice(("", " ", " ", "-", "-", "."))
    if card_type == "amex" or (card_type == "diners" and len(digits) == 14):
        parts = [digits[:4], digits[4:10], digits[10:]]
    else:
        parts = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return sep.join(parts)


def _phone(fake: Faker, rng: random.Random, region: str) -> str:
    raw = fake.phone_number()
    roll = rng.random()
    if roll < 0.35:
        try:
            parsed = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            return raw
        style = rng.choice(
            (phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164)
        )
        return phonenumbers.format_number(parsed, style)
    return raw


def _value(kind: str, fake: Faker, rng: random.Random, locale: str, cards: Faker) -> tuple[str, str]:
    """One value of ``kind`` and the label a cue may use for it."""
    region = locale.split("_")[1]
    if kind == "EMAIL":
        return rng.choice((fake.email, fake.free_email, fake.company_email))(), ""
    if kind == "PHONE":
        return _phone(fake, rng, region), ""
    if kind == "CREDIT_CARD":
        card_type = rng.choice(CARD_TYPES)
        digits = _unionpay(rng) if card_type == "unionpay" else cards.credit_card_number(card_type)
        return _group(digits, rng, card_type), ""
    if kind == "IBAN":
        iban = fake.iban()
        if not stdnum_iban.is_valid(iban):  # some locales' Faker falls back to a 21-character "GB" IBAN
            iban = cards.iban()
        if rng.random() < 0.5:
            iban = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        return iban, ""
    if kind == "IP_ADDRESS":
        return (fake.ipv4_public() if rng.random() < 0.7 else fake.ipv6()), ""
    if kind == "PERSON":
        return (fake.name() if rng.random() < 0.7 else f"{fake.first_name()} {fake.last_name()}"), ""
    if kind == "STREET_ADDRESS":
        return fake.street_address(), ""
    if kind == "NATIONAL_ID":
        method, label = NATIONAL_IDS[locale]
        return (_nino(rng) if method == "nino" else str(getattr(fake, method)())), label
    raise ValueError(kind)


def _city(fake: Faker, rng: random.Random) -> str:
    # it_IT's city list is built from a set (its order changes with PYTHONHASHSEED): pick from
    # the sorted list of any provider that has one, so the file is the same in every process.
    for provider in fake.get_providers():
        cities = getattr(provider, "cities", None)
        if cities:
            return str(rng.choice(sorted(cities)))
    return str(fake.city())


def _fill(
    frame: str, kind: str, value: str, fake: Faker, rng: random.Random
) -> tuple[str, list[list[object]]]:
    before, after = frame.split("{v}")
    extras = {"city": _city(fake, rng) if "{city}" in frame else "", "postcode": fake.postcode()}
    before, after = before.format(**extras), after.format(**extras)
    return before + value + after, [[kind, len(before), len(before) + len(value)]]


def _negative(fake: Faker, rng: random.Random) -> str:
    def digits(n: int) -> str:
        return str(rng.randrange(10 ** (n - 1), 10**n))

    moment = fake.date_time_between(start_date=datetime(2019, 1, 1), end_date=datetime(2026, 12, 31))
    fields = {
        "y": str(rng.randrange(2019, 2027)),
        "n4": digits(4),
        "n4b": digits(4),
        "n4c": digits(4),
        "n5": digits(5),
        "n6": digits(6),
        "n8": digits(8),
        "n9": digits(9),
        "date": moment.strftime(rng.choice(("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d %B %Y"))),
        "time": moment.strftime(rng.choice(("%H:%M", "%H:%M:%S"))),
        "amount": rng.choice(
            (
                f"${rng.randrange(10, 99999):,}.{rng.randrange(100):02d}",
                f"{rng.randrange(10, 9999)},{rng.randrange(100):02d} €",
                f"€{rng.randrange(1, 99)}.{rng.randrange(100):02d}",
                f"{rng.randrange(1, 999)} {rng.randrange(100, 999)},{rng.randrange(100):02d} EUR",
            )
        ),
        "ver": ".".join(str(rng.randrange(0, 20)) for _ in range(rng.choice((2, 3, 4)))),
        "track": rng.choice(("1Z", "JJD", "")) + digits(rng.choice((12, 16, 18))),
        "isbn": fake.isbn13(),
        "ean": fake.ean13(),
    }
    return rng.choice(NEGATIVES).format(**fields)


def make(seed: int = SEED, n_per_locale: int = N_PER_LOCALE) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    cards = Faker("en_GB")  # every card network and valid GB IBANs: some locales' providers lack them
    cards.seed_instance(seed)
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(rng.randrange(2**31))
        kinds = ["EMAIL", "PHONE", "PHONE", "CREDIT_CARD", "IBAN", "IP_ADDRESS", "PERSON", "PERSON"]
        kinds += ["STREET_ADDRESS", "STREET_ADDRESS"]
        if locale in NATIONAL_IDS:
            kinds += ["NATIONAL_ID", "NATIONAL_ID"]
        local = LOCAL_FRAMES.get(locale.split("_")[0], {})
        for _ in range(n_per_locale):
            if rng.random() < 0.2:
                text, spans = _negative(fake, rng), []
            else:
                kind = rng.choice(kinds)
                value, label = _value(kind, fake, rng, locale, cards)
                if kind == "NATIONAL_ID":
                    frames: tuple[str, ...] = tuple(c.replace("{label}", label) for c in ID_CUES)
                else:
                    frames = FRAMES[kind] + local.get(kind, ())
                text, spans = _fill(rng.choice(frames), kind, value, fake, rng)
                if rng.random() < 0.3:  # a second piece of PII in the same message
                    kind2 = rng.choice([k for k in ("EMAIL", "PHONE", "PERSON") if k != kind])
                    value2, _ = _value(kind2, fake, rng, locale, cards)
                    glue = {"EMAIL": " Mail: ", "PHONE": " Phone: ", "PERSON": " — "}[kind2]
                    start = len(text) + len(glue)
                    text = text + glue + value2
                    spans.append([kind2, start, start + len(value2)])
            rows.append({"id": f"{locale}-{len(rows):05d}", "locale": locale, "text": text, "spans": spans})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    rows = make(args.seed)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
