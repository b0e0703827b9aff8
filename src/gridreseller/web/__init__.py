"""The web dashboard (§12): server-rendered pages under /dashboard/ on `serve`."""
