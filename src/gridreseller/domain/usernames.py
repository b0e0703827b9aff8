"""How usernames are compared: RFC 8265's UsernameCaseMapped profile, full case folding.

Every login (distributor, customer, credential) is kept unique by one key: the
profile's enforced form of its username (width mapping, Unicode default case folding,
NFC, the bidi rule, IdentifierClass characters only). Plain lower-casing is not
enough: it keeps `STRASSE` and `straße` apart, a final sigma from a sigma, the long s
from s and the micro sign from mu.

A new username must also not mix scripts (domain/scripts.py, after UTS #39's highly
restrictive level): `look` spelt with a Greek omicron is refused, `look`, `λόγος`
and `иван` are not. In the email form `user@domain` the local part and each label of
the domain are judged on their own, as IDNA judges labels: `иван@example.com` is one
script per part, while a Greek omicron in the local part or a Cyrillic a in a domain
label of an otherwise Latin address is not.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from precis_i18n import get_profile

from gridreseller.domain.scripts import mixed_scripts

# RFC 8265 prefers Unicode toLowerCase() for this profile's case mapping, and
# precis-i18n's plain "UsernameCaseMapped" does just that; its ":CaseFold" variant
# applies full case folding, which also equates those lower-casing keeps apart.
PROFILE = get_profile("UsernameCaseMapped:CaseFold")

# Width of logins.username_key. A username has at most 100 characters and full case
# folding makes at most three of one (U+FB03 "ﬃ" becomes "ffi"); a name whose key
# would still not fit is refused, so the database never sees one (no 500, and the
# same answer on SQLite, which ignores declared lengths, as on PostgreSQL).
KEY_LENGTH = 300

_INVISIBLE = "must not contain invisible or direction-control characters"
_SPACES = "must not contain spaces"
_NOT_ALLOWED = "must not contain characters that are not allowed in a username"

# precis-i18n raises UnicodeEncodeError with reason "DISALLOWED/<why>". The <why> is a
# derived-property rule (precis_i18n/derived.py), a failed context rule
# (precis_i18n/context.py), or one of the profile's own checks ("empty",
# "not_idempotent", "bidi_rule"). Every other <why> ("symbols", "punctuation",
# "other", "unassigned", "old_hangul_jamo", "exceptions", "middle_dot", ...) means
# the character is not a letter or digit a username may hold.
_BY_REASON = {
    "spaces": _SPACES,
    "precis_ignorable_properties": _INVISIBLE,  # default-ignorable: ZWSP, U+202E, SHY...
    "zero_width_joiner": _INVISIBLE,
    "zero_width_nonjoiner": _INVISIBLE,
    "controls": "must not contain control characters",  # C1; C0 never gets this far
    "has_compat": "must not contain look-alike forms of letters or digits (such as ① or ²)",
    "bidi_rule": "must not mix right-to-left and left-to-right text",
    "empty": "must not be empty",
}
# The profile lets ZERO WIDTH (NON-)JOINER through after a virama or between joining
# letters (RFC 5892's CONTEXTJ rules); they are invisible all the same, and new
# usernames hold no invisible character at all.
_JOINERS = re.compile("[\u200c\u200d]")
# What the offending character is says more than the rule that caught it: a no-break
# space is refused as "has_compat", a line separator as "other".
_BY_CATEGORY = {"Zs": _SPACES, "Zl": _INVISIBLE, "Zp": _INVISIBLE, "Cf": _INVISIBLE}


def username_key(name: str) -> str:
    """The single form in which usernames are compared and kept unique.

    The profile's enforced form. A name the profile refuses is never accepted for a
    new login; only rows from before the profile (migration 0003) may hold one, and
    they keep NFC with full case folding as their key, so that such a login, typed
    as stored in any case, still finds itself, while a login attempt with any other
    refused name finds nothing.

    At most KEY_LENGTH + 1 characters: a key that long stands for any longer one,
    which no login holds, so it finds nothing either and a throttle keyed on it
    stays bounded.
    """
    key = _profile_key(name) or _fallback_key(name)
    return key[: KEY_LENGTH + 1]


def username_problem(field: str, name: str) -> str | None:
    """Why `name` may not be a new username, as an error on `field`; None if it may."""
    if len(name) > KEY_LENGTH:
        return _too_long(field)
    if _JOINERS.search(name):
        return f"{field} {_INVISIBLE}"
    try:
        key = PROFILE.enforce(name)
    except UnicodeEncodeError as error:
        return f"{field} {_explain(error)}"
    if len(key) > KEY_LENGTH:
        return _too_long(field)
    return _mixed_scripts(field, key)


@lru_cache(maxsize=4096)  # every API call keys its api_user; most callers recur
def _profile_key(name: str) -> str | None:
    """The profile's enforced form, or None when the profile refuses the name."""
    if len(name) > KEY_LENGTH:  # no username is this long; spare the event loop
        return None
    try:
        return PROFILE.enforce(name)
    except UnicodeEncodeError:
        return None


def script_problem(field: str, name: str) -> str | None:
    """Why `name` mixes scripts, as an error on `field`; None if it does not. For names
    stored before the rule (migration 0008), which keep working."""
    return _mixed_scripts(field, username_key(name))


def _mixed_scripts(field: str, key: str) -> str | None:
    """Judged on the key, the form that is compared: the micro sign is Common but
    folds to a Greek mu."""
    local, at, domain = key.rpartition("@")
    parts = [local, *domain.split(".")] if at else [key]
    for part in parts:
        scripts = mixed_scripts(part)
        if scripts:
            names = " and ".join(filter(None, [", ".join(scripts[:-1]), scripts[-1]]))
            return f"{field} must not mix letters of different scripts ({names})"
    return None


def _too_long(field: str) -> str:
    return f"{field} must be no more than {KEY_LENGTH} characters once case-folded"


def _explain(error: UnicodeEncodeError) -> str:
    error = _character_error(error)
    offending = error.object[error.start : error.end]
    if len(offending) == 1:
        by_category = _BY_CATEGORY.get(unicodedata.category(offending))
        if by_category:
            return by_category
    return _BY_REASON.get(error.reason.removeprefix("DISALLOWED/"), _NOT_ALLOWED)


def _character_error(error: UnicodeEncodeError) -> UnicodeEncodeError:
    """The bidi rule is checked before the characters are; a refused character (a
    space or U+202E beside Hebrew letters) is the better explanation."""
    if error.reason != "DISALLOWED/bidi_rule":
        return error
    try:
        PROFILE.base.enforce(error.object)
    except UnicodeEncodeError as character_error:
        return character_error
    return error


def _fallback_key(name: str) -> str:
    return unicodedata.normalize("NFC", name.casefold())
