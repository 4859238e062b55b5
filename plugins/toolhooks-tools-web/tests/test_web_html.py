"""HTML reduction edge cases (the full page is covered through the tool)."""

from __future__ import annotations

from toolhooks_tools_web._html import html_to_text


def test_unbalanced_skipped_markup_does_not_swallow_the_page() -> None:
    page = html_to_text("<nav><div>menu</nav><p>kept</p>", "http://h/")
    assert page.text == "kept"


def test_first_title_only_and_svg_title_ignored() -> None:
    html = "<title>Real</title><body><svg><title>icon</title></svg><p>x</p></body>"
    page = html_to_text(html, "http://h/")
    assert page.title == "Real"
    assert "icon" not in page.text


def test_links_resolve_against_base_and_skip_non_http() -> None:
    html = (
        '<base href="http://other/dir/"><a href="page">rel</a> <a href="mailto:x@y">mail</a> '
        '<a href="javascript:alert(1)">js</a> <a href="#top">anchor</a> <a href="page">dup</a>'
    )
    page = html_to_text(html, "http://h/")
    assert [(link.text, link.url) for link in page.links] == [("rel", "http://other/dir/page")]
    assert "rel mail js anchor dup" in page.text


def test_tables_and_images() -> None:
    page = html_to_text(
        '<table><tr><th>a</th><td>b</td></tr></table><img alt="a cat">', "http://h/"
    )
    assert "| a | b" in page.text
    assert "[image: a cat]" in page.text
