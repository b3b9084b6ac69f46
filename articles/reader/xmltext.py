"""Text made fit for XML 1.0, which has no way to write most control characters.

A headline, bullet or name pasted into the admin can carry one (a vertical tab from a word
processor, say).  HTML pages shrug it off, but Django's feed writer refuses it with an
exception, so one such headline would turn every feed listing it into a server error, and
a sitemap would stop being well-formed XML.
"""

import re

_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value):
    """``value`` without the characters XML 1.0 forbids; lists and tuples item by item."""
    if isinstance(value, str):
        return _NOT_IN_XML.sub("", value)
    if isinstance(value, list | tuple):
        return type(value)(xml_text(item) for item in value)
    return value
