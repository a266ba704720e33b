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

Texts as amended: inserted articles and entries (第十條之一 / 第 10-1 條, 六之一、) are numbered as
`loaders/numbering.py` says (A10-1, I6-1); an article or entry whose whole text is （刪除） or (刪除) is kept
as a deleted provision with no force; a text whose first article is not 第一條 is an excerpt (an amendment
listing only the articles it changes) and parses with a warning, its articles in increasing order. A line
that looks like an article heading (第…條) but is not one, or like an inserted entry (六之、) that cannot
be numbered, is an error naming its line: it is never merged into the article before it.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from regtrace.loaders.chinese_numerals import ARABIC_CHARS, NUMERAL_CHARS, parse_number
from regtrace.loaders.modality import introducing_modality, own_modalities, strongest
from regtrace.loaders.numbering import Number, numeral, provision_id, provision_label, successors, unit_label
from regtrace.loaders.provision import Level, Modality, Provision
from regtrace.loaders.references import find_references, mask_quotations

from regtrace.errors import RegulationParseError

_CN = f"[{NUMERAL_CHARS}]+"
_AR = f"[{ARABIC_CHARS}]+"
_DASH_CHARS = r"\-－‐‑–"
_DASH = f"[{_DASH_CHARS}]"
# 第十條, 第 10 條, 第十條之一, 第 10-1 條, 第 10 條之 1; then an optional caption: 第一條（目的）, 第五條（刪除）.
ARTICLE_HEADING = re.compile(
    rf"^第\s*(?P<number>{_CN}|{_AR})(?:\s*{_DASH}\s*(?P<dash>{_AR}))?\s*條"
    rf"(?:\s*之\s*(?P<sub>{_CN}|{_AR}))?(?:\s*(?P<caption>[（(][^（）()]*[）)]|刪除))?$"
)
# Anything shaped like a heading: 第, numbers and separators, 條, then nothing but 之… or -…, a caption or 刪除.
_HEADING_LIKE = re.compile(
    rf"^第[\s{NUMERAL_CHARS}{ARABIC_CHARS}之{_DASH_CHARS}—.．、,，/]{{1,16}}條"
    rf"\s*(?:[之{_DASH_CHARS}]\s*\S{{0,4}})?\s*(?:[（(][^（）()]*[）)]|刪除)?\s*$"
)
_INSERTED = rf"(?:\s*之\s*(?P<sub>{_CN}|{_AR})|\s*{_DASH}\s*(?P<dash>{_AR}))?"
_MARKERS: tuple[tuple[Level, re.Pattern[str]], ...] = (
    ("item", re.compile(rf"^(?P<number>{_CN}|{_AR}){_INSERTED}\s*、\s*")),
    ("subitem", re.compile(rf"^[(（]\s*(?P<number>{_CN}|{_AR}){_INSERTED}\s*[)）]\s*")),
    ("point", re.compile(rf"^(?P<number>{_AR}){_INSERTED}\s*[.．](?![0-9０-９])\s*")),
)
# Shaped like an inserted entry's number (六之一、, 6-1、, (六之一)) whatever follows the separator.
_INSERTED_LIKE = re.compile(
    rf"^[(（]?\s*[{NUMERAL_CHARS}{ARABIC_CHARS}]{{1,4}}\s*(?:之|{_DASH})[^、)）.．]{{0,4}}[、)）.．]"
)
# The whole text of a deleted article or entry.
DELETED_TEXT = re.compile(r"^[（(]\s*刪\s*除\s*[）)]\s*[。.]?$|^刪\s*除\s*[。.]?$")
DELETED_MARK = "（刪除）"
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
    excerpt: bool = False  # the text starts after 第一條: it lists only some articles (an amendment text)

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
    number: Number = (0, 0)
    marker: str = ""
    rest: str = ""

    @property
    def deletes(self) -> bool:
        """Whether the entry's whole text is （刪除）."""
        return self.level is not None and bool(DELETED_TEXT.match(self.rest))


