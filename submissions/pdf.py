"""PDFs are rewritten, not screened.

Every uploaded PDF is parsed with pikepdf (qpdf) and a new file is written from what is
left after everything that can act, call out or identify is taken away:

- scripts: /JS and /JavaScript anywhere, the document's JavaScript name tree;
- actions that run when the file is opened or something happens: /OpenAction, /AA (on the
  document, pages, annotations and fields), and every action (/A) except a jump within the
  document (GoTo), so no URI, Launch, GoToR, GoToE, ImportData, SubmitForm, ResetForm,
  Hide, Sound, Movie, Rendition or JavaScript action survives;
- embedded files (/EmbeddedFiles, /EF, file attachment annotations), rich media, forms
  (/AcroForm with its /XFA, widget annotations);
- metadata: the document information dictionary (/Info: author, creator, producer, dates)
  and every XMP stream (/Metadata), and applications' private data (/PieceInfo).

Only objects still reachable from the cleaned document are written, so a script hidden in
an unused object or an object stream (under any filter) is not carried over. An encrypted
PDF or one qpdf cannot read is refused. Images inside a PDF are kept as they are.
"""

import io

import pikepdf
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Keys removed from every dictionary of the file.
REMOVED_KEYS = {
    "/JS",
    "/JavaScript",
    "/AA",
    "/OpenAction",
    "/EmbeddedFiles",
    "/EmbeddedFile",
    "/EF",
    "/RichMediaContent",
    "/RichMediaSettings",
    "/XFA",
    "/AcroForm",
    "/Metadata",
    "/PieceInfo",
    "/URI",
    "/Next",
    "/Collection",
    "/Perms",
}
# Annotations that are forms, carry files or play media: removed from every page.
REMOVED_ANNOTATIONS = {
    "/Widget",
    "/FileAttachment",
    "/Screen",
    "/Movie",
    "/Sound",
    "/RichMedia",
    "/3D",
}
# The one kind of action kept: a jump to a place in the same document.
KEPT_ACTIONS = {"/GoTo"}

DAMAGED = _("This PDF is damaged or incomplete, so it cannot be accepted.")
ENCRYPTED = _(
    "This PDF is protected with a password or encrypted, so it cannot be accepted. Please "
    "send a copy without protection, or photos of its pages."
)


def rewrite(data):
    """The PDF rewritten without active content or metadata; ValidationError if it is
    encrypted or cannot be parsed."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                raise ValidationError(ENCRYPTED, code="pdf_encrypted")
            _clean(pdf)
            output = io.BytesIO()
            pdf.save(
                output,
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                fix_metadata_version=False,
                deterministic_id=True,
            )
    except pikepdf.PasswordError:
        raise ValidationError(ENCRYPTED, code="pdf_encrypted") from None
    except (pikepdf.PdfError, RecursionError, ValueError):
        raise ValidationError(DAMAGED, code="file_damaged") from None
    return output.getvalue()


def _clean(pdf):
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        # Keep named destinations (links within the document); drop scripts, files, etc.
        for key in list(names.keys()):
            if key != "/Dests":
                del names[key]
    for obj in pdf.objects:
        _scrub(obj, set())
    _scrub(root, set())
    for page in pdf.pages:
        _scrub(page.obj, set())


def _scrub(obj, seen):
    """Remove dangerous keys, actions and annotations from obj and the direct objects
    inside it (indirect ones are each visited from pdf.objects)."""
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Array):
        for item in list(obj):
            if isinstance(item, pikepdf.Object) and not item.is_indirect:
                _scrub(item, seen)
        return
    if not isinstance(obj, pikepdf.Dictionary):
        return
    marker = id(obj)
    if marker in seen:
        return
    seen.add(marker)
    for key in list(obj.keys()):
        if key in REMOVED_KEYS:
            del obj[key]
    action = obj.get("/A")
    if isinstance(action, pikepdf.Dictionary) and str(action.get("/S")) not in KEPT_ACTIONS:
        del obj["/A"]
    annotations = obj.get("/Annots")
    if isinstance(annotations, pikepdf.Array):
        kept = [annot for annot in annotations if _kept_annotation(annot)]
        obj["/Annots"] = pikepdf.Array(kept)
    for key in list(obj.keys()):
        value = obj[key]
        if isinstance(value, pikepdf.Object) and not value.is_indirect:
            _scrub(value, seen)


def _kept_annotation(annotation):
    return not (
        isinstance(annotation, pikepdf.Dictionary)
        and str(annotation.get("/Subtype")) in REMOVED_ANNOTATIONS
    )
