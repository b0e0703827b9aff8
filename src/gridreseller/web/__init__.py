"""The web dashboard (docs/dashboard.md): server-rendered pages under /dashboard/ on `serve`."""
