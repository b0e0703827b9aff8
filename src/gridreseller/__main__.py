"""`python -m gridreseller` runs the CLI."""

from gridreseller.cli import main

main()
