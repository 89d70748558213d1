<?xml version="1.0" encoding="utf-8"?>{% load i18n static %}{% get_current_language as LANGUAGE_CODE %}
{# Turns the Atom feed (/cases/feed/) into a readable page when a browser opens it. Text comes from the feed as text nodes, which the XSLT processor escapes; nothing is loaded but our own stylesheet and icon. #}
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/atom:feed">
    <html lang="{{ LANGUAGE_CODE }}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/></title>
        <link rel="stylesheet" href="{% static 'css/site.css' %}"/>
        <link rel="icon" href="{% static 'favicon.svg' %}" type="image/svg+xml"/>
      </head>
      <body>
        <header class="site-header"><div class="container header-row"><a class="brand" href="{% url 'tracker:home' %}">{% translate "Refusal Tracker" %}</a></div></header>
        <main id="main" class="container feed-page">
          <h1><xsl:value-of select="atom:title"/></h1>
          <p class="lead"><xsl:value-of select="atom:subtitle"/></p>
          <section class="feed-howto" aria-labelledby="howto-heading">
            <h2 id="howto-heading">{% translate "This is a news feed: subscribe to hear of new cases" %}</h2>
            <p>{% translate "Copy the address of this page from the address bar and paste it into a feed reader (for example Feeder, NetNewsWire, Thunderbird or Inoreader). The reader then shows every newly published case without you having to come back, and this site does not learn who you are." %}</p>
            <p><a href="{atom:link[@rel='alternate']/@href}">{% translate "See these cases on the website" %}</a></p>
          </section>
          <h2>{% translate "Latest cases in this feed" %}</h2>
          <xsl:choose>
            <xsl:when test="atom:entry">
              <ul class="case-list">
                <xsl:for-each select="atom:entry">
                  <li class="case-row">
                    <h3 class="case-title"><a href="{atom:link/@href}"><xsl:value-of select="atom:title"/></a></h3>
                    <p class="case-meta">{% translate "Published" %} <xsl:value-of select="substring(atom:published, 1, 10)"/>
                      <xsl:for-each select="atom:category"> · <xsl:value-of select="@term"/></xsl:for-each></p>
                  </li>
                </xsl:for-each>
              </ul>
            </xsl:when>
            <xsl:otherwise><p>{% translate "No published case matches this feed yet." %}</p></xsl:otherwise>
          </xsl:choose>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
