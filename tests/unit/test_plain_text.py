"""User-supplied names are escaped for markdown elements: nothing in them formats, links or loads anything."""

import pytest

from ldcore.ui.widgets import plain


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("**bold** ![x](http://h/leak.png)", "\\*\\*bold\\*\\* !\\[x\\](http:\u2060//h/leak.png)"),
        ("[link](https://evil)", "\\[link\\](https:\u2060//evil)"),
        ("see www.evil.com", "see www\u2060.evil.com"),
        (":red[alarm] <img src=x>", "\\:red\\[alarm\\] \\<img src=x\\>"),
        ("`code` ~~gone~~ $x$", "\\`code\\` \\~\\~gone\\~\\~ \\$x\\$"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("12. item", "12\\. item"),
        ("two\nlines", "two lines"),
        ("see http://evil.example/x", "see http:\u2060//evil.example/x"),
        ("Sales EMEA (FY27): 24.0% – ok", "Sales EMEA (FY27): 24.0% – ok"),
    ],
)
def test_markdown_in_a_name_is_escaped_and_ordinary_text_is_left_alone(name, shown):
    assert plain(name) == shown
