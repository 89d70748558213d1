"""The read-only public API: /api/cases/, /api/cases/<id>/, and its OpenAPI schema."""
