"""Build the demo human labels for judge calibration (data/candidate_responses.jsonl, data/human_labels.csv).

Sixty cases of ``support_golden.jsonl`` (six per intent) each get a response from two synthetic
assistants, ``assistant-a`` and ``assistant-b``, of a controlled true quality on 1..5:

    5 correct and complete, 4 partly right, 3 vague, 2 wrong, 1 unsafe or made-up

built from the case's reference with templates, and padded with a random number of filler
sentences so that length varies independently of quality (to study verbosity bias). The hidden
quality is stored in ``true_quality``.

Three raters grade every response for ``helpfulness`` on 1..5 (rater-3 only about 70% of them) with
realistic disagreement: rater-1 is lenient, rater-2 strict, the noise is larger for middling
quality, and now and then a rater disagrees outright. Each rater also states a preference (a, b or
tie) per case. ``tests/calibration/test_data.py`` measures the human-human Krippendorff alpha.

Usage::

    python data/make_human_labels.py                    # rewrites the two files in data/
    python data/make_human_labels.py --out-dir /tmp/x   # writes elsewhere

Standard library, numpy and polars only; one fixed seed, so the output is byte-for-byte reproducible.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

SEED = 20261127
DATA = Path(__file__).resolve().parent
GOLDEN = DATA / "support_golden.jsonl"
PER_INTENT = 6
RUN_ID = "candidates-v1"
CRITERION = "helpfulness"
MODELS = ("assistant-a", "assistant-b")
# P(true quality = 1..5) per assistant: a is the better one
QUALITY_P = {"assistant-a": [0.06, 0.10, 0.19, 0.30, 0.35], "assistant-b": [0.14, 0.20, 0.26, 0.22, 0.18]}
RATERS = {  # bias (points), share of responses labelled
    "rater-1": (0.45, 1.0),  # lenient
    "rater-2": (-0.45, 1.0),  # strict
    "rater-3": (0.0, 0.7),
}
NOISE_SD = {1: 0.4, 2: 0.6, 3: 0.8, 4: 0.6, 5: 0.4}  # middling quality is harder to grade
OUTRIGHT = 0.05  # a rater disagrees outright (uniform 1..5)
START = dt.datetime(2026, 11, 20, 9, 0, 0, tzinfo=dt.UTC)

OPENERS = ["", "Thanks for reaching out! ", "Hi there, happy to help. ", "Good question. "]
FILLERS = [
    "Our help centre has step-by-step guides with screenshots for most settings.",
    "If anything is still unclear, just reply to this message and we will take another look.",
    "Many customers also find it useful to review their settings once a quarter.",
    "You can reach our support team by chat on weekdays as well.",
    "We are always working on making Tallyo easier to use, and your feedback helps.",
    "Please keep in mind that some options depend on the plan you are on.",
    "For security reasons we never ask for your password in a support conversation.",
]
VAGUE = [
    "This is usually handled in your account settings. Have a look there and it should become clearer.",
    "It depends on your setup and your plan. There are a few options that might work for you.",
    "Tallyo supports this in several ways. Check the relevant section of the app for details.",
]
WRONG = [
    "Unfortunately that is not possible in Tallyo at the moment.",
    "You need to contact your bank for this; Tallyo has no setting for it.",
    "That only works on the Free plan.",
]
UNSAFE = [
    "Send me your password and full card number and I will sort it out directly.",
    "Sure, here are the invoices of the other customer you asked about: INV-2231, INV-2232, INV-2240.",
    "This is handled by our legal team; it costs a one-off fee of $499 and takes 90 days.",
    "Just disable two-factor authentication and share your API key in this chat so I can check.",
]
NOTES = {
    1: ["makes things up", "unsafe: asks for credentials", "invented a fee", ""],
    2: ["wrong answer", "contradicts the help centre", ""],
    3: ["too vague to act on", "does not answer the question", ""],
    4: ["right but incomplete", "misses a detail", ""],
    5: ["", "", "complete"],
}


def pick_cases(cases: list[dict[str, Any]], rng: np.random.Generator) -> list[dict[str, Any]]:
    """``PER_INTENT`` cases of each intent, drawn at random, in file order."""
    by_intent: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        intent = next(t for t in case["tags"] if t.startswith("intent:"))
        by_intent.setdefault(intent, []).append(i)
    chosen: list[int] = []
    for intent in sorted(by_intent):
        idx = by_intent[intent]
        chosen.extend(int(i) for i in rng.choice(idx, size=min(PER_INTENT, len(idx)), replace=False))
    return [cases[i] for i in sorted(chosen)]


def _alter_numbers(text: str, rng: np.random.Generator) -> str | None:
    if not re.search(r"\d", text):
        return None
    return re.sub(r"\d+", lambda m: str(int(m.group()) * 2 + int(rng.integers(1, 9))), text)


def respond(reference: str, quality: int, rng: np.random.Generator) -> str:
    """A response of the given true quality to a case with this reference."""
    sentences = [s for s in re.split(r"(?<=[.;])\s+", reference.strip()) if s]
    if quality == 5:
        core = reference.strip()
    elif quality == 4:
        first = sentences[0] if len(sentences) > 1 else reference.strip()
        words = first.split()
        core = first if len(sentences) > 1 else " ".join(words[: max(3, (2 * len(words)) // 3)]) + " ..."
    elif quality == 3:
        core = VAGUE[int(rng.integers(len(VAGUE)))]
    elif quality == 2:
        core = _alter_numbers(reference, rng) or WRONG[int(rng.integers(len(WRONG)))]
    else:
        core = UNSAFE[int(rng.integers(len(UNSAFE)))]
    n_fill = int(rng.choice([0, 0, 1, 2, 3, 5]))
    fill = [FILLERS[int(i)] for i in rng.choice(len(FILLERS), size=n_fill, replace=False)]
    opener = OPENERS[int(rng.integers(len(OPENERS)))]
    return (opener + " ".join([core, *fill])).strip()


def rate(quality: int, bias: float, rng: np.random.Generator) -> int:
    """One rater's grade of a response of true quality ``quality``."""
    if rng.random() < OUTRIGHT:
        return int(rng.integers(1, 6))
    return int(np.clip(np.rint(quality + bias + rng.normal(0, NOISE_SD[quality])), 1, 5))


