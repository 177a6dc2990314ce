"""Attachment storage: in AWS a private S3 bucket (`EW_ATTACHMENT_BUCKET`), encrypted at rest,
reached only by the functions, the client injected; locally a private directory. `blobs_for(settings)`
picks S3 when a bucket is configured, else the local directory (`EW_ATTACHMENT_DIR`, or
`<data-dir>/attachments`)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from enforcewatch.errors import NotFound, StoreUnavailable

if TYPE_CHECKING:  # pragma: no cover
    from enforcewatch.config import Settings

DEFAULT_LOCAL_DIR = Path(".data/attachments")
SAFE_KEY = re.compile(r"^[A-Za-z0-9-]+(/[A-Za-z0-9-]+)*$")  # an attachment key: no `..`, no absolute path


class Blobs(Protocol):
    def put(self, key: str, data: bytes, media_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...


class LocalBlobs:
    """A private directory (the local stack's `<data-dir>/attachments`); files readable by the owner only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not SAFE_KEY.match(key):
            raise ValueError(f"unsafe attachment key {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes, media_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound("附件不存在") from None


class S3Blobs:
    def __init__(self, client: Any, bucket: str) -> None:
        self.client, self.bucket = client, bucket

    def put(self, key: str, data: bytes, media_type: str) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=media_type,
                                   ServerSideEncryption="AES256", ContentDisposition="attachment")
        except ClientError as exc:
            raise StoreUnavailable("附件暂时无法保存，请稍后重试") from exc

    def get(self, key: str) -> bytes:
        try:
            out = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise NotFound("附件不存在") from None
            raise StoreUnavailable("附件暂时无法读取，请稍后重试") from exc
        return bytes(out["Body"].read())


def blobs_for(settings: Settings) -> Blobs:
    if settings.attachment_bucket:
        # cold start: the S3 client library loads only when a bucket is configured
        import boto3

        return S3Blobs(boto3.client("s3", region_name=settings.region), settings.attachment_bucket)
    return LocalBlobs(settings.attachment_dir or DEFAULT_LOCAL_DIR)
