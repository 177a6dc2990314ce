"""Attachment storage in AWS: a private S3 bucket (`EW_ATTACHMENT_BUCKET`), encrypted at rest,
reached only by the functions; the client is injected. `blobs_for(settings)` picks S3 when a bucket
is configured, else the local directory (`EW_ATTACHMENT_DIR`, or `<data-dir>/attachments`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from enforcewatch.casework.attachments import Blobs, LocalBlobs
from enforcewatch.errors import NotFound, StoreUnavailable

if TYPE_CHECKING:  # pragma: no cover
    from enforcewatch.config import Settings

DEFAULT_LOCAL_DIR = Path(".data/attachments")


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
        import boto3

        return S3Blobs(boto3.client("s3", region_name=settings.region), settings.attachment_bucket)
    return LocalBlobs(settings.attachment_dir or DEFAULT_LOCAL_DIR)
