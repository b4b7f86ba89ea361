"""The one YAML loader for what people write (plans, survey definitions): YAML's safe subset, and stricter.

Refused, each with one line naming the place in the file: a key written twice in one mapping (YAML would keep the
last silently), anchors and aliases (`&a`/`*a` can expand a small file into a huge document), nesting deeper than
`MAX_DEPTH`, a file over `MAX_CHARS`, and characters YAML does not allow (a NUL among them).
"""

from __future__ import annotations

from typing import Any

import yaml

from ldcore.errors import Invalid

MAX_DEPTH = 50
MAX_CHARS = 5_000_000


class _Refused(yaml.MarkedYAMLError):
    pass


class _StrictLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise _Refused(
                problem="anchors and aliases (*name) are not allowed", problem_mark=self.peek_event().start_mark
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(
                problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=self.peek_event().start_mark
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                raise _Refused(problem="a key must be a plain value", problem_mark=key_node.start_mark)
            if key in seen:
                raise _Refused(problem=f"the key {key!r} is written twice", problem_mark=key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str, *, source: str) -> Any:
    """The document in `text`; `Invalid` with one line `source: line N, column M: what is wrong` otherwise."""
    if len(text) > MAX_CHARS:
        raise Invalid(f"{source}: the file is larger than {MAX_CHARS // 1_000_000} MB.")
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "line 1"
        raise Invalid(
            f"{source}: not valid YAML ({where}): {_one_line(exc.problem)}.", [(where, "not valid YAML")]
        ) from exc
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        raise Invalid(
            f"{source}: not valid YAML (line {line}): the character {code} is not allowed in a YAML file.",
            [(f"line {line}", "character not allowed")],
        ) from exc


def _one_line(text: str | None) -> str:
    return " ".join((text or "not readable").split()).rstrip(".")
