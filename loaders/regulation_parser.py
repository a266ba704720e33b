"""Regulation text (PDF-extracted or typed) to provisions in document order.

Two layouts are read. The seed's: every line followed by an empty line, headings 第一條, items 一、,
sub-items (一) or （一）, points 1., lines wrapped at about 40 full-width characters. And a plainer one:
headings 第 4 條, half-width punctuation, sub-items (1), no empty lines. Empty lines never matter.

Paragraphs (項) are not numbered in the text; a new one is recognised when a line follows a line that
ended a sentence (。 or ：) and is not a continuation of it. A line is a continuation when the line before
it was full (the sentence merely ended at the wrap), or when it follows a list whose numbering carries on
after it. The structure decides ids (A4.P1.I3.S1); the words decide modalities, actors, frequency and
references, each from the provision's own text. An article's own text is empty: its force lives in its
paragraphs.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from regtrace.loaders.chinese_numerals import ARABIC_CHARS, NUMERAL_CHARS, parse_number, to_chinese
from regtrace.loaders.modality import introducing_modality, own_modalities, strongest
from regtrace.loaders.provision import Level, Modality, Provision
from regtrace.loaders.references import find_references, mask_quotations

from regtrace.errors import RegulationParseError

_CN = f"[{NUMERAL_CHARS}]+"
_AR = f"[{ARABIC_CHARS}]+"
ARTICLE_HEADING = re.compile(rf"^第\s*(?P<number>{_CN}|{_AR})\s*條(?:\s*[（(][^（）()]*[）)])?$")
_MARKERS: tuple[tuple[Level, re.Pattern[str]], ...] = (
    ("item", re.compile(rf"^(?P<number>{_CN}|{_AR})\s*、\s*")),
    ("subitem", re.compile(rf"^[(（]\s*(?P<number>{_CN}|{_AR})\s*[)）]\s*")),
    ("point", re.compile(rf"^(?P<number>{_AR})\s*[.．](?![0-9０-９])\s*")),
)
_PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*\d+\s*[-–—]|第\s*\d+\s*頁(?:\s*[,，/]?\s*共\s*\d+\s*頁)?|\d+\s*/\s*\d+)$")
# 第一章 總則: a division above articles, which the ids do not carry.
_DIVISION = re.compile(rf"^第\s*(?:{_CN}|{_AR})\s*[編章節](?:\s+\S.{{0,30}})?$")
_SENTENCE_END = "。！？!?：:"
_CLOSERS = "」』）)\"'》〉"
_MIN_WRAP_SAMPLES = 3
_FULL_LINE_SLACK = 6  # display columns: the lost two-character indent plus one character of slack

ACTOR_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("member_company", re.compile(r"會員公司")),
    ("board", re.compile(r"董\s*[（(]\s*理\s*[）)]\s*事會|董事會|(?<!公會)理事會")),
    ("dedicated_unit", re.compile(r"專責單位")),
    ("csp", re.compile(r"雲端服務業者|Cloud Service Provider|\bCSP\b")),
    ("foreign_branch", re.compile(r"外國保險業在臺分支機構")),
    ("independent_third_party", re.compile(r"獨立第三人|專業第三人")),
    ("competent_authority", re.compile(r"主管機關|金融監督管理委員會|金管會")),
    ("association", re.compile(r"公會")),
)
_FREQUENCY = re.compile(rf"每\s*(?P<count>{_CN}|{_AR})?\s*(?P<unit>半年|年|季|個月|月)")
_UNIT_MONTHS = {"半年": 6, "年": 12, "季": 3, "個月": 1, "月": 1}
_LABEL_UNITS: dict[Level, str] = {"article": "條", "paragraph": "項", "item": "款", "subitem": "目", "point": "點"}
_ID_PREFIXES: dict[Level, str] = {"article": "A", "paragraph": "P", "item": "I", "subitem": "S", "point": "N"}
_PARENT_LEVEL: dict[Level, Level] = {"paragraph": "article", "item": "paragraph", "subitem": "item", "point": "subitem"}
_LEVEL_NAMES: dict[Level, str] = {
    "article": "article", "paragraph": "paragraph", "item": "item", "subitem": "sub-item", "point": "point",
}


@dataclass
class ParsedRegulation:
    """What the parser read: the instrument's title, its provisions in document order, and warnings."""

    title: str | None
    provisions: list[Provision]
    warnings: list[str] = field(default_factory=list)
    source: str = "<text>"
    instrument_id: str | None = None  # set when curation finds the title in the instruments register

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.provisions]

    def get(self, provision_id: str) -> Provision:
        """The provision with this id; KeyError if there is none."""
        for provision in self.provisions:
            if provision.id == provision_id:
                return provision
        raise KeyError(provision_id)


