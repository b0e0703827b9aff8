"""HTTP: routing, parameter parsing, authentication hand-off and the two renderers."""
