"""The `/v3` JSON surface (docs/api.md, "The v3 API"): API keys, scopes and the v3 mail
send, as SendGrid's current clients call them."""
