"""Hand-built PDFs, hostile ones included, written byte by byte (no PDF library makes
them, so nothing cleans them on the way): objects, optionally some of them inside an object
stream under a chosen filter, and a cross-reference stream that finds them all."""

import base64
import binascii
import io

import pikepdf

CANARY = "CANARY-Ivan-Petrov-Belgorod"
PAGE_CONTENT = b"BT /F1 24 Tf 72 720 Td (Ruling of the garrison court) Tj ET"


def encode(data, name):
    """`data` encoded with the PDF filter `name` (ASCIIHexDecode or ASCII85Decode)."""
    if name == "ASCIIHexDecode":
        return binascii.hexlify(data) + b">"
    if name == "ASCII85Decode":
        return base64.a85encode(data) + b"~>"
    raise ValueError(name)


def build(
    catalog_extra=b"", page_extra=b"", objects=None, packed=None, packed_filter=None, info=None
):
    """A one-page PDF. Objects 1-4 are the catalog, pages, page and its content; `objects`
    adds more {number: body}; `packed` adds objects stored inside an object stream
    encoded with `packed_filter`. Catalog and page dictionaries get the extra entries;
    `info` is the number of the document information dictionary."""
    bodies = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
            b" >> >> >> " + page_extra + b" >>"
        ),
        4: b"<< /Length %d >>\nstream\n" % len(PAGE_CONTENT) + PAGE_CONTENT + b"\nendstream",
        **(objects or {}),
    }
    output = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(bodies.items()):
        offsets[number] = len(output)
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    packed = packed or {}
    container = max([*bodies, *packed]) + 1
    if packed:
        offsets[container] = len(output)
        output += _object_stream(container, packed, packed_filter)
    xref_number = container + 1
    offsets[xref_number] = len(output)
    output += _xref_stream(xref_number, offsets, packed, container, info)
    output += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(output)


def _object_stream(number, packed, filter_name):
    header, body = [], b""
    for packed_number, packed_body in sorted(packed.items()):
        header.append(b"%d %d" % (packed_number, len(body)))
        body += packed_body + b"\n"
    header = b" ".join(header) + b"\n"
    data = encode(header + body, filter_name)
    return (
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /%s /Length %d >>\nstream\n"
        % (number, len(packed), len(header), filter_name.encode(), len(data))
        + data
        + b"\nendstream\nendobj\n"
    )


def _xref_stream(number, offsets, packed, container, info):
    size = number + 1
    rows = []
    for entry in range(size):
        if entry in offsets:
            rows.append(b"\x01" + offsets[entry].to_bytes(4, "big") + b"\x00\x00")
        elif entry in packed:
            index = sorted(packed).index(entry)
            rows.append(b"\x02" + container.to_bytes(4, "big") + index.to_bytes(2, "big"))
        else:
            rows.append(b"\x00\x00\x00\x00\x00\xff\xff")
    data = b"".join(rows)
    info_entry = b"/Info %d 0 R " % info if info else b""
    return (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R %s/Length %d >>\n"
        % (number, size, info_entry, len(data))
        + b"stream\n"
        + data
        + b"\nendstream\nendobj\n"
    )


def every_object_text(data):
    """The stored PDF reparsed: every object, stream data decoded, as one lowercase text,
    and the set of every dictionary key used anywhere."""
    texts, keys = [], set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        texts.append(repr(pdf.trailer))
        for obj in pdf.objects:
            _collect(obj, texts, keys, set())
            if isinstance(obj, pikepdf.Stream):
                try:
                    texts.append(obj.read_bytes().decode("latin-1"))
                except pikepdf.PdfError:
                    texts.append(obj.read_raw_bytes().decode("latin-1"))
    return "\n".join(texts).lower(), keys


def _collect(obj, texts, keys, seen):
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Dictionary):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        for key in list(obj.keys()):  # noqa: SIM118 (a pikepdf Dictionary)
            keys.add(str(key))
            value = obj[key]
            if isinstance(value, pikepdf.Object) and not value.is_indirect:
                _collect(value, texts, keys, seen)
            else:
                texts.append(str(value))
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            if isinstance(item, pikepdf.Object) and not item.is_indirect:
                _collect(item, texts, keys, seen)
            else:
                texts.append(str(item))
    elif isinstance(obj, pikepdf.String):
        texts.append(str(obj))