@dataclass(frozen=True)
class _Heading:
    line: _Line
    number: Number
    deleted: bool  # 第五條（刪除）


@dataclass
class _Node:
    level: Level
    number: Number
    line: int
    marker: str = ""
    parts: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)
    parent: _Node | None = None
    deleted: bool = False

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


def _tokenize(line: _Line, source: str) -> _Token:
    for level, pattern in _MARKERS:
        match = pattern.match(line.text)
        if match is None:
            continue
        try:
            number = _number(match)
        except ValueError:
            break
        return _Token(line, level, number, line.text[: match.end()], line.text[match.end():])
    if _INSERTED_LIKE.match(line.text):
        raise _error(source, line.number, f"{line.text[:12]!r} looks like an inserted entry's number but is not "
                     "one (write 六之一、, (六之一) or 1-1.)")
    return _Token(line)


def _number(match: re.Match[str]) -> Number:
    """(number, insertion) from a match with groups number, sub (之一) and dash (-1); ValueError if unreadable."""
    sub = match["sub"] or match["dash"]
    return parse_number(match["number"]), parse_number(sub) if sub else 0


def _heading(line: _Line, source: str) -> _Heading | None:
    """The article heading on `line`; None for any other line; an error for a line shaped like a bad heading."""
    match = ARTICLE_HEADING.match(line.text)
    if match is not None and not (match["dash"] and match["sub"]):
        try:
            number = parse_number(match["number"]), parse_number(match["dash"] or match["sub"] or "0")
        except ValueError:
            number = None
        if number is not None and number[0] >= 1 and (number[1] >= 1 or not (match["dash"] or match["sub"])):
            caption = match["caption"] or ""
            return _Heading(line, number, bool(DELETED_TEXT.match(caption)))
    if match is not None or _HEADING_LIKE.match(line.text):
        raise _error(source, line.number, f"{line.text!r} looks like an article heading but is not one "
                     "(write 第十條, 第 10 條, 第十條之一 or 第 10-1 條)")
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

    def _expected(self, level: Level) -> tuple[Number, ...] | None:
        """The numbers the next entry of `level` may have: the next one, or one inserted after the last."""
        container = self._container(level)
        if container is None:
            return None
        return successors(container.children[-1].number if container.children else None)

    def _accept_marker(self, token: _Token) -> bool:
        """Whether a marker line starts an entry; a wrong one after a wrapped line is text, else an error."""
        assert token.level is not None
        if token.level == "item" and self.paragraph is None:
            return self._check_number(token, successors(None))
        container = self._container(token.level)
        if container is not None and container.deleted and token.level != "item":
            raise _error(self.source, token.line.number,
                         f"{_LEVEL_NAMES[token.level]} '{token.marker.strip()}' is under "
                         f"{_marker_label(container.level, container.number)} (line {container.line}), "
                         "which is deleted (刪除)")
        expected = self._expected(token.level)
        if expected is not None and token.number in expected:
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

    def _check_number(self, token: _Token, expected: tuple[Number, ...]) -> bool:
        if token.number in expected:
            return True
        assert token.level is not None
        name = _LEVEL_NAMES[token.level]
        container = self._container(token.level)
        last = container.children[-1] if container is not None and container.children else None
        after = f" after {_marker_label(last.level, last.number)} (line {last.line})" if last is not None else ""
        if token.number == (1, 0) and last is not None:
            problem = "restarts the numbering" + (" without a new paragraph" if token.level == "item" else "")
        else:
            problem = "expected " + " or ".join(_marker_label(token.level, n) for n in expected)
        raise _error(self.source, token.line.number,
                     f"{name} {_marker_label(token.level, token.number)}{after}: {problem}")

    def _start_entry(self, token: _Token) -> None:
        assert token.level is not None
        if self.paragraph is None:
            self.warnings.append(f"{self.source}: line {token.line.number}: a list starts the article: "
                                 "its paragraph has no lead text")
            self.paragraph = self.article.add(_Node("paragraph", (1, 0), token.line.number))
        container = self._container(token.level)
        assert container is not None
        node = container.add(_Node(token.level, token.number, token.line.number, token.marker,
                                   deleted=token.deletes))
        if token.rest and not node.deleted:
            node.parts.append(token.rest)
        self.current = node

    # -- running text

    def _add_text(self, index: int, token: _Token) -> None:
        if DELETED_TEXT.match(token.line.text):
            raise _error(self.source, token.line.number,
                         f"{token.line.text!r} inside an article's text: （刪除） stands alone under an article "
                         "heading, or after an entry's number (六、（刪除）)")
        if self.paragraph is None or self._starts_paragraph(index):
            number = len(self.article.children) + 1
            self.paragraph = self.article.add(_Node("paragraph", (number, 0), token.line.number))
            self.current = self.paragraph
        elif self.current.deleted:
            raise _error(self.source, token.line.number,
                         f"text after {_marker_label(self.current.level, self.current.number)} (line "
                         f"{self.current.line}), which is deleted (刪除), while its list goes on")
        self.current.parts.append(token.line.text)

    def _starts_paragraph(self, index: int) -> bool:
        """Whether a plain line starts a new paragraph rather than continuing the open entry."""
        previous = self.previous
        if previous is None:
            return False
        if self.current.deleted:  # 六、（刪除） ends its entry: what follows is a new paragraph or an error
            following = self._next_marker(index)
            return following is None or not self._continues_list(following)
        if not ends_sentence(previous.text):
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
        return token.number in (self._expected(token.level) or ())

    def _restarts_items(self, token: _Token) -> bool:
        return token.level == "item" and token.number == (1, 0) and bool(self.paragraph and self.paragraph.children)

    def _is_full(self, line: _Line) -> bool:
        return self.wrap_width is not None and line.width >= self.wrap_width - _FULL_LINE_SLACK

    def _is_wrapped(self, line: _Line | None) -> bool:
        return line is not None and not ends_sentence(line.text) and self._is_full(line)


