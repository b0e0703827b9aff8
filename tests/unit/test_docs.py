"""The README and docs link only inside the repository, and every link lands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").glob("*.md")])
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
BARE_URL = re.compile(r"\b(?:https?|ftp)://[^\s)>\]`'\"]+")
# Addresses the docs show as examples of what to type, not as places to go.
LOCAL_HOSTS = re.compile(r"^(?:https?|ftp)://(?:127\.0\.0\.1|localhost|\[::1\]|gridreseller\b)")
EXAMPLE_HOSTS = re.compile(r"^(?:https?|ftp)://(?:[\w.-]+\.)?example\.(?:com|org|net)\b")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.replace("`", ""))
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def prose_lines(path: Path) -> list[str]:
    """The document's lines outside fenced code blocks."""
    lines, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in prose_lines(path):
        match = HEADING.match(line)
        if match:
            base = github_anchor(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[str]:
    return [
        target
        for line in prose_lines(path)
        for match in LINK.finditer(line)
        for target in match.groups()
        if target
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_stay_inside_the_repository_and_land(document: Path) -> None:
    broken = []
    for target in links(document):
        if "://" in target or target.startswith(("mailto:", "//")):
            broken.append(f"{target}: outside the repository")
            continue
        file_part, _, anchor = target.partition("#")
        landing = (document.parent / file_part).resolve() if file_part else document
        if not landing.is_relative_to(ROOT) or not landing.exists():
            broken.append(f"{target}: no such file in the repository")
        elif anchor and landing.suffix == ".md" and anchor not in anchors(landing):
            broken.append(f"{target}: no such heading in {landing.relative_to(ROOT)}")
    assert broken == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_address_outside_the_machine_is_named(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    outside = [
        url
        for url in BARE_URL.findall(text)
        if not LOCAL_HOSTS.match(url) and not EXAMPLE_HOSTS.match(url)
    ]
    assert outside == []


def test_the_anchor_rule_matches_githubs() -> None:
    assert github_anchor("8. distributor.manage method=limit — sending credits") == (
        "8-distributormanage-methodlimit--sending-credits"
    )
    assert github_anchor("profile get — list customers") == "profile-get--list-customers"
    assert github_anchor("`GRIDRESELLER_X` and snake_case") == "gridreseller_x-and-snake_case"


CODE_PATH = re.compile(r"`((?:[\w.-]+/)+[\w.-]+\.(?:py|sh|toml|service))`")
CODE_ROOTS = (ROOT, ROOT / "src" / "gridreseller", ROOT / "tests")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_source_files_named_exist(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    missing = [
        path
        for path in CODE_PATH.findall(text)
        if not any((root / path).exists() for root in CODE_ROOTS)
    ]
    assert missing == []
