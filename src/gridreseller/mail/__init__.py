"""The mail surface (§11): the embedded submission server and nginx's auth_http."""
