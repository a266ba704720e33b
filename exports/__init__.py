"""Exports of one tenant's trace and graph: XLSX, HTML/PDF, Turtle/JSON-LD, OSCAL, with a manifest."""