def _marker_label(level: Level, number: Number) -> str:
    """How the text numbers an entry: 二、 (二) 2., inserted ones 二之一、 (二之一) 2-1.; a paragraph 第二項."""
    main, sub = number
    if level == "item":
        return f"{numeral(main)}" + (f"之{numeral(sub)}" if sub else "") + "、"
    if level == "subitem":
        return f"({numeral(main)}" + (f"之{numeral(sub)}" if sub else "") + ")"
    if level == "point":
        return f"{main}" + (f"-{sub}" if sub else "") + "."
    return unit_label(level, number)


# ---------------------------------------------------------------- document


def _split_preamble(lines: list[_Line], headings: dict[int, _Heading], source: str,
                    warnings: list[str]) -> tuple[str | None, list[_Line]]:
    """The title (first line before the first heading) and the lines from the first heading on."""
    first = next((i for i, line in enumerate(lines) if line.number in headings), None)
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


def _article_label(number: Number) -> str:
    return unit_label("article", number)


def _split_articles(lines: list[_Line], headings: dict[int, _Heading], source: str,
                    warnings: list[str]) -> tuple[list[tuple[_Heading, list[_Line]]], bool]:
    """(heading, body lines) per article and whether the text is an excerpt, checking the numbering.

    A whole text numbers its articles 1, 2, … with inserted ones (2-1, 2-2) after the one they follow; an
    excerpt (first article not 第一條) only needs them in increasing order.
    """
    articles: list[tuple[_Heading, list[_Line]]] = []
    excerpt = False
    for line in lines:
        heading = headings.get(line.number)
        if heading is None:
            articles[-1][1].append(line)
            continue
        number = heading.number
        if not articles and number != (1, 0):
            excerpt = True
            warnings.append(f"{source}: line {line.number}: the text starts at {_article_label(number)}, not "
                            "第一條: read as an excerpt (only the articles it lists)")
        elif articles:
            last = articles[-1][0]
            after = f" after {_article_label(last.number)} (line {last.line.number})"
            if excerpt and number <= last.number:
                raise _error(source, line.number, f"article {_article_label(number)}{after}: an excerpt lists its "
                             "articles in increasing order")
            expected = successors(last.number)
            if not excerpt and number not in expected:
                raise _error(source, line.number, f"article {_article_label(number)}{after}: expected "
                             + " or ".join(_article_label(n) for n in expected))
        articles.append((heading, []))
    for heading, body in articles:
        if heading.deleted and body:
            raise _error(source, body[0].number, f"article {_article_label(heading.number)} (line "
                         f"{heading.line.number}) is deleted (刪除) but has text")
        if not body and not heading.deleted:
            raise _error(source, heading.line.number, f"article {_article_label(heading.number)} has no text")
    return articles, excerpt


