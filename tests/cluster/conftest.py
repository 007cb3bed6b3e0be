"""A labelled set of support messages (6 intents, 25 each, varied wording) and toy run tables."""

from __future__ import annotations

import random

import polars as pl
import pytest

GROUPS: dict[str, list[str]] = {
    "refund": [
        "I want my money back for last month",
        "Please reimburse the charge on my card",
        "Can I get a refund for the annual plan?",
        "You billed me twice, return the extra payment",
        "How long until the refunded amount shows on my statement?",
        "I was charged after cancelling and need that reversed",
        "Give me back what I paid, the product never worked",
        "Requesting reimbursement of the duplicate transaction",
        "When will the credit for my returned order arrive?",
        "The payment should be returned to my Visa",
        "I expect a full repayment of the fee",
        "Undo the charge from Tuesday please",
        "My bank shows the money still has not come back",
    ],
    "login": [
        "I forgot my password and cannot sign in",
        "The reset link in the email has expired",
        "My account is locked after too many attempts",
        "Two-factor code never arrives on my phone",
        "I can't log into the dashboard anymore",
        "How do I change the email I use to sign in?",
        "It says invalid credentials although they are right",
        "Single sign-on with Google fails with an error",
        "Locked out of my profile, help me get access again",
        "The authentication page keeps loading forever",
        "Where do I recover my username?",
        "New password is rejected as too weak",
        "Session ends every few minutes and asks me to log in",
    ],
    "shipping": [
        "My parcel has not been delivered yet",
        "The tracking number shows no updates for a week",
        "Where is my package? It was due on Monday",
        "The courier left the box at the wrong address",
        "Can you ship to Canada?",
        "Delivery is late, the order is still in transit",
        "The shipment arrived damaged and crushed",
        "How much is express postage?",
        "The driver said nobody was home but I was",
        "My order status says dispatched but nothing came",
        "Can I change the delivery address after ordering?",
        "Items missing from the box I received",
        "Estimated arrival date keeps moving",
    ],
    "cancel": [
        "How do I end my subscription?",
        "Please close my account permanently",
        "I want to stop the monthly plan",
        "Cancel my membership before the next renewal",
        "Turn off auto-renew for my license",
        "I no longer need the service, terminate it",
        "Unsubscribe me from the premium tier",
        "Delete my profile and all my data",
        "Stop billing me, I am leaving",
        "What happens to my files if I quit the plan?",
        "Downgrade me and then discontinue everything",
        "I would like to opt out of the yearly contract",
        "End the trial so I am not converted to paid",
    ],
    "crash": [
        "The app crashes whenever I open the camera",
        "It freezes on the loading screen",
        "I get a blank white page after the update",
        "The program closes itself when I export a report",
        "Error 500 appears when saving a document",
        "The mobile application keeps force closing",
        "Since version 4.2 everything is extremely slow and hangs",
        "Buttons do nothing and the screen is stuck",
        "The software stopped responding during sync",
        "A bug makes the editor lose my text",
        "Uploading an image throws an unexpected exception",
        "The window goes black and the tool quits",
        "Android build shuts down on startup",
    ],
    "invoice": [
        "I need a copy of my invoice for March",
        "Please add our VAT number to the bill",
        "The company name on the receipt is wrong",
        "Can you send the invoice as a PDF?",
        "Change the billing address printed on my invoices",
        "Where can I download past receipts?",
        "Our accounting team needs an itemized statement",
        "The tax amount on the invoice looks incorrect",
        "Invoices should go to finance@acme.example",
        "Issue the bill in euros instead of dollars",
        "I need the purchase order number on the invoice",
        "Missing invoice for the last quarter",
        "Please correct the legal entity on our billing documents",
    ],
}

OPENERS = ["", "Hi team, ", "Hello, ", "Urgent: ", "Quick question. ", "Good morning! "]
CLOSERS = ["", " Thanks.", " Please help.", " Thank you in advance.", " Regards."]
PER_GROUP = 25


def labelled_set(seed: int = 0) -> tuple[list[str], list[int]]:
    """150 texts (6 groups x 25) and their true group; every core message used once or twice."""
    rng = random.Random(seed)
    texts, labels = [], []
    for g, core in enumerate(GROUPS.values()):
        picks = core + rng.sample(core, PER_GROUP - len(core))
        seen = set()
        for msg in picks:
            while True:
                text = f"{rng.choice(OPENERS)}{msg}{rng.choice(CLOSERS)}"
                if text not in seen:
                    break
            seen.add(text)
            texts.append(text)
            labels.append(g)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [labels[i] for i in order]


@pytest.fixture(scope="session")
def labelled() -> tuple[list[str], list[int]]:
    return labelled_set()


def toy_run() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Results and scores of 2 models x 6 cases; failures: m1 on c1, c2, c5; m2 on c1..c4, c6."""
    outputs = {
        "m1": ["refund refused", "refund refused again", "ok", "ok", "password error", "ok"],
        "m2": ["refund denied", "refund denied", "password locked", "password locked", "ok", "<b>x</b>"],
    }
    passed = {"m1": [False, False, True, True, False, True], "m2": [False, False, False, False, True, False]}
    results, scores = [], []
    for model, outs in outputs.items():
        for i, out in enumerate(outs):
            key = {"run_id": "r", "case_id": f"c{i + 1}", "model": model, "variant": "v", "sample": 0}
            results.append({**key, "output": out})
            ok = passed[model][i]
            scores.append({**key, "metric": "em", "value": float(ok), "passed": ok, "rationale": f"why {i}"})
    return pl.DataFrame(results), pl.DataFrame(scores)
