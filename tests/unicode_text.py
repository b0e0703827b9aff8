"""Any Unicode text for a profile field (Hypothesis strategies), and the contract's rule
for which of it is refused, written independently of the code's (docs/api.md)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from gridreseller.domain.rules import PROFILE_LIMITS

# Characters worth a special try: markup, CDATA and entity look-alikes, C1 controls
# and Unicode line breaks (legal in XML 1.0; line ends only in XML 1.1), combining
# marks, the byte order mark, the Latin-1 edge, astral characters and noncharacters.
SPECIALS = [
    *"<>&\"'",
    "]]>",
    "<![CDATA[",
    "&amp;",
    "&#0;",
    "&#xFFFE;",
    "<user>",
    "\x80",
    "\x85",
    "\x9f",
    "\u2028",
    "\u00e9",
    "e\u0301",
    "\u00ff",
    "\u0100",
    "\ufeff",
    "\ufffd",
    "\U0001f600",
    "\U0001fffe",
    "\U0010fffd",
    " ",
]
# What the contract refuses in any string: U+0000-U+001F, U+007F, and the characters
# XML cannot carry at all (U+FFFE, U+FFFF; surrogates cannot even be sent as UTF-8).
REFUSED = "".join(map(chr, range(0x20))) + "\x7f\ufffe\uffff"
LEGAL = st.characters(exclude_categories=["Cs"], exclude_characters=REFUSED)
FRAGMENTS = st.one_of(st.text(LEGAL, max_size=8), st.sampled_from(SPECIALS))
FIELDS = st.sampled_from(sorted(PROFILE_LIMITS))


@st.composite
def field_values(draw: st.DrawFn, refusals: bool = True) -> tuple[str, str]:
    """A profile field and a value of any characters. With `refusals`, in one case out
    of four with a refused character somewhere, in one out of ten just over the field's
    limit; without, always a value the contract accepts."""
    field = draw(FIELDS)
    limit = PROFILE_LIMITS[field]
    fragments = draw(st.lists(FRAGMENTS, max_size=12))
    if not refusals:
        return field, "".join(fragments)[:limit] or "x"
    if draw(st.integers(0, 3)) == 0:
        where = draw(st.integers(0, len(fragments)))
        fragments.insert(where, draw(st.sampled_from(REFUSED)))
    value = "".join(fragments)
    if draw(st.integers(0, 9)) == 0:
        value = (value or "x") * (limit // len(value or "x") + 1)
    return field, value[: limit + 1]


def is_refused(value: str, limit: int) -> bool:
    """The contract's rules: required fields are not empty; no U+0000-U+001F, U+007F,
    nor what XML cannot carry (U+FFFE, U+FFFF); at most the field's limit."""
    return value == "" or any(c in REFUSED for c in value) or len(value) > limit


def example_settings(max_examples: int) -> settings:
    """Hypothesis settings for these tests: no deadline (a database is involved), and the
    fixtures (`one_distributor`, `one_customer`) shared by every example."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
