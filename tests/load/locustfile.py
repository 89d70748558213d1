"""Load for run_load.py: readers on the listing and the search, submitters sending the real
form (with its CSRF and form tokens, at a person's pace).

Run through run_load.py, which starts the server and reads the report this file writes
(LOAD_REPORT) when the run ends: every request's time, kind and status, whether a 503 was
the friendly outage page, and every receipt code handed out.
"""

import json
import os
import random
import re
import time

import gevent
from locust import FastHttpUser, between, events, task

READERS = int(os.environ.get("LOAD_READERS", "50"))
SUBMITTERS = int(os.environ.get("LOAD_SUBMITTERS", "10"))
# Seconds between loading the form and sending it; more than the server's
# SUBMISSION_MIN_SECONDS, so the form is not refused as sent at machine speed.
FORM_FILL_SECONDS = float(os.environ.get("LOAD_FORM_FILL_SECONDS", "1.5"))
REPORT = os.environ.get("LOAD_REPORT", "load-report.json")

SEARCH_WORDS = ["contract", "unit", "brigade", "court", "dismissed", "Belgorod", "отказ", "337"]
FILTERS = [
    "",
    "?sort=-people",
    "?sort=event_date",
    "?kind=refused_deploy",
    "?force=rosgvardia",
    "?confidence=confirmed",
    "?date_from=2022-06-01",
    "?per_page=50",
    "?page=2",
]
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECEIPT = re.compile(r'class="receipt-code"[^>]*><strong>([A-Z0-9-]+)</strong>')
OUTAGE_PAGE = "temporarily unavailable"
# A report that could not be stored comes back as the form, with its draft, at 503.
FORM_OUTAGE_PAGE = "could not store your report just now"
DRAFT = "Load test: a group of contract soldiers refused to deploy."

requests_seen = []  # (seconds since the epoch, kind, status, friendly 503?)
receipts = []


def record(kind, response):
    status = response.status_code or 0  # 0: no HTTP answer at all
    if status == 0:
        print(f"no HTTP answer to {kind}: {getattr(response, 'error', None)!r}", flush=True)
    text = response.text or ""
    outage_page = OUTAGE_PAGE in text or (FORM_OUTAGE_PAGE in text and DRAFT in text)
    friendly = status == 503 and outage_page and bool(response.headers.get("Retry-After"))
    requests_seen.append((time.time(), kind, status, friendly))
    return status


class Reader(FastHttpUser):
    fixed_count = READERS
    wait_time = between(0.2, 1.0)
    network_timeout = 30.0
    connection_timeout = 10.0

    def read(self, url, name):
        with self.client.get(url, name=name, catch_response=True) as response:
            if record("read", response) != 200:
                response.failure(f"status {response.status_code}")

    @task(3)
    def listing(self):
        self.read("/cases/" + random.choice(FILTERS), "/cases/ (filters)")

    @task(2)
    def search(self):
        self.read(f"/cases/?q={random.choice(SEARCH_WORDS)}", "/cases/?q= (search)")


class Submitter(FastHttpUser):
    fixed_count = SUBMITTERS
    wait_time = between(0.5, 1.5)
    network_timeout = 30.0
    connection_timeout = 10.0

    @task
    def send_report(self):
        with self.client.get("/submit/", name="/submit/ (form)", catch_response=True) as form:
            if record("form", form) != 200:
                form.failure(f"status {form.status_code}")
                return
            form_token = FORM_TOKEN.search(form.text)
            csrf_token = CSRF_TOKEN.search(form.text)
        gevent.sleep(FORM_FILL_SECONDS)  # a person reads the form and types
        data = {
            "csrfmiddlewaretoken": csrf_token.group(1),
            "form_token": form_token.group(1),
            "what_happened": DRAFT,
            "event_date": "2023-05-10",
            "event_date_precision": "day",
            "location_country": "ua",
            "location": "Kharkiv oblast",
            "unit": f"military unit {random.randint(1000, 99999)}",
            "people_count": str(random.randint(1, 40)),
            "people_qualifier": "about",
            "refusal_kind": "refused_deploy",
            "outcomes": "dismissed",
            "relation": "relative",
            "consent_to_publish": "on",
            "website": "",
            "sources-TOTAL_FORMS": "1",
            "sources-INITIAL_FORMS": "0",
            "sources-MIN_NUM_FORMS": "0",
            "sources-MAX_NUM_FORMS": "10",
            "sources-0-url": "https://example.org/news/load-test",
            "sources-0-outlet": "Example News",
        }
        with self.client.post(
            "/submit/", data=data, name="/submit/ (send)", catch_response=True
        ) as sent:
            status = record("submit", sent)
            receipt = RECEIPT.search(sent.text or "") if status == 200 else None
            if receipt:
                receipts.append(receipt.group(1))
            else:
                sent.failure(f"no receipt (status {status})")


@events.quitting.add_listener
def write_report(environment, **kwargs):
    with open(REPORT, "w") as report:
        json.dump({"requests": requests_seen, "receipts": receipts}, report)
