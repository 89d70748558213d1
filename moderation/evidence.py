"""The evidence bundle of one case: a ZIP a moderator hands to a lawyer or a journalist.

It holds the case as JSON, every snapshot of its sources as the bytes received (and their
extracted text), the verification notes of its sources, the link checks, the case's audit
trail, and a manifest with the SHA-256 of every file (also as SHA256SUMS, for
`sha256sum -c`). Each snapshot's file is hashed again while the bundle is written and
compared with the hash recorded at capture: a mismatch is written into the manifest, never
hidden. Nothing of a submitter (text, contact, receipt) is included.
"""

import hashlib
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

from moderation.models import AuditEvent
from submissions.models import SubmissionSource
from tracker.api.serializers import CaseDetailSerializer
from tracker.preservation.models import SourceSnapshot

README = """Evidence bundle of case {case_id} of Refusal Tracker, generated {generated_at} by {who}.

case.json           the case as published (or as it stands, if not published)
sources.json        each source: link, who verified it and when, its snapshots and link checks
verification.json   the moderators' verification notes on the reported sources
audit.json          the audit trail of the case and of the reports that became it
snapshots/          each captured snapshot: .bin is the bytes exactly as received,
                    .txt the text extracted from them for reading
manifest.json       every file with its SHA-256 and size; each snapshot with the SHA-256
                    recorded when it was captured
SHA256SUMS          the same hashes; check them with: sha256sum -c SHA256SUMS
"""


def _json(value):
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _snapshot_record(snapshot, path):
    return {
        "id": snapshot.pk,
        "outcome": snapshot.outcome,
        "error": snapshot.error or None,
        "attempt": snapshot.attempt,
        "requested_url": snapshot.requested_url,
        "final_url": snapshot.final_url or None,
        "status_code": snapshot.status_code,
        "content_type": snapshot.content_type or None,
        "size": snapshot.size,
        "sha256": snapshot.sha256 or None,
        "fetched_at": snapshot.fetched_at,
        "via_proxy": snapshot.via_proxy,
        "file": path,
    }


class _Writer:
    def __init__(self, archive):
        self.archive = archive
        self.files = {}

    def add(self, path, data):
        self.archive.writestr(path, data)
        self.files[path] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        return self.files[path]["sha256"]


def _source_records(case, writer):
    records = []
    sources = case.sources.select_related("verified_by", "preservation")
    for source in sources.prefetch_related("checks"):
        snapshots = []
        for snapshot in source.snapshots.order_by("fetched_at", "id"):
            path = None
            if snapshot.is_captured:
                path = f"snapshots/source-{source.pk}/snapshot-{snapshot.pk}.bin"
                with snapshot.content.open("rb") as handle:
                    file_hash = writer.add(path, handle.read())
                writer.files[path]["recorded_sha256"] = snapshot.sha256
                writer.files[path]["matches_recorded"] = file_hash == snapshot.sha256
                if snapshot.text:
                    writer.add(path[: -len(".bin")] + ".txt", snapshot.text.encode())
            snapshots.append(_snapshot_record(snapshot, path))
        records.append(
            {
                "id": source.pk,
                "outlet": source.outlet,
                "url": source.url or None,
                "published_on": source.published_on,
                "verified_by": source.verified_by.get_username() if source.verified_by else None,
                "verified_at": source.verified_at,
                "wayback_url": getattr(getattr(source, "preservation", None), "wayback_url", None)
                or None,
                "snapshots": snapshots,
                "link_checks": [
                    {
                        "checked_at": check.checked_at,
                        "result": check.result,
                        "status_code": check.status_code,
                        "error": check.error or None,
                    }
                    for check in source.checks.all()
                ],
            }
        )
    return records


def _verification_notes(case):
    rows = SubmissionSource.objects.filter(submission__case=case).select_related("verified_by")
    return [
        {
            "report": row.submission_id,
            "url": row.url or None,
            "outlet": row.outlet or None,
            "reachable": row.reachable,
            "says_what_the_report_says": row.supports_report,
            "independent": row.independent,
            "note": row.verification_note,
            "verified_by": row.verified_by.get_username() if row.verified_by else None,
            "verified_at": row.verified_at,
        }
        for row in rows.order_by("submission_id", "pk")
    ]


def _audit_trail(case):
    events = AuditEvent.objects.filter(Q(case=case) | Q(submission__case=case)).order_by("at", "id")
    return [
        {
            "at": event.at,
            "action": event.action,
            "who": event.actor_name or "submitter",
            "report": event.submission_id,
            "case": event.case_id,
            "note": event.note,
            "details": event.details,
        }
        for event in events
    ]


def write_bundle(case, out, *, request):
    """Write the case's evidence bundle as a ZIP into the binary file `out`."""
    generated_at = timezone.now()
    who = request.user.get_username()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        writer = _Writer(archive)
        writer.add(
            "README.txt",
            README.format(case_id=case.pk, generated_at=generated_at.isoformat(), who=who).encode(),
        )
        case_data = dict(CaseDetailSerializer(case, context={"request": request}).data)
        case_data["status"] = case.status
        writer.add("case.json", _json(case_data))
        writer.add("sources.json", _json(_source_records(case, writer)))
        writer.add("verification.json", _json(_verification_notes(case)))
        writer.add("audit.json", _json(_audit_trail(case)))
        manifest = {
            "case": case.pk,
            "generated_at": generated_at,
            "generated_by": who,
            "files": writer.files,
        }
        archive.writestr("manifest.json", _json(manifest))
        sums = "".join(f"{entry['sha256']}  {path}\n" for path, entry in writer.files.items())
        archive.writestr("SHA256SUMS", sums)
    return writer.files


def captured_count(case):
    return SourceSnapshot.objects.filter(
        source__case=case, outcome=SourceSnapshot.Outcome.CAPTURED
    ).count()
