"""The fetcher (tracker/preservation/fetch.py) against the tests' own server on 127.0.0.1:
redirects, size cap, timeout, cookies, user agent, and every rule against reaching inside
the server's network (SSRF)."""

import pytest

from tracker.preservation import fetch
from tracker.preservation.fetch import ErrorKind, FetchError


def fetch_error(url, **kwargs):
    with pytest.raises(FetchError) as caught:
        fetch.fetch(url, **kwargs)
    return caught.value


def test_a_page_is_fetched_byte_for_byte(source_server):
    from tests.source_server import PAGE

    result = fetch.fetch(source_server.url("/page"))
    assert result.body == PAGE
    assert result.status_code == 200
    assert result.content_type == "text/html; charset=utf-8"
    assert result.final_url == source_server.url("/page")


def test_a_redirect_is_followed_and_the_final_address_kept(source_server):
    result = fetch.fetch(source_server.url("/redirect"))
    assert result.final_url == source_server.url("/page")
    assert result.redirects == [source_server.url("/redirect")]
    assert "Двенадцать".encode() in result.body


def test_endless_redirects_stop(source_server):
    error = fetch_error(source_server.url("/loop"))
    assert error.kind == ErrorKind.TOO_MANY_REDIRECTS
    assert len(source_server.requests) == fetch.MAX_REDIRECTS + 1


def test_a_body_over_the_cap_is_refused_whether_announced_or_not(source_server, settings):
    settings.SOURCE_FETCH_MAX_BYTES = 1000
    source_server.big_size = 5000
    assert fetch_error(source_server.url("/big")).kind == ErrorKind.TOO_LARGE
    assert fetch_error(source_server.url("/big-unannounced")).kind == ErrorKind.TOO_LARGE
    source_server.big_size = 1000
    assert len(fetch.fetch(source_server.url("/big")).body) == 1000


def test_a_slow_outlet_times_out(source_server, settings):
    # The server answers /slow only when the test ends; the fetch gives up first.
    settings.SOURCE_FETCH_TIMEOUT = 0.2
    error = fetch_error(source_server.url("/slow"))
    assert error.kind == ErrorKind.TIMEOUT
    assert error.transient


def test_an_error_status_is_an_error_that_says_whether_to_retry(source_server):
    unavailable = fetch_error(source_server.url("/unavailable"))
    assert (unavailable.kind, unavailable.status_code, unavailable.transient) == (
        ErrorKind.HTTP_STATUS,
        503,
        True,
    )
    missing = fetch_error(source_server.url("/missing"))
    assert (missing.status_code, missing.transient) == (404, False)


def test_no_cookie_is_kept_and_the_user_agent_is_a_common_browsers(source_server, settings):
    result = fetch.fetch(source_server.url("/set-cookie"))
    headers = result.body.decode()
    assert "tracked" not in headers
    assert "cookie" not in headers.lower()
    assert f"User-Agent: {settings.SOURCE_FETCH_USER_AGENT}" in headers
    assert "python" not in headers.lower() and "refusal" not in headers.lower()


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/file", "file:///etc/passwd", "javascript:alert(1)", "http://user:pw@a.b/"],
)
def test_only_plain_web_addresses_are_fetched(url):
    assert fetch_error(url).kind == ErrorKind.BAD_URL


# --- never inside: SOURCE_FETCH_ALLOW_PRIVATE is false in these tests ----------------------


def test_a_loopback_address_is_refused_before_any_connection(source_server, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    assert fetch_error(source_server.url("/page")).kind == ErrorKind.BLOCKED_ADDRESS
    assert source_server.requests == []


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "0.0.0.0",  # noqa: S104 (an address to refuse, not one to bind)
        "224.0.0.1",
        "fd00::1",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
    ],
)
def test_a_name_that_resolves_to_an_inside_address_is_refused(monkeypatch, settings, address):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    monkeypatch.setattr(fetch, "resolve", lambda host, port: ["93.184.215.14", address])
    error = fetch_error("https://outlet.example/article")
    assert error.kind == ErrorKind.BLOCKED_ADDRESS


def test_public_addresses_are_allowed():
    assert fetch.is_public_address("93.184.215.14")
    assert fetch.is_public_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    assert fetch.is_public_address("::ffff:93.184.215.14")


def test_a_redirect_to_an_inside_address_is_refused(source_server, settings, monkeypatch):
    """The test server plays a public outlet that redirects to the cloud metadata address."""
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    real = fetch.is_public_address
    monkeypatch.setattr(fetch, "is_public_address", lambda a: a == "127.0.0.1" or real(a))
    error = fetch_error(source_server.url("/to-private"))
    assert error.kind == ErrorKind.BLOCKED_ADDRESS
    assert [path for path, _headers in source_server.requests] == ["/to-private"]


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(
    source_server, settings, monkeypatch
):
    """A name is resolved once per hop; the connection uses that answer, named as the host."""
    lookups = []

    def resolve_once(host, port):
        lookups.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(fetch, "resolve", resolve_once)
    port = source_server.server_address[1]
    result = fetch.fetch(f"http://localhost:{port}/headers")
    assert lookups == ["localhost"]
    assert f"Host: localhost:{port}" in result.body.decode()


def test_requests_go_through_the_configured_proxy(source_server, settings):
    """An HTTP proxy (here the test server itself, which answers as the outlet would) gets
    the request with the checked address in the request line."""
    settings.SOURCE_FETCH_PROXY = source_server.url("")
    with pytest.raises(FetchError):
        fetch.fetch("http://127.0.0.1:9/page")
    path, headers = source_server.requests[0]
    assert path == "http://127.0.0.1:9/page"
    assert headers["Host"] == "127.0.0.1:9"


def test_requests_go_through_a_socks5_proxy_such_as_tor(source_server, settings, monkeypatch):
    """The proxy is told the checked address, never the name (no lookup is left to it)."""
    from tests.source_server import PAGE, start_socks_proxy

    proxy = start_socks_proxy()
    settings.SOURCE_FETCH_PROXY = proxy.url
    port = source_server.server_address[1]
    try:
        result = fetch.fetch(f"http://localhost:{port}/page")
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert result.body == PAGE
    assert result.via_proxy
    assert proxy.destinations == [("127.0.0.1", port)]


@pytest.fixture
def tls_server(settings, tmp_path):
    from tests import source_server as server_module

    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    server = server_module.start_tls(tmp_path)
    yield server
    server_module.stop(server)


def test_https_checks_the_certificate_against_the_host_name_not_the_address(
    tls_server, monkeypatch
):
    """The connection goes to the checked address, yet TLS verifies the name the link has."""
    import ssl

    from tests.source_server import PAGE

    port = tls_server.server_address[1]
    trusting = ssl.create_default_context(cafile=str(tls_server.cert_file))
    monkeypatch.setattr(fetch, "_ssl_context", lambda: trusting)

    assert fetch.fetch(f"https://localhost:{port}/page").body == PAGE
    # The same server reached by its address: the certificate is not for that name.
    assert fetch_error(f"https://127.0.0.1:{port}/page").kind == ErrorKind.CONNECTION


def test_an_untrusted_certificate_is_refused(tls_server):
    port = tls_server.server_address[1]
    error = fetch_error(f"https://localhost:{port}/page")
    assert error.kind == ErrorKind.CONNECTION
    assert tls_server.requests == []