def _build_article(heading: _Heading, body: list[_Token], wrap_width: int | None, source: str,
                   warnings: list[str]) -> _Node:
    article = _Node("article", heading.number, heading.line.number)
    if heading.deleted or (len(body) == 1 and body[0].level is None and DELETED_TEXT.match(body[0].line.text)):
        article.deleted = True
        return article
    return _ArticleBuilder(article, body, wrap_width, source, warnings).build()


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
    headings = {line.number: heading for line in kept if (heading := _heading(line, source)) is not None}
    title, body = _split_preamble(kept, headings, source, warnings)
    articles, excerpt = _split_articles(body, headings, source, warnings)
    tokens = [[_tokenize(line, source) for line in lines] for _, lines in articles]
    wrap_width = _wrap_width(tokens)
    roots = [_build_article(heading, body_tokens, wrap_width, source, warnings)
             for (heading, _), body_tokens in zip(articles, tokens, strict=True)]
    for root in roots:
        _warn_empty_leads(root, source, warnings)
    exclude = {title} if title else set()
    provisions = [p for root in roots for p in _provisions(root, exclude)]
    return ParsedRegulation(title, provisions, warnings, source, excerpt=excerpt)


def _warn_empty_leads(article: _Node, source: str, warnings: list[str]) -> None:
    for paragraph in article.children:
        if not paragraph.parts and paragraph.number[0] > 1:
            warnings.append(f"{source}: line {paragraph.line}: paragraph {paragraph.number[0]} has no lead text")


# ---------------------------------------------------------------- provisions


def _path(node: _Node) -> list[tuple[Level, Number]]:
    path: list[tuple[Level, Number]] = []
    current: _Node | None = node
    while current is not None:
        path.insert(0, (current.level, current.number))
        current = current.parent
    return path


def _unit_text(node: _Node) -> str:
    return DELETED_MARK if node.deleted else node.own_text()


def _article_text(article: _Node) -> str:
    if article.deleted:
        return DELETED_MARK
    units = [(node.marker + _unit_text(node)).strip() for node in article.walk() if node is not article]
    return "\n".join(unit for unit in units if unit)


def _provisions(article: _Node, exclude: set[str]) -> list[Provision]:
    """The article and every node under it, in document order, with what their own text says.

    A deleted provision (刪除) has the text （刪除） and nothing else: no modality of its own and none
    inherited, no frequency, references or actors.
    """
    provisions: list[Provision] = []
    passed_down: dict[int, Modality | None] = {}
    for node in article.walk():
        own = node.own_text() if node.level != "article" else ""
        modalities = own_modalities(own)
        inherited = passed_down[id(node.parent)] if node.parent is not None else None
        effective = None if node.deleted else strongest(modalities) or inherited
        passed_down[id(node)] = introducing_modality(own) or effective
        path = _path(node)
        parent_id = provision_id(path[:-1]) if node.parent is not None else None
        provisions.append(Provision(
            id=provision_id(path), parent=parent_id, level=node.level, label=provision_label(path),
            text=_article_text(node) if node.level == "article" else _unit_text(node), modalities=modalities,
            effective_modality=effective, frequency_months=frequency_months(own),
            references=find_references(own, exclude), actors=find_actors(own), line=node.line,
            deleted=node.deleted,
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
