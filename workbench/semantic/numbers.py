"""The one table of number words, shared by every reader of a question.

``CARDINALS`` are the words that always name a number ("three", "a dozen"). A few readings
depend on where the word stands: an article before a unit of time or a vehicle is one
("a week", "a truck"), and "a couple of" / "a few" are vague counts a time window accepts
("the last few days"). Each reader takes the cardinals plus the readings it allows.
"""

from __future__ import annotations

__all__ = ["ARTICLES", "CARDINALS", "VAGUE_COUNTS"]

CARDINALS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "twenty five": 25, "thirty": 30,
    "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000, "dozen": 12,
}  # fmt: skip
#: "a week", "an hour", "a truck": an article before a unit counts one.
ARTICLES: dict[str, int] = {"a": 1, "an": 1}
#: "a couple of days", "the last few weeks".
VAGUE_COUNTS: dict[str, int] = {"couple of": 2, "few": 3}
