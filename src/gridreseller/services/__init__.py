"""The use cases, one function per call, typed command in and typed result out; no HTTP, no XML."""
