"""The contract's vocabulary and rules, in plain Python (no framework imports)."""
