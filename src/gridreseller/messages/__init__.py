"""Mail messages as the HTTP sending calls take them: parameters, then RFC 5322 bytes."""
