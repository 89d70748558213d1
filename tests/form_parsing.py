"""Read a rendered HTML form as a browser would submit it unchanged."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_index):
        super().__init__(convert_charrefs=True)
        self.form_index, self.forms_seen, self.inside = form_index, -1, False
        self.data, self.select, self.option, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms_seen += 1
            self.inside = self.forms_seen == self.form_index
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "reset"):
                self.data.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select = {
                "name": name,
                "chosen": [],
                "first": None,
                "multiple": "multiple" in attrs,
            }
        elif tag == "option" and self.select is not None:
            value = attrs.get("value")
            self.option = {"value": value, "text": "", "selected": "selected" in attrs}
        elif tag == "textarea" and name:
            self.textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        if self.textarea is not None:
            self.textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag == "option" and self.option is not None and self.select is not None:
            value = self.option["value"]
            value = self.option["text"] if value is None else value
            if self.select["first"] is None:
                self.select["first"] = value
            if self.option["selected"]:
                self.select["chosen"].append(value)
            self.option = None
        elif tag == "select" and self.select is not None:
            # A single select sends its first option when none is selected; a multiple one
            # sends nothing.
            chosen = self.select["chosen"]
            if not chosen and not self.select["multiple"]:
                chosen = [self.select["first"] or ""]
            self.data.extend((self.select["name"], value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            # HTML drops one newline right after <textarea>.
            self.data.append((self.textarea["name"], text[1:] if text.startswith("\n") else text))
            self.textarea = None


def form_fields(content, form_index=0):
    """[(name, value), …] of the `form_index`-th <form> on the page, as submitted unchanged."""
    reader = _FormReader(form_index)
    reader.feed(content)
    return reader.data


def as_post_data(fields):
    """The pairs as a dict of lists, for the test client."""
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def form_index_with(content, field_name):
    """The index of the first form on the page that has a field named `field_name`."""
    for index in range(content.count("<form")):
        if any(name == field_name for name, _value in form_fields(content, index)):
            return index
    raise AssertionError(f"no form with a field {field_name!r}")
