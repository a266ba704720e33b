"""Crosswalks: the regulation's provisions mapped to control frameworks (ISO/IEC 27001:2022 Annex A,
ISO/IEC 27017:2015, CSA CCM v4, or a framework a store's admin imports).

`model` holds the plain values and the vocabularies (read from the ontology), `shipped` reads the curated
files in ontology/crosswalks/, `importing` reads a CSV or OSCAL mapping collection all or nothing, `store_io`
writes and reads mapping sets in a store (shared by its tenants), `oscal` renders a set as an OSCAL 1.2
mapping collection.
"""
