"""Files and pages for the submission tests: images carrying every kind of metadata."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

SECRET = "CANARY-Ivan-Petrov-Belgorod"  # appears in every piece of metadata we plant
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    f'22-rdf-syntax-ns#"><rdf:Description>{SECRET}</rdf:Description></rdf:RDF></x:xmpmeta>'
).encode()


def icc_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def gps_exif():
    """EXIF with the camera, the owner and a GPS position (Moscow, Red Square)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "CanaryPhone"
    exif[ExifTags.Base.Model] = SECRET
    exif[ExifTags.Base.Artist] = SECRET
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (55.0, 45.0, 13.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (37.0, 37.0, 12.0),
    }
    return exif


def picture(mode="RGB", size=(64, 48)):
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    for x in range(size[0] // 2):
        for y in range(size[1]):
            image.putpixel((x, y), (20, 40, 220) if mode == "RGB" else 0)
    return image


def jpeg_with_metadata():
    output = io.BytesIO()
    picture().save(
        output,
        "JPEG",
        exif=gps_exif(),
        comment=SECRET.encode(),
        icc_profile=icc_profile(),
        xmp=XMP,
        quality=95,
    )
    return output.getvalue()


def png_with_metadata():
    info = PngInfo()
    info.add_text("Author", SECRET)
    info.add_text("Comment", SECRET, zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    output = io.BytesIO()
    picture().save(output, "PNG", pnginfo=info, exif=gps_exif(), icc_profile=icc_profile())
    return output.getvalue()


def webp_with_metadata():
    output = io.BytesIO()
    picture().save(output, "WEBP", exif=gps_exif(), icc_profile=icc_profile(), xmp=XMP)
    return output.getvalue()


def pdf():
    """A small, valid one-page PDF (tests/pdf_helpers.py builds it byte by byte)."""
    from tests.pdf_helpers import build

    return build()


def decompression_bomb():
    """A PNG of a few KB that decodes to 100 megapixels."""
    output = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(output, "PNG")
    return output.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_segments(data):
    """The marker bytes of a JPEG's segments before the image data (SOS)."""
    markers, position = [], 2
    while position < len(data):
        assert data[position] == 0xFF, "not a segment"
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: image data follows
            break
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        position += 2 + length
    return markers


def png_chunks(data):
    chunks, position = [], 8
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunks.append(data[position + 4 : position + 8].decode("latin-1"))
        position += 12 + length
    return chunks


def is_checked(html, name, value=None):
    """Whether the radio button or checkbox `name`(=`value`) is ticked on the page."""
    for tag in re.findall(r"<input\b[^>]*>", html):
        if f'name="{name}"' in tag and (value is None or f'value="{value}"' in tag):
            return re.search(r"\schecked\b", tag) is not None
    raise AssertionError(f"no input {name}={value} on the page")


def field_block(html, name):
    """The HTML crispy-forms renders for one field: its label, input and messages."""
    end = r'(?=<div id="div_id_|</fieldset>|</form>)'
    match = re.search(rf'<div id="div_id_{re.escape(name)}".*?{end}', html, re.S)
    assert match, f"field {name} not on the page"
    return match.group(0)
