"""Tag expressions: ``"billing and not (refund or intent:*)"``.

A small recursive-descent parser (no ``eval``). Grammar, loosest binding first::

    expr := and_expr ("or" and_expr)*
    and_expr := not_expr ("and" not_expr)*
    not_expr := "not" not_expr | "(" expr ")" | TAG

A bare TAG is letters, digits and ``_ - : . / =``, optionally ending in ``*`` to match every tag
with that prefix (``intent:*``). A quoted tag (``"needs review"``, with ``\\"`` and ``\\\\``
escapes) is matched literally, ``*`` included. Keywords are case-insensitive; tags are
case-sensitive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.cases._errors import TagExpressionError

if TYPE_CHECKING:
    import polars as pl

_KEYWORDS = {"and", "or", "not"}
_TAG_PUNCTUATION = frozenset("_-:./=")
_BARE = re.compile(r"[\w\-:./=]+")
_HINTS = {"&": " (use 'and')", "|": " (use 'or')", "!": " (use 'not')", "~": " (use 'not')"}


class TagExpr:
    """A parsed tag expression; build one with :func:`parse_tag_expr`."""

    def matches(self, tags: Iterable[str]) -> bool:
        """Whether a case with these tags is selected."""
        return self._match(frozenset(tags))

    def _match(self, tags: frozenset[str]) -> bool:
        raise NotImplementedError

    def to_polars(self, col: str) -> pl.Expr:
        """A boolean polars expression over the ``List(Utf8)`` column ``col`` (null lists select nothing)."""
        raise NotImplementedError

    def leaves(self) -> tuple[Tag | Glob, ...]:
        """The tags and globs the expression mentions, in order."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"parse_tag_expr({str(self)!r})"


@dataclass(frozen=True, repr=False)
class Tag(TagExpr):
    """Selects cases carrying exactly this tag."""

    name: str

    def _match(self, tags: frozenset[str]) -> bool:
        return self.name in tags

    def to_polars(self, col: str) -> pl.Expr:
        import polars as pl

        return pl.col(col).list.contains(pl.lit(self.name, dtype=pl.Utf8)).fill_null(False)

    def leaves(self) -> tuple[Tag | Glob, ...]:
        return (self,)

    def __str__(self) -> str:
        if _BARE.fullmatch(self.name) and self.name.lower() not in _KEYWORDS:
            return self.name
        return '"' + self.name.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True, repr=False)
class Glob(TagExpr):
    """Selects cases carrying any tag that starts with ``prefix`` (written ``prefix*``)."""

    prefix: str

    def _match(self, tags: frozenset[str]) -> bool:
        return any(t.startswith(self.prefix) for t in tags)

    def to_polars(self, col: str) -> pl.Expr:
        import polars as pl

        if not self.prefix:
            return (pl.col(col).list.len() > 0).fill_null(False)
        hit = pl.col(col).list.eval(pl.element().str.starts_with(self.prefix)).list.any()
        return hit.fill_null(False)

    def leaves(self) -> tuple[Tag | Glob, ...]:
        return (self,)

    def __str__(self) -> str:
        return self.prefix + "*"


@dataclass(frozen=True, repr=False)
class Not(TagExpr):
    """Selects cases the operand does not select."""

    operand: TagExpr

    def _match(self, tags: frozenset[str]) -> bool:
        return not self.operand._match(tags)

    def to_polars(self, col: str) -> pl.Expr:
        return ~self.operand.to_polars(col)

    def leaves(self) -> tuple[Tag | Glob, ...]:
        return self.operand.leaves()

    def __str__(self) -> str:
        inner = str(self.operand)
        return f"not ({inner})" if isinstance(self.operand, And | Or) else f"not {inner}"


@dataclass(frozen=True, repr=False)
class And(TagExpr):
    """Selects cases every operand selects."""

    operands: tuple[TagExpr, ...]

    def _match(self, tags: frozenset[str]) -> bool:
        return all(op._match(tags) for op in self.operands)

    def to_polars(self, col: str) -> pl.Expr:
        import polars as pl

        return pl.all_horizontal([op.to_polars(col) for op in self.operands])

    def leaves(self) -> tuple[Tag | Glob, ...]:
        return tuple(leaf for op in self.operands for leaf in op.leaves())

    def __str__(self) -> str:
        return " and ".join(f"({op})" if isinstance(op, Or) else str(op) for op in self.operands)


