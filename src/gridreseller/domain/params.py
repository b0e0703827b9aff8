"""A request's parameters as the contract sees them: scalars and `name[]` arrays."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Params:
    values: Mapping[str, str] = field(default_factory=dict)
    arrays: Mapping[str, list[str]] = field(default_factory=dict)

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
