"""Graph stores behind one port: LadybugDB embedded by default, Neo4j for scale."""
