"""Runs the executable obligations (article-*.feature) against a store: `regtrace check`, or
`REGTRACE_STORE=… REGTRACE_TENANT=… REGTRACE_AS_OF=… pytest features/`. The glue is regtrace/bdd_steps.py."""

pytest_plugins = ["regtrace.bdd_steps"]
