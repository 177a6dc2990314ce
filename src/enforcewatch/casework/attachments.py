"""Attachments a monitoring point sends with its answer to a verification request (seed 000 §七:
各行政执法监测点应如实提供相关资料).

Only PDF, JPEG and PNG are accepted, recognised by their first bytes (a name or a declared type is
not trusted), each at most `MAX_BYTES`, at most `MAX_FILES` per answer. Files are kept under a key
made of ids only (never the uploaded name) in a `Blobs` store: a directory locally, a private S3
bucket in AWS (`enforcewatch.store.blobs`). Nothing here is ever served publicly; staff download
an attachment through an authenticated route that checks the point's district.
"""

from __future__ import annotations

from dataclasses import dataclass

from enforcewatch.errors import FieldError, InputError
from enforcewatch.store.blobs import SAFE_KEY

MAX_BYTES = 2 * 1024 * 1024  # per file; a whole answer stays under Lambda's 6 MB request limit
MAX_FILES = 2
MAX_NAME = 100
SIGNATURES = (  # (first bytes, extension, media type)
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
)


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class Checked:
    name: str  # the uploaded name, shown to staff only (as text)
    extension: str
    media_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def sniff(data: bytes) -> tuple[str, str] | None:
    for magic, extension, media in SIGNATURES:
        if data.startswith(magic):
            return extension, media
    return None


def check(uploads: list[Upload]) -> list[Checked]:
    """Every file checked; all problems raised together, naming the file."""
    problems: list[FieldError] = []
    if len(uploads) > MAX_FILES:
        problems.append(FieldError(("files",), f"附件最多 {MAX_FILES} 个"))
    out = []
    for i, upload in enumerate(uploads):
        name = (upload.name or f"附件{i + 1}").replace("\\", "/").rsplit("/", 1)[-1][:MAX_NAME]
        kind = sniff(upload.data)
        if not upload.data:
            problems.append(FieldError(("files", i), f"附件“{name}”是空文件"))
        elif len(upload.data) > MAX_BYTES:
            problems.append(FieldError(("files", i), f"附件“{name}”超过 {MAX_BYTES // (1024 * 1024)} MB"))
        elif kind is None:
            problems.append(FieldError(("files", i), f"附件“{name}”不是 PDF、JPG 或 PNG 文件"))
        else:
            out.append(Checked(name, kind[0], kind[1], upload.data))
    if problems:
        raise InputError("；".join(p.msg for p in problems), problems)
    return out


def blob_key(point_id: str, verify_id: str, attachment_id: str) -> str:
    key = f"attachments/{point_id}/{verify_id}/{attachment_id}"
    if not SAFE_KEY.match(key):
        raise ValueError(f"unsafe attachment key {key!r}")
    return key
