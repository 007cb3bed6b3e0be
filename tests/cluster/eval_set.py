"""A labelled set with many groups for the quality of automatic k: 50 intents x 60 short texts.

Built for the tests (not from the demo golden set): customer messages of 50 intents across banking,
accounts, orders, software and services, each intent worded six different ways, with greetings,
context details and sign-offs shared by every intent (as real tickets share them). Neighbouring
intents share vocabulary on purpose (refund / double charge / return, password / locked / 2FA, late /
lost / wrong parcel), so the set is not separable by a keyword. Seeded: the same seed, the same texts.

>>> texts, labels = eval_set()       # doctest: +SKIP
>>> len(texts), len(set(labels))     # doctest: +SKIP
(3000, 50)
"""

from __future__ import annotations

import random

INTENTS: dict[str, list[str]] = {
    "refund": [
        "I want a refund for my last purchase",
        "please give me my money back",
        "how do I get reimbursed for the order",
        "when will the refunded amount reach my account",
        "the product was useless so return my payment",
        "I am asking for a full refund",
    ],
    "double_charge": [
        "I was charged twice for the same thing",
        "there are two identical payments on my statement",
        "you took the money two times",
        "a duplicate transaction appeared on my card",
        "the same fee was billed to me again",
        "why do I see the charge twice",
    ],
    "card_declined": [
        "my card was declined at the shop",
        "the payment keeps getting rejected",
        "why does my card not work online",
        "the terminal refused my card",
        "every purchase with my card fails",
        "my card gets denied at checkout",
    ],
    "card_lost": [
        "I lost my card",
        "someone stole my wallet with the card in it",
        "please block my card, it is missing",
        "I cannot find my debit card anywhere",
        "freeze my card, I think it was stolen",
        "my card was taken and I need a new one",
    ],
    "change_pin": [
        "how do I change my PIN",
        "I forgot the PIN of my card",
        "can I set a new PIN code",
        "my PIN is blocked after three wrong tries",
        "where do I see the PIN for the new card",
        "I want a different four digit code",
    ],
    "exchange_rate": [
        "what exchange rate do you use",
        "the currency conversion cost me too much",
        "why was I given a bad rate for euros",
        "how much is the fee for paying in dollars",
        "the rate applied to my foreign purchase looks wrong",
        "do you charge extra to convert currency",
    ],
    "transfer_pending": [
        "my bank transfer is still pending",
        "the money I sent has not arrived",
        "how long does a transfer take",
        "the payment to my friend is stuck",
        "the wire I made yesterday is not showing for the recipient",
        "my transfer says processing for days",
    ],
    "atm_wrong_amount": [
        "the ATM gave me less cash than I asked for",
        "the cash machine did not give out any money but charged me",
        "I withdrew cash and the amount is wrong",
        "the machine kept my banknotes",
        "my account was debited for cash I never got",
        "the withdrawal shows the wrong sum",
    ],
    "top_up_failed": [
        "my top up did not go through",
        "adding money to my balance failed",
        "I tried to load funds and it was rejected",
        "the top up is not showing in my balance",
        "why can I not add money from my card",
        "reloading my wallet keeps failing",
    ],
    "verify_identity": [
        "how do I verify my identity",
        "my ID check was rejected",
        "the app will not accept my passport photo",
        "what documents do you need to confirm who I am",
        "my verification has been under review for a week",
        "the selfie step of the identity check fails",
    ],
    "password_reset": [
        "I forgot my password",
        "the password reset email never arrives",
        "the reset link says it expired",
        "how do I choose a new password",
        "I cannot remember my login password",
        "my new password is not accepted",
    ],
    "two_factor": [
        "the two factor code never comes",
        "I got a new phone and lost my authenticator",
        "the SMS verification code is wrong every time",
        "how do I turn off two step verification",
        "my security code expires before I can type it",
        "I need backup codes for 2FA",
    ],
    "account_locked": [
        "my account is locked",
        "I was blocked after too many sign in attempts",
        "you suspended my profile without a reason",
        "my access was frozen",
        "it says my account is disabled",
        "unlock my account please",
    ],
    "change_email": [
        "how do I change my email address",
        "I want to use a different email for my account",
        "update the contact email on my profile",
        "my old email no longer works, replace it",
        "I need to switch the address you send mail to",
        "can I move my account to a new email",
    ],
    "delete_account": [
        "delete my account",
        "I want all my data erased",
        "how do I permanently remove my profile",
        "close my account forever",
        "wipe everything you store about me",
        "I never want to use this again, remove me",
    ],
    "cancel_subscription": [
        "how do I cancel my subscription",
        "stop my monthly plan",
        "turn off auto renewal",
        "I do not want the membership to renew",
        "end my premium plan at the end of the month",
        "unsubscribe me from the paid tier",
    ],
    "upgrade_plan": [
        "how do I upgrade to the pro plan",
        "I want more storage, which plan should I buy",
        "move me to the business tier",
        "what do I get if I pay for premium",
        "can I switch to the annual plan",
        "compare the plans for me",
    ],
    "invoice_copy": [
        "I need a copy of my invoice",
        "where can I download my receipts",
        "send me the bill for last month as a PDF",
        "I cannot find the invoice for my order",
        "please email me all invoices from this year",
        "my accountant needs the receipts",
    ],
    "invoice_details": [
        "add my VAT number to the invoice",
        "the company name on the bill is wrong",
        "change the billing address on my invoices",
        "the tax on my invoice is incorrect",
        "put our purchase order number on the bill",
        "issue the invoice to our legal entity",
    ],
    "shipping_delay": [
        "my order is late",
        "the parcel should have arrived on Monday",
        "when will my package be delivered",
        "delivery keeps getting postponed",
        "it has been two weeks and nothing arrived",
        "the estimated delivery date has passed",
    ],
    "tracking": [
        "the tracking number does not work",
        "tracking has not updated for days",
        "where can I track my shipment",
        "the courier website does not know my tracking code",
        "tracking says delivered but I have nothing",
        "I never got a tracking link",
    ],
    "damaged_item": [
        "the item arrived broken",
        "my order came damaged",
        "the box was crushed and the product is cracked",
        "the screen was shattered when I opened it",
        "the glass was in pieces inside the package",
        "the product has scratches and dents out of the box",
    ],
    "wrong_item": [
        "you sent me the wrong item",
        "I received a different product than I ordered",
        "the size in the box is not the one I picked",
        "this is not what I bought",
        "I got someone else's order",
        "the colour is wrong, I ordered blue",
    ],
    "return_item": [
        "how do I return an item",
        "I want to send the product back",
        "where do I get a return label",
        "can I return something I bought a month ago",
        "what is your return policy",
        "I dropped off the return, what now",
    ],
    "change_address": [
        "I need to change my delivery address",
        "can you ship to a different address",
        "I moved, update where you send my order",
        "the shipping address on the order is wrong",
        "deliver it to my office instead",
        "can I edit the address after checkout",
    ],
    "international_shipping": [
        "do you ship to Canada",
        "can I order from abroad",
        "which countries do you deliver to",
        "how much is shipping to Australia",
        "are there customs fees for international orders",
        "do you send parcels overseas",
    ],
    "cancel_order": [
        "cancel my order please",
        "I ordered by mistake, stop the order",
        "can I still cancel before it ships",
        "I do not want this order anymore",
        "withdraw the purchase I made today",
        "how do I call off an order I just placed",
    ],
    "out_of_stock": [
        "when will this be back in stock",
        "the item I want is sold out",
        "will you restock the large size",
        "notify me when the product is available again",
        "why is everything out of stock",
        "is the black version coming back",
    ],
    "promo_code": [
        "my discount code does not work",
        "the coupon is rejected at checkout",
        "the promo code says invalid",
        "I forgot to apply my voucher",
        "the sale price was not applied to my order",
        "where do I enter a discount code",
    ],
    "gift_card": [
        "how do I redeem a gift card",
        "my gift card balance is zero",
        "can I buy a gift voucher for a friend",
        "the gift card code is not accepted",
        "how much is left on my gift card",
        "does the gift card expire",
    ],
    "loyalty_points": [
        "my reward points are missing",
        "how do I use my loyalty points",
        "I did not get points for my last purchase",
        "when do my points expire",
        "how many points do I have",
        "the bonus points from the promotion never showed up",
    ],
    "app_crash": [
        "the app crashes when I open it",
        "the application closes by itself",
        "it keeps force closing on my phone",
        "the app stops working after the update",
        "every time I tap the camera it shuts down",
        "the program quits without an error message",
    ],
    "slow_performance": [
        "the app is extremely slow",
        "pages take forever to load",
        "everything lags since last week",
        "the dashboard is so slow it is unusable",
        "searching takes a minute to show results",
        "the site is sluggish on every click",
    ],
    "data_export": [
        "how do I export my data",
        "I need a CSV download of my records",
        "the export file is empty",
        "can I get all my data in a spreadsheet",
        "the export button does nothing",
        "I want a backup of everything in my account",
    ],
    "notifications": [
        "I get too many notifications",
        "how do I turn off push alerts",
        "I do not receive any notifications anymore",
        "stop sending me emails about offers",
        "the reminders come at the wrong time",
        "mute the notification sound",
    ],
    "language_settings": [
        "how do I change the language",
        "the app is showing in German but I want English",
        "can I switch the interface to Spanish",
        "the language resets every time I log in",
        "is the app available in Japanese",
        "some menus are still in French after I changed it",
    ],
    "privacy_request": [
        "what personal data do you keep about me",
        "I want a copy of my data under GDPR",
        "who do you share my information with",
        "how long do you retain my data",
        "I do not consent to tracking cookies",
        "send me your privacy policy",
    ],
    "human_agent": [
        "I want to talk to a real person",
        "connect me to a human agent",
        "can I speak with someone on the phone",
        "this bot is not helping, get me support staff",
        "what is your customer service phone number",
        "is there a live chat with a person",
    ],
    "complaint_staff": [
        "the employee in your store was very rude",
        "I want to complain about the driver",
        "your agent hung up on me",
        "the staff treated me badly",
        "the technician was unprofessional",
        "nobody in the shop wanted to help me",
    ],
    "api_integration": [
        "the API returns 429 too many requests",
        "my API key stopped working",
        "how do I connect your API to our system",
        "the webhook never fires",
        "the API documentation is out of date",
        "I get a 401 unauthorized error from the API",
    ],
    "device_sync": [
        "my data does not sync between phone and laptop",
        "changes on the tablet do not appear on my computer",
        "sync is stuck",
        "my devices show different versions of my files",
        "the desktop app does not sync with the web",
        "how do I sync my account across devices",
    ],
    "file_upload": [
        "I cannot upload my file",
        "the upload fails at ninety percent",
        "the attachment is too large to send",
        "uploading photos gives an error",
        "my document will not upload",
        "what file types can I upload",
    ],
    "bluetooth_pairing": [
        "the headphones will not pair with my phone",
        "bluetooth does not find the device",
        "my speaker keeps disconnecting",
        "how do I connect the watch over bluetooth",
        "pairing fails every time",
        "the earbuds connect to only one side",
    ],
    "battery_drain": [
        "the battery drains very fast",
        "my phone dies in a few hours since the update",
        "the device does not hold a charge",
        "it gets hot and the battery empties",
        "the battery percentage drops suddenly",
        "charging takes all night",
    ],
    "reschedule_appointment": [
        "I need to move my appointment",
        "can I book a different time slot",
        "reschedule my visit to next week",
        "I cannot make it tomorrow, change the date",
        "how do I cancel my booking",
        "is there an earlier appointment available",
    ],
    "warranty_claim": [
        "is my product still under warranty",
        "I want to make a warranty claim",
        "the device broke after six months, will you repair it",
        "how long is the guarantee",
        "do you fix it for free under warranty",
        "where do I send it for repair",
    ],
    "price_match": [
        "another shop sells it cheaper, can you match the price",
        "the price dropped right after I bought it",
        "do you offer price matching",
        "I saw a lower price on your website yesterday",
        "refund the difference now that it is on sale",
        "why is it more expensive in the app",
    ],
    "feature_request": [
        "please add a dark mode",
        "it would be great if I could export to PDF",
        "I have an idea for a new feature",
        "can you add support for multiple users",
        "will you ever add offline mode",
        "I suggest adding keyboard shortcuts",
    ],
    "team_permissions": [
        "how do I invite a colleague to my team",
        "give my coworker admin rights",
        "remove a user from our workspace",
        "my teammate cannot see the shared folder",
        "how do I change someone's role",
        "the invitation email to my colleague never arrived",
    ],
    "calendar_integration": [
        "connect the app to my Google calendar",
        "events do not show up in Outlook",
        "the calendar sync creates duplicate events",
        "meetings appear at the wrong time in my calendar",
        "how do I link my iCloud calendar",
        "the calendar integration stopped working",
    ],
}

