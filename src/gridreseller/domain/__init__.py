"""The vocabulary and rules of accounts, logins and sending, in plain Python (no framework)."""
