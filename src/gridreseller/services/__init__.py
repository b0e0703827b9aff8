"""The contract's rules, one function per call; no HTTP, no XML."""