OPENERS = [
    "", "", "", "Hi, ", "Hello, ", "Hey there, ", "Good morning, ", "Urgent: ", "Quick question: ",
    "Hi team, ", "Sorry to bother you, ", "Help! ", "Dear support, ",
]  # fmt: skip
DETAILS = [
    "", "", "", "", " since yesterday", " again", " on my phone", " for the third time",
    " after the last update", " this morning", " on my laptop", " for order {n}", " all week",
    " while I was travelling", " on account {n}",
]  # fmt: skip
CLOSERS = [
    "", "", "", ".", "?", ". Thanks.", ". Please help.", ". Any update?", ". This is urgent.",
    ". Thank you in advance.", ", what should I do?", ". Regards.", "!!",
]  # fmt: skip
PER_GROUP = 60


def eval_set(seed: int = 0, per_group: int = PER_GROUP) -> tuple[list[str], list[int]]:
    """``len(INTENTS) * per_group`` distinct texts and their true group (index into INTENTS), shuffled."""
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[int] = []
    seen: set[str] = set()
    for g, cores in enumerate(INTENTS.values()):
        made = 0
        while made < per_group:
            core = cores[made % len(cores)]  # every wording used equally often
            detail = rng.choice(DETAILS).format(n=rng.randint(10_000, 99_999))
            opener = rng.choice(OPENERS)
            if not opener.endswith(", "):  # a sentence starts: capitalised
                core = core[0].upper() + core[1:]
            text = f"{opener}{core}{detail}{rng.choice(CLOSERS)}"
            if text in seen:
                continue
            seen.add(text)
            texts.append(text)
            labels.append(g)
            made += 1
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [labels[i] for i in order]
