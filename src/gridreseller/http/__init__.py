"""What the HTTP surfaces share (the legacy API, the v3 surface, nginx's auth_http and
the dashboard): reading headers and bodies within their limits, the transport's
refusals, whole answers, and the mechanism that turns an error into a status."""
