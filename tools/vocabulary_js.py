"""Write the dashboard's status, state and severity words into api/dashboard_ui/i18n.js from the ontology.

    python tools/vocabulary_js.py          # exit 1 when i18n.js is not what the ontology says
    python tools/vocabulary_js.py --write  # rewrite the generated block of i18n.js

The block between the BEGIN and END lines is generated from `regtrace.labels.VOCABULARY` (the ontology's SKOS
schemes); tests/test_vocabulary.py checks it is current and that no such word is written by hand elsewhere.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from regtrace.labels import VOCABULARY

I18N = Path(__file__).resolve().parent.parent / "api" / "dashboard_ui" / "i18n.js"
BEGIN = "// BEGIN vocabulary: generated from the ontology by tools/vocabulary_js.py --write; do not edit by hand"
END = "// END vocabulary"


def block() -> str:
    """The generated lines, BEGIN and END included."""
    lines = [BEGIN, "const VOCABULARY = {"]
    for name, words in VOCABULARY.items():
        for code, (zh, en) in words.items():
            lines.append(f"  {json.dumps(f'{name}.{code}')}: [{json.dumps(zh, ensure_ascii=False)}, "
                         f"{json.dumps(en, ensure_ascii=False)}],")
    lines += ["};", END]
    return "\n".join(lines)


def current(text: str) -> str:
    """The generated block as it stands in `text` (BEGIN to END)."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[start:end]


def main(argv: list[str]) -> int:
    text = I18N.read_text(encoding="utf-8")
    if "--write" in argv:
        I18N.write_text(text.replace(current(text), block()), encoding="utf-8")
        return 0
    if current(text) != block():
        print(f"{I18N}: the vocabulary block differs from the ontology; run python tools/vocabulary_js.py --write")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
