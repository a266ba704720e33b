"""The GraphQL API: `create_app` serves the regtrace graph at /graphql."""
