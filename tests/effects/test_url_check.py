"""The SSRF guard on image URLs: scheme, resolution and every non-public address class."""

import pytest

from effects.ingestion import image_url_check
from photomania.api.exceptions import http_status_for
from photomania.errors import ApplicationError, ErrorCode


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a.jpg",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "javascript:alert(1)",
        "//example.com/a.jpg",
        "",
    ],
)
def test_url_check_refuses_non_http_schemes(url):
    with pytest.raises(ApplicationError) as exc:
        image_url_check(url)

    assert exc.value.code == ErrorCode.INVALID_INPUT


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/a.jpg",  # loopback
        "http://localhost:8000/a.jpg",  # loopback by name
        "http://10.1.2.3/a.jpg",  # private
        "http://172.16.0.1/a.jpg",  # private
        "http://192.168.1.1/a.jpg",  # private
        "http://169.254.169.254/latest/meta-data/",  # metadata
        "http://169.254.10.10/",  # link-local
        "http://100.64.0.1/",  # CGNAT
        "http://0.0.0.0/",  # unspecified
        "http://224.0.0.1/",  # multicast
        "http://240.0.0.1/",  # reserved
        "http://[::1]/a.jpg",  # IPv6 loopback
        "http://[fd00:ec2::254]/",  # IPv6 metadata
        "http://[fe80::1]/",  # IPv6 link-local
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://[::ffff:169.254.169.254]/",  # IPv4-mapped metadata
        "http://[::ffff:10.0.0.1]/",  # IPv4-mapped private
        "http://[::]/",  # IPv6 unspecified
        "http://2130706433/",  # 127.0.0.1 as a decimal integer
        "http://0x7f.0.0.1/",  # 127.0.0.1 in hex
    ],
)
def test_url_check_refuses_non_public_addresses(url):
    with pytest.raises(ApplicationError) as exc:
        image_url_check(url)

    assert exc.value.code == ErrorCode.INVALID_INPUT
    assert http_status_for(exc.value.code) == 400


def test_url_check_refuses_credentials_in_url():
    with pytest.raises(ApplicationError):
        image_url_check("http://user:pw@93.184.215.14/a.jpg")


def test_url_check_refuses_unresolvable_host():
    with pytest.raises(ApplicationError) as exc:
        image_url_check("http://does-not-exist.invalid/a.jpg")

    assert "resolved" in exc.value.message


def test_url_check_accepts_public_ip_literal():
    assert image_url_check("https://93.184.215.14/a.jpg") == "https://93.184.215.14/a.jpg"


def test_url_check_lets_allow_listed_host_through(settings):
    settings.IMAGE_FETCH_ALLOWED_HOSTS = ["localhost"]

    assert image_url_check("http://localhost:8000/a.jpg") == "http://localhost:8000/a.jpg"
