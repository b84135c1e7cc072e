"""Valid-looking 身份证号 and 手机号 for synthetic people.

An ID number is area code (6) + birth date (8) + sequence (3, odd for men) + check
character (ISO 7064 MOD 11-2, as GB 11643 specifies), so the loader's masking and any
format check see real structure.  Uniqueness is by construction, not by remembering what
was issued: person number ``n`` maps through a bijection of the slot space onto a
(birth day, sequence) pair, so a million people need no set of a million strings.

>>> id_check("11010519491231002")
'X'
>>> make_id("350206", 0, True)[-4:-1] in {f"{i:03d}" for i in range(1, 1000, 2)}
True
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Final

__all__ = ["id_check", "make_id", "make_phone"]

_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK: Final = "10X98765432"
_FIRST_BIRTH: Final = date(1950, 1, 1)
_DAYS: Final = (date(2002, 12, 31) - _FIRST_BIRTH).days + 1  # adults only
_SEQS: Final = 499  # sequences per day and sex (001–997 odd, 002–998 even)
_SLOTS: Final = _DAYS * _SEQS
# A multiplier coprime to _SLOTS scatters consecutive people over the birth dates.
_MULT: Final = 2_654_435_761
_PHONE_PREFIXES: Final = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
                          "151", "152", "155", "156", "157", "158", "159", "176", "177", "180",
                          "181", "182", "186", "187", "188", "189", "191", "198", "199")


def id_check(first17: str) -> str:
    """The check character of an 18-digit ID number from its first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def make_id(area: str, n: int, male: bool) -> str:
    """The ID number of person number ``n`` (distinct ``n`` → distinct numbers)."""
    slot = (n * _MULT + 7919) % _SLOTS
    born = _FIRST_BIRTH + timedelta(days=slot // _SEQS)
    seq = (slot % _SEQS) * 2 + (1 if male else 2)
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check(first17)


def make_phone(rng: random.Random) -> str:
    return rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
