"""The one outbound path below the surfaces: credits, relaying, the trace header, the
message log and audit, used alike by the SMTP server and the HTTP `mail.send` (see
docs/smtp.md, "One outbound path")."""
