"""One test per obligation scenario in this folder's features (per arrangement for a 場景大綱)."""

from pathlib import Path

from regtrace.bdd_steps import bind_scenarios

bind_scenarios(globals(), Path(__file__).parent)
