"""A request's parameters as the legacy API sees them: scalars, `name[]` arrays, and the
raw bytes of uploads (mail.send's `files[NAME]`, which may be in any encoding)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Params:
    values: Mapping[str, str] = field(default_factory=dict)
    arrays: Mapping[str, list[str]] = field(default_factory=dict)
    uploads: Mapping[str, bytes] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def many(self, name: str) -> list[str]:
        """Values of `name[]` (a lone `name` counts as a one-element array)."""
        found = list(self.arrays.get(name, []))
        single = self.values.get(name)
        if single is not None and single != "":
            found.append(single)
        return found

    @classmethod
    def of(cls, **values: str) -> Params:
        return cls(values=dict(values))

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Params:
        """Fields as sent: each `name[]` collected into an array, any other name's last
        value kept."""
        values: dict[str, str] = {}
        arrays: dict[str, list[str]] = {}
        for name, value in pairs:
            if name.endswith("[]"):
                arrays.setdefault(name[:-2], []).append(value)
            else:
                values[name] = value
        return cls(values=values, arrays=arrays)

    def overridden_by(self, other: Params) -> Params:
        """These parameters with `other`'s in their place where both have a name (an
        array replaced whole)."""
        return Params(
            values={**self.values, **other.values},
            arrays={**self.arrays, **other.arrays},
            uploads={**self.uploads, **other.uploads},
        )
