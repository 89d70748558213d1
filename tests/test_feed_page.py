"""The Atom feed opened in a browser reads as a page (an XSLT of our own), and the site
has an icon."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db

XSL = "{http://www.w3.org/1999/XSL/Transform}"


def test_the_feed_names_a_same_origin_xslt_before_its_first_tag(client, published_case):
    content = client.get(reverse("tracker:case_feed"), {"region": "RU-KB"}).content.decode()
    style = reverse("tracker:case_feed_style")
    instruction = f'<?xml-stylesheet href="{style}" media="screen" type="text/xsl"?>'
    assert instruction in content
    assert content.index(instruction) < content.index("<feed")


def test_the_xslt_is_served_as_xslt_and_loads_nothing_from_elsewhere(client):
    response = client.get(reverse("tracker:case_feed_style"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xsl; charset=utf-8"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    root = ET.fromstring(response.content)  # noqa: S314 (our own template)
    assert root.tag == f"{XSL}stylesheet"
    urls = re.findall(r'(?:href|src)="([^"{]+)"', response.content.decode())
    assert urls and all(url.startswith("/") for url in urls), urls
    assert "<script" not in response.content.decode()
    assert " style=" not in response.content.decode()


def test_the_xslt_explains_how_to_subscribe_in_the_readers_language(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    text = client.get(reverse("tracker:case_feed_style")).content.decode()
    assert '<html lang="ru">' in text
    assert "Это лента новостей: подпишитесь" in text


def test_every_page_names_the_sites_icon(client):
    content = client.get(reverse("tracker:home")).content.decode()
    assert re.search(
        r'<link rel="icon" href="/static/favicon\.svg" type="image/svg\+xml">', content
    )
    assert finders.find("favicon.svg") and finders.find("favicon.png")


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.png"


def test_a_browser_gets_the_feed_as_xml_so_that_it_applies_the_stylesheet(client, published_case):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(reverse("tracker:case_feed"), HTTP_ACCEPT=browser)
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert "Accept" in response["Vary"]
    reader = client.get(reverse("tracker:case_feed"), HTTP_ACCEPT="application/atom+xml")
    assert reader["Content-Type"].startswith("application/atom+xml")
