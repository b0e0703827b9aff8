"""distributor.packages's parameters: none (services/packages.py)."""

from __future__ import annotations

from gridreseller.api.legacy.fields import Declaration
from gridreseller.api.legacy.operations import Operation
from gridreseller.services.packages import ListPackages, list_packages

LIST = Operation("View available packages", Declaration(ListPackages, ()), list_packages)
