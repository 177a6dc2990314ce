"""Workbooks written the same way every time: the ZIP entries of an XLSX get a fixed time, so
the same content gives the same bytes (golden output, caching, comparing a download)."""

from __future__ import annotations

import io
import re
import zipfile

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a ZIP entry can carry
DOC_TIME = "2025-01-01T00:00:00Z"
# openpyxl stamps the save time into docProps/core.xml whatever the workbook's properties say.
_MODIFIED = re.compile(rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*(</dcterms:)")


def stable_xlsx(data: bytes) -> bytes:
    """`data` (an XLSX) with every entry's time and the document's times fixed, entries in their order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + DOC_TIME.encode() + rb"\g<2>", body)
            dst.writestr(entry, body)
    return out.getvalue()