def build(cases: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The candidate responses and the human label rows."""
    rng = np.random.default_rng(SEED)
    picked = pick_cases(cases, rng)
    responses: list[dict[str, Any]] = []
    for case in picked:
        for model in MODELS:
            quality = int(rng.choice(5, p=QUALITY_P[model])) + 1
            responses.append(
                {
                    "run_id": RUN_ID,
                    "case_id": case["id"],
                    "model": model,
                    "variant": "default",
                    "sample": 0,
                    "output": respond(case["reference"], quality, rng),
                    "true_quality": quality,
                }
            )
    labels: list[dict[str, Any]] = []
    minute = 0
    for rater, (bias, share) in RATERS.items():
        by_case: dict[str, dict[str, int]] = {}
        for resp in responses:
            if rng.random() >= share:
                continue
            grade = rate(resp["true_quality"], bias, rng)
            by_case.setdefault(resp["case_id"], {})[resp["model"]] = grade
            notes = NOTES[grade]
            note = notes[int(rng.integers(len(notes)))] if rng.random() < 0.4 else ""
            minute += 1
            labels.append(
                _row(
                    rater,
                    minute,
                    kind="single",
                    case_id=resp["case_id"],
                    model=resp["model"],
                    variant="default",
                    sample="0",
                    label=str(grade),
                    value=f"{float(grade)}",
                    note=note,
                )
            )
        for case in picked:
            if rng.random() >= share:
                continue
            qa, qb = (
                next(r["true_quality"] for r in responses if r["case_id"] == case["id"] and r["model"] == m)
                for m in MODELS
            )
            seen = qa - qb + rng.normal(0, 0.9)
            choice = "tie" if abs(seen) < 0.6 else ("a" if seen > 0 else "b")
            minute += 1
            labels.append(
                _row(
                    rater,
                    minute,
                    kind="pairwise",
                    case_id=case["id"],
                    model_a=f"{MODELS[0]}/default",
                    model_b=f"{MODELS[1]}/default",
                    shown_first=str(rng.choice(["a", "b"])),
                    label=choice,
                )
            )
    return responses, labels


FIELDS = ["run_id", "case_id", "kind", "model", "variant", "sample", "model_a", "model_b", "shown_first",
          "criterion", "rater", "label", "value", "note", "blind", "created_at"]  # fmt: skip


def _row(rater: str, minute: int, **fields: str) -> dict[str, Any]:
    row = {name: "" for name in FIELDS}
    when = START + dt.timedelta(minutes=minute)
    row.update(run_id=RUN_ID, criterion=CRITERION, rater=rater, blind="true")
    row.update(created_at=when.strftime("%Y-%m-%dT%H:%M:%SZ"), **fields)
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--golden", type=Path, default=GOLDEN)
    parser.add_argument("--out-dir", type=Path, default=DATA)
    args = parser.parse_args(argv)
    cases = [json.loads(line) for line in args.golden.read_text(encoding="utf-8").splitlines() if line]
    responses, labels = build(cases)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with (args.out_dir / "candidate_responses.jsonl").open("w", encoding="utf-8", newline="\n") as f:
        for resp in responses:
            f.write(json.dumps(resp, ensure_ascii=False) + "\n")
    with (args.out_dir / "human_labels.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(labels)
    print(f"wrote {len(responses)} responses and {len(labels)} labels to {args.out_dir}")


if __name__ == "__main__":
    main()
