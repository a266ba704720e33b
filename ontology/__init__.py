"""The model: OWL/RDFS ontology, SHACL shapes and curated data; the single source of truth."""
