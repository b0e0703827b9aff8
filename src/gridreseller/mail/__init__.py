"""The mail surface (docs/smtp.md): the embedded submission server and nginx's auth_http."""
