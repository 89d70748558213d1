"""Uploaded files: received into memory within limits, checked by content, then rebuilt.

Nothing the submitter sends is written to disk as sent. The upload handler keeps each file
in memory and drops any file over the size limits (the form then says so); the form checks
the bytes (never the name or declared type) and rebuilds every image from its pixels, which
leaves behind EXIF (and GPS), XMP, ICC profiles, PNG text chunks and JPEG comments, and
rewrites every PDF without scripts, actions, attachments, forms and metadata
(submissions/pdf.py). Only the rebuilt bytes reach the storage, under a random name.
"""

import contextlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from . import pdf
from .models import Attachment


class RefusedUpload(UploadedFile):
    """Stands in for a file the handler did not keep because it was over a size limit."""

    refused = True

    def __init__(self, name, size):
        super().__init__(io.BytesIO(), name=name, content_type="", size=size)


class LimitedMemoryUploadHandler(FileUploadHandler):
    """Keeps uploads in memory up to SUBMISSION_MAX_FILE_SIZE each and
    SUBMISSION_MAX_TOTAL_UPLOAD in all; a file over either limit is read and thrown away."""

    def __init__(self, request=None):
        super().__init__(request)
        self.total = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.received = 0
        self.refused = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        over_file = self.received > settings.SUBMISSION_MAX_FILE_SIZE
        over_total = self.total + self.received > settings.SUBMISSION_MAX_TOTAL_UPLOAD
        if over_file or over_total:
            self.refused = True
            self.buffer = io.BytesIO()
        if not self.refused:
            self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.refused:
            return RefusedUpload(self.file_name, file_size)
        self.total += file_size
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


@dataclass(frozen=True)
class CleanFile:
    """A checked upload, ready to store: rebuilt image bytes, or a PDF as sent."""

    content: bytes
    kind: str
    content_type: str
    extension: str
    metadata_removed: bool


# Pillow format name -> (content type, extension). Nothing else is ever opened as an image.
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}

NOT_ACCEPTED = _(
    "This file is not a JPEG, PNG or WebP image or a PDF document, so it cannot be accepted."
)


def sniff(head):
    """The format the first bytes announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"%PDF-"):
        return "PDF"
    return None


def check_sizes(files):
    """Count and size rules for one form's files, with messages that name the file."""
    if len(files) > settings.SUBMISSION_MAX_FILES:
        raise ValidationError(
            _("Please choose at most %(count)d files."),
            params={"count": settings.SUBMISSION_MAX_FILES},
        )
    for upload in files:
        if getattr(upload, "refused", False) or upload.size > settings.SUBMISSION_MAX_FILE_SIZE:
            raise ValidationError(
                _("A file is larger than %(size)s, or all files together are over %(total)s."),
                params={
                    "size": filesizeformat(settings.SUBMISSION_MAX_FILE_SIZE),
                    "total": filesizeformat(settings.SUBMISSION_MAX_TOTAL_UPLOAD),
                },
            )
    if sum(upload.size for upload in files) > settings.SUBMISSION_MAX_TOTAL_UPLOAD:
        raise ValidationError(
            _("All files together may be at most %(total)s."),
            params={"total": filesizeformat(settings.SUBMISSION_MAX_TOTAL_UPLOAD)},
        )


def clean_upload(upload):
    """Check one upload by its content; return a CleanFile or raise ValidationError."""
    upload.seek(0)
    data = upload.read()
    found = sniff(data[:16])
    if found is None:
        raise ValidationError(NOT_ACCEPTED, code="file_type")
    if found == "PDF":
        return _clean_pdf(data)
    return _rebuild_image(data, found)


def _clean_pdf(data):
    return CleanFile(pdf.rewrite(data), Attachment.Kind.PDF, "application/pdf", ".pdf", True)


def _rebuild_image(data, announced):
    damaged = ValidationError(
        _("This image is damaged or incomplete. Please choose another copy of it."),
        code="file_damaged",
    )
    too_large = ValidationError(
        _("This image is too large (over %(megapixels)d megapixels). Please send a smaller copy."),
        code="image_too_large",
        params={"megapixels": settings.SUBMISSION_MAX_IMAGE_PIXELS // 1_000_000},
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[announced])
            if image.width * image.height > settings.SUBMISSION_MAX_IMAGE_PIXELS:
                raise too_large
            image.load()
            clean = _pixels_only(image, announced)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise damaged from None

    content_type, extension = IMAGE_FORMATS[announced]
    output = io.BytesIO()
    if announced == "JPEG":
        clean.save(output, "JPEG", quality=90)
    elif announced == "PNG":
        clean.save(output, "PNG")
    else:
        clean.save(output, "WEBP", quality=90)
    return CleanFile(output.getvalue(), Attachment.Kind.IMAGE, content_type, extension, True)


def _pixels_only(image, announced):
    """A new image made of the pixels alone, upright, with nothing of the original's info.
    At most two copies of the pixels exist at once (a 40 MP photo is 120 MB each)."""
    with contextlib.suppress(Exception):  # a broken EXIF block only costs the rotation
        ImageOps.exif_transpose(image, in_place=True)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if announced == "JPEG" or not has_alpha:
        mode = "L" if image.mode in ("1", "L") else "RGB"
    else:
        mode = "RGBA"
    source = image if image.mode == mode else image.convert(mode)
    clean = Image.new(mode, source.size)
    clean.paste(source)
    return clean