@dataclass(frozen=True)
class _Line:
    number: int
    text: str

    @property
    def width(self) -> int:
        return display_width(self.text)


@dataclass(frozen=True)
class _Token:
    """A content line, read as the start of a list entry (level set) or as plain text (level None)."""

    line: _Line
    level: Level | None = None
    number: int = 0
    marker: str = ""
    rest: str = ""


@dataclass
class _Node:
    level: Level
    number: int
    line: int
    marker: str = ""
    parts: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)
    parent: _Node | None = None

    def add(self, child: _Node) -> _Node:
        child.parent = self
        self.children.append(child)
        return child

    def own_text(self) -> str:
        return join_wrapped(self.parts)

    def walk(self) -> Iterator[_Node]:
        yield self
        for child in self.children:
            yield from child.walk()


# ---------------------------------------------------------------- text helpers


def display_width(text: str) -> int:
    """Columns `text` takes: full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "FW" else 1 for c in text)


def ends_sentence(text: str) -> bool:
    """Whether a line ends a sentence or introduces a list (。 ： and their half-width forms)."""
    stripped = text.rstrip().rstrip(_CLOSERS)
    if not stripped:
        return False
    if stripped[-1] == ".":
        return len(stripped) > 1 and not stripped[-2].isdigit()
    return stripped[-1] in _SENTENCE_END


def join_wrapped(parts: list[str]) -> str:
    """Wrapped lines as one text: no separator, except a space between two halves of a Latin word run."""
    text = ""
    for part in parts:
        if text and _is_latin(text[-1]) and _is_latin(part[0]):
            text += " "
        text += part
    return text


def numeral(number: int) -> str:
    """`number` in Chinese numerals when it can be written so, else in Arabic digits."""
    return to_chinese(number) if 1 <= number <= 9999 else str(number)


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _error(source: str, line: int | None, message: str) -> RegulationParseError:
    where = f"{source}: line {line}" if line is not None else source
    return RegulationParseError(f"{where}: {message}")


# ---------------------------------------------------------------- lines and tokens


def _content_lines(text: str) -> list[_Line]:
    """Non-empty lines, stripped (full-width spaces too), with their 1-based line numbers."""
    text = text.removeprefix("\ufeff")
    return [_Line(n, s) for n, raw in enumerate(text.splitlines(), 1) if (s := raw.strip())]


def _tokenize(line: _Line) -> _Token:
    for level, pattern in _MARKERS:
        match = pattern.match(line.text)
        if match is None:
            continue
        try:
            number = parse_number(match["number"])
        except ValueError:
            return _Token(line)
        return _Token(line, level, number, line.text[: match.end()], line.text[match.end():])
    return _Token(line)


def _heading_number(line: _Line) -> int | None:
    match = ARTICLE_HEADING.match(line.text)
    if match is None:
        return None
    try:
        return parse_number(match["number"])
    except ValueError:
        return None


def _wrap_width(articles: Iterable[list[_Token]]) -> int | None:
    """The usual width of a wrapped line: the median of lines that stop mid-sentence before plain text."""
    widths = [
        token.line.width
        for tokens in articles
        for token, following in itertools.pairwise(tokens)
        if following.level is None and not ends_sentence(token.line.text)
    ]
    return int(statistics.median(widths)) if len(widths) >= _MIN_WRAP_SAMPLES else None


# ---------------------------------------------------------------- one article


class _ArticleBuilder:
    """Builds the tree of one article from its tokens, numbering paragraphs as it finds them."""

    def __init__(self, article: _Node, tokens: list[_Token], wrap_width: int | None, source: str,
                 warnings: list[str]) -> None:
        self.article = article
        self.tokens = tokens
        self.wrap_width = wrap_width
        self.source = source
        self.warnings = warnings
        self.paragraph: _Node | None = None
        self.current: _Node = article
        self.previous: _Line | None = None

    def build(self) -> _Node:
        for index, token in enumerate(self.tokens):
            if token.level is not None and self._accept_marker(token):
                self._start_entry(token)
            else:
                self._add_text(index, token)
            self.previous = token.line
        return self.article

    # -- list entries

    def _container(self, level: Level) -> _Node | None:
        """The open node a new entry of `level` goes under (the paragraph, its last item, that item's last sub-item)."""
        node = self.paragraph
        for step in ("item", "subitem", "point"):
            if node is None or step == level:
                return node
            node = node.children[-1] if node.children else None
        return None

    def _expected(self, level: Level) -> int | None:
        container = self._container(level)
        if container is None:
            return None
        return container.children[-1].number + 1 if container.children else 1

    def _accept_marker(self, token: _Token) -> bool:
        """Whether a marker line starts an entry; a wrong one after a wrapped line is text, else an error."""
        assert token.level is not None
        if token.level == "item" and self.paragraph is None:
            return self._check_number(token, 1)
        expected = self._expected(token.level)
        if expected == token.number:
            return True
        if self._is_wrapped(self.previous):
            self.warnings.append(
                f"{self.source}: line {token.line.number}: '{token.marker.strip()}' does not fit the numbering "
                "and follows a wrapped line: read as running text"
            )
            return False
        if expected is None:
            raise _error(self.source, token.line.number,
                         f"{_LEVEL_NAMES[token.level]} '{token.marker.strip()}' is not inside "
                         f"a{'n' if token.level == 'subitem' else ''} {_LEVEL_NAMES[_PARENT_LEVEL[token.level]]}")
        return self._check_number(token, expected)

    def _check_number(self, token: _Token, expected: int) -> bool:
        if token.number == expected:
            return True
        assert token.level is not None
        name = _LEVEL_NAMES[token.level]
        container = self._container(token.level)
        last = container.children[-1] if container is not None and container.children else None
        after = f" after {_marker_label(last.level, last.number)} (line {last.line})" if last is not None else ""
        if token.number == 1 and last is not None:
            problem = "restarts the numbering" + (" without a new paragraph" if token.level == "item" else "")
        else:
            problem = f"expected {_marker_label(token.level, expected)}"
        raise _error(self.source, token.line.number,
                     f"{name} {_marker_label(token.level, token.number)}{after}: {problem}")

    def _start_entry(self, token: _Token) -> None:
        assert token.level is not None
        if self.paragraph is None:
            self.warnings.append(f"{self.source}: line {token.line.number}: a list starts the article: "
                                 "its paragraph has no lead text")
            self.paragraph = self.article.add(_Node("paragraph", 1, token.line.number))
        container = self._container(token.level)
        assert container is not None
        node = container.add(_Node(token.level, token.number, token.line.number, token.marker))
        if token.rest:
            node.parts.append(token.rest)
        self.current = node

    # -- running text

    def _add_text(self, index: int, token: _Token) -> None:
        if self.paragraph is None or self._starts_paragraph(index):
            number = len(self.article.children) + 1
            self.paragraph = self.article.add(_Node("paragraph", number, token.line.number))
            self.current = self.paragraph
        self.current.parts.append(token.line.text)

    def _starts_paragraph(self, index: int) -> bool:
        """Whether a plain line starts a new paragraph rather than continuing the open entry."""
        previous = self.previous
        if previous is None or not ends_sentence(previous.text):
            return False
        if self.current.level != "paragraph":
            following = self._next_marker(index)
            if following is not None and self._continues_list(following):
                return False
            if following is not None and self._restarts_items(following):
                return True
        return not self._is_full(previous)

    def _next_marker(self, index: int) -> _Token | None:
        return next((t for t in self.tokens[index + 1:] if t.level is not None), None)

    def _continues_list(self, token: _Token) -> bool:
        assert token.level is not None
        return self._expected(token.level) == token.number

    def _restarts_items(self, token: _Token) -> bool:
        return token.level == "item" and token.number == 1 and bool(self.paragraph and self.paragraph.children)

    def _is_full(self, line: _Line) -> bool:
        return self.wrap_width is not None and line.width >= self.wrap_width - _FULL_LINE_SLACK

    def _is_wrapped(self, line: _Line | None) -> bool:
        return line is not None and not ends_sentence(line.text) and self._is_full(line)


def _marker_label(level: Level, number: int) -> str:
    """How the text numbers an entry: 二、 (二) 2."""
    if level == "item":
        return f"{numeral(number)}、"
    if level == "subitem":
        return f"({numeral(number)})"
    return f"{number}."


# ---------------------------------------------------------------- document


def _split_preamble(lines: list[_Line], source: str, warnings: list[str]) -> tuple[str | None, list[_Line]]:
    """The title (first line before the first heading) and the lines from the first heading on."""
    first = next((i for i, line in enumerate(lines) if _heading_number(line) is not None), None)
    if first is None:
        raise _error(source, lines[0].number,
                     f"no article heading (第一條 or 第 1 條) in lines {lines[0].number}–{lines[-1].number}")
    preamble = lines[:first]
    for stray in preamble[1:]:
        warnings.append(f"{source}: line {stray.number}: text before the first article ignored: {stray.text!r}")
    return (preamble[0].text if preamble else None), lines[first:]


def _drop_furniture(lines: list[_Line], source: str, warnings: list[str]) -> list[_Line]:
    """The lines without page numbers and chapter headings, each dropped with a warning."""
    kept = []
    for line in lines:
        if _PAGE_NUMBER.match(line.text):
            warnings.append(f"{source}: line {line.number}: page number {line.text!r} ignored")
        elif _DIVISION.match(line.text):
            warnings.append(f"{source}: line {line.number}: division heading {line.text!r} ignored")
        else:
            kept.append(line)
    return kept


def _split_articles(lines: list[_Line], source: str) -> list[tuple[_Line, int, list[_Line]]]:
    """(heading line, article number, body lines) per article, checking the articles are numbered 1, 2, …."""
    articles: list[tuple[_Line, int, list[_Line]]] = []
    for line in lines:
        number = _heading_number(line)
        if number is None:
            articles[-1][2].append(line)
            continue
        expected = articles[-1][1] + 1 if articles else 1
        if number != expected:
            after = f" after 第{numeral(articles[-1][1])}條 (line {articles[-1][0].number})" if articles else ""
            raise _error(source, line.number,
                         f"article 第{numeral(number)}條{after}: expected 第{numeral(expected)}條")
        articles.append((line, number, []))
    for heading, number, body in articles:
        if not body:
            raise _error(source, heading.number, f"article 第{numeral(number)}條 has no text")
    return articles


def parse_regulation(text: str, source: str = "<text>") -> ParsedRegulation:
    """Parse regulation text into provisions; RegulationParseError names the line of anything unnumberable."""
    lines = _content_lines(text)
    if not lines:
        raise _error(source, None, "the text is empty")
    warnings: list[str] = []
    kept = _drop_furniture(lines, source, warnings)
    if not kept:
        raise _error(source, lines[0].number, "no article heading (第一條 or 第 1 條): only page numbers "
                     "and division headings")
    title, body = _split_preamble(kept, source, warnings)
    articles = _split_articles(body, source)
    tokens = {heading.number: [_tokenize(line) for line in lines] for heading, _, lines in articles}
    wrap_width = _wrap_width(tokens.values())
    roots = [
        _ArticleBuilder(_Node("article", number, heading.number), tokens[heading.number], wrap_width, source,
                        warnings).build()
        for heading, number, _ in articles
    ]
    for root in roots:
        _warn_empty_leads(root, source, warnings)
    exclude = {title} if title else set()
    return ParsedRegulation(title, [p for root in roots for p in _provisions(root, exclude)], warnings, source)


def _warn_empty_leads(article: _Node, source: str, warnings: list[str]) -> None:
    for paragraph in article.children:
        if not paragraph.parts and paragraph.number > 1:
            warnings.append(f"{source}: line {paragraph.line}: paragraph {paragraph.number} has no lead text")


# ---------------------------------------------------------------- provisions


def provision_id(node_path: list[tuple[Level, int]]) -> str:
    """`A4.P1.I3.S1` from the (level, number) pairs of a provision and its ancestors."""
    return ".".join(f"{_ID_PREFIXES[level]}{number}" for level, number in node_path)


def provision_label(node_path: list[tuple[Level, int]]) -> str:
    """`第七條第一項第五款第一目第2點`: Chinese numerals, except the point in Arabic digits."""
    return "".join(
        f"第{number if level == 'point' else numeral(number)}{_LABEL_UNITS[level]}" for level, number in node_path
    )


def _path(node: _Node) -> list[tuple[Level, int]]:
    path: list[tuple[Level, int]] = []
    current: _Node | None = node
    while current is not None:
        path.insert(0, (current.level, current.number))
        current = current.parent
    return path


def _article_text(article: _Node) -> str:
    units = [(node.marker + node.own_text()).strip() for node in article.walk() if node is not article]
    return "\n".join(unit for unit in units if unit)


def _provisions(article: _Node, exclude: set[str]) -> list[Provision]:
    """The article and every node under it, in document order, with what their own text says."""
    provisions: list[Provision] = []
    passed_down: dict[int, Modality | None] = {}
    for node in article.walk():
        own = node.own_text() if node.level != "article" else ""
        modalities = own_modalities(own)
        inherited = passed_down[id(node.parent)] if node.parent is not None else None
        effective = strongest(modalities) or inherited
        passed_down[id(node)] = introducing_modality(own) or effective
        path = _path(node)
        parent_id = provision_id(path[:-1]) if node.parent is not None else None
        provisions.append(Provision(
            id=provision_id(path), parent=parent_id, level=node.level, label=provision_label(path),
            text=_article_text(node) if node.level == "article" else own, modalities=modalities,
            effective_modality=effective, frequency_months=frequency_months(own),
            references=find_references(own, exclude), actors=find_actors(own), line=node.line,
        ))
    return provisions


def find_actors(text: str) -> list[str]:
    """The actors `text` names, normalised (member_company, board, csp, …), in a fixed order."""
    masked = mask_quotations(text)
    return [actor for actor, pattern in ACTOR_PATTERNS if pattern.search(masked)]


def frequency_months(text: str) -> int | None:
    """The shortest cadence `text` states: 每年 / 至少每年 12, 每半年 6, 每季 3, 每月 1; 定期 and none give None."""
    found = []
    for match in _FREQUENCY.finditer(mask_quotations(text)):
        count = parse_number(match["count"]) if match["count"] else 1
        found.append(count * _UNIT_MONTHS[match["unit"]])
    return min(found, default=None) or None
