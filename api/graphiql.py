"""GraphiQL, served from files vendored in api/static (graphiql 3.8.3, react 18.3.1; MIT, see
static/THIRD_PARTY_LICENSES.txt), so it works without internet access. The page asks for the bearer token
in GraphiQL's headers editor; it needs a server started with --introspection to show the schema.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

ASSETS = {
    "graphiql.min.js": "application/javascript",
    "graphiql.min.css": "text/css",
    "react.production.min.js": "application/javascript",
    "react-dom.production.min.js": "application/javascript",
    "THIRD_PARTY_LICENSES.txt": "text/plain; charset=utf-8",
}
STATIC_PATH = "/graphql/static"

PAGE = """<!doctype html>
<html lang="zh-Hant">
<head>
  <meta charset="utf-8">
  <title>regtrace GraphQL</title>
  <link rel="stylesheet" href="{static}/graphiql.min.css">
  <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="{static}/react.production.min.js"></script>
  <script src="{static}/react-dom.production.min.js"></script>
  <script src="{static}/graphiql.min.js"></script>
  <script>
    const root = ReactDOM.createRoot(document.getElementById("graphiql"));
    root.render(React.createElement(GraphiQL, {{
      fetcher: GraphiQL.createFetcher({{ url: "{endpoint}" }}),
      defaultHeaders: JSON.stringify({{ Authorization: "Bearer rt_…" }}, null, 2),
      shouldPersistHeaders: true,
      defaultEditorToolbarOpen: true,
      defaultQuery: "{{ viewer {{ name role tenant }} }}\\n",
    }}));
  </script>
</body>
</html>
"""


def page(endpoint: str = "/graphql") -> str:
    return PAGE.format(static=STATIC_PATH, endpoint=endpoint)


@cache
def asset(name: str) -> bytes | None:
    """A vendored file's bytes; None for any name that is not one of ASSETS."""
    if name not in ASSETS:
        return None
    return files("regtrace.api").joinpath("static", name).read_bytes()
