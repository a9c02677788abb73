"""Links in user text: escaped first, then only http(s) addresses become links."""

from __future__ import annotations

from server.render.text import linkify


def test_a_web_address_becomes_a_safe_link_and_the_rest_stays_text() -> None:
    html = str(linkify("Se https://gentofte.dk/borger, og <b>mød op</b>"))
    assert (
        '<a href="https://gentofte.dk/borger" rel="noopener noreferrer nofollow ugc" '
        'target="_blank">https://gentofte.dk/borger</a>, og &lt;b&gt;mød op&lt;/b&gt;'
    ) in html


def test_script_addresses_and_attribute_breakouts_stay_plain_text() -> None:
    assert "<a" not in str(linkify("javascript:alert(1) data:text/html,<script>x</script>"))
    html = str(linkify('https://example.org/"onmouseover="alert(1)'))
    assert html.startswith('<a href="https://example.org/"')
    assert 'onmouseover="' not in html  # the quote that would break out is escaped
    assert "&#34;onmouseover=&#34;alert(1)" in html