@dataclass(frozen=True, repr=False)
class Or(TagExpr):
    """Selects cases any operand selects."""

    operands: tuple[TagExpr, ...]

    def _match(self, tags: frozenset[str]) -> bool:
        return any(op._match(tags) for op in self.operands)

    def to_polars(self, col: str) -> pl.Expr:
        import polars as pl

        return pl.any_horizontal([op.to_polars(col) for op in self.operands])

    def leaves(self) -> tuple[Tag | Glob, ...]:
        return tuple(leaf for op in self.operands for leaf in op.leaves())

    def __str__(self) -> str:
        return " or ".join(str(op) for op in self.operands)


@dataclass(frozen=True)
class _Token:
    kind: str  # TAG, GLOB, AND, OR, NOT, LPAREN, RPAREN, BAD, EOF
    pos: int
    text: str = ""

    def describe(self) -> str:
        if self.kind == "EOF":
            return "end of expression"
        if self.kind in ("TAG", "GLOB"):
            return f"tag {self.text!r}"
        if self.kind == "BAD":
            return f"character {self.text!r}{_HINTS.get(self.text, '')}"
        return repr(self.text)


def _is_tag_char(ch: str) -> bool:
    return ch.isalnum() or ch in _TAG_PUNCTUATION


def _tokenize(expr: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(expr)
    while i < n:
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token("LPAREN" if ch == "(" else "RPAREN", i, ch))
            i += 1
        elif ch == '"':
            start, i, chars = i, i + 1, []
            while i < n and expr[i] != '"':
                if expr[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(expr[i])
                i += 1
            if i >= n:
                raise TagExpressionError(
                    expr, n, f"a closing '\"' for the quote at position {start}", "end of expression"
                )
            tokens.append(_Token("TAG", start, "".join(chars)))
            i += 1
        elif _is_tag_char(ch) or ch == "*":
            start = i
            while i < n and _is_tag_char(expr[i]):
                i += 1
            word = expr[start:i]
            if i < n and expr[i] == "*":
                i += 1
                if i < n and (_is_tag_char(expr[i]) or expr[i] in '*"'):
                    raise TagExpressionError(
                        expr, i, "whitespace, ')' or an operator ('*' may only end a tag)", f"{expr[i]!r}"
                    )
                tokens.append(_Token("GLOB", start, word))
            elif word.lower() in _KEYWORDS:
                tokens.append(_Token(word.upper(), start, word))
            else:
                tokens.append(_Token("TAG", start, word))
        else:
            tokens.append(_Token("BAD", i, ch))
            i += 1
    tokens.append(_Token("EOF", n))
    return tokens


class _Parser:
    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.tokens = _tokenize(expr)
        self.i = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, expected: str) -> TagExpressionError:
        token = self.peek()
        return TagExpressionError(self.expr, token.pos, expected, token.describe())

    def parse(self) -> TagExpr:
        node = self.parse_or()
        if self.peek().kind != "EOF":
            raise self.fail("'and', 'or' or end of expression")
        return node

    def parse_or(self) -> TagExpr:
        operands = [self.parse_and()]
        while self.peek().kind == "OR":
            self.take()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> TagExpr:
        operands = [self.parse_not()]
        while self.peek().kind == "AND":
            self.take()
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_not(self) -> TagExpr:
        token = self.peek()
        if token.kind == "NOT":
            self.take()
            return Not(self.parse_not())
        if token.kind == "LPAREN":
            self.take()
            node = self.parse_or()
            if self.peek().kind != "RPAREN":
                raise self.fail(f"'and', 'or' or ')' to close the '(' at position {token.pos}")
            self.take()
            return node
        if token.kind == "TAG":
            self.take()
            return Tag(token.text)
        if token.kind == "GLOB":
            self.take()
            return Glob(token.text)
        raise self.fail("a tag, 'not' or '('")


def parse_tag_expr(expr: str) -> TagExpr:
    """Parse a tag expression (``and``, ``or``, ``not``, parentheses, ``prefix*`` globs).

    Precedence is ``not`` > ``and`` > ``or``.

    Raises:
        TagExpressionError: On a syntax error, naming the position and what was expected.

    Example:
        >>> e = parse_tag_expr('billing and not (refund or intent:*)')
        >>> e.matches(["billing", "en"]), e.matches(["billing", "intent:cancel"])
        (True, False)
        >>> str(parse_tag_expr('a or b and not "needs review"'))
        'a or b and not "needs review"'
    """
    if not isinstance(expr, str):
        raise TypeError(f"a tag expression must be a string, got {type(expr).__name__}")
    return _Parser(expr).parse()
