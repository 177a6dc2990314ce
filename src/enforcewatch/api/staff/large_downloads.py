"""Downloads in AWS: a Lambda response is at most 6 MB (and API Gateway base64-encodes binary
bodies, a third larger), so an export over LIMIT is written to the export bucket and the client is
sent on with a short-lived pre-signed URL. Locally (no bucket) the staff app streams instead."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from typing import Any

from fastapi.responses import RedirectResponse, Response

LIMIT = 4 * 1024 * 1024  # raw bytes; ×4/3 for base64 stays under Lambda's 6 MB
URL_SECONDS = 300


class S3Downloads:
    def __init__(self, client: Any, bucket: str, limit: int = LIMIT) -> None:
        self.client, self.bucket, self.limit = client, bucket, limit

    @classmethod
    def from_settings(cls, bucket: str, region: str) -> S3Downloads:
        # cold start: the S3 client loads only when large downloads are configured
        import boto3

        return cls(boto3.client("s3", region_name=region), bucket)

    def respond(self, chunks: Iterator[bytes], filename: str, media_type: str, headers: dict[str, str],
                rng: random.Random) -> Response:
        with tempfile.SpooledTemporaryFile(max_size=self.limit + 1) as spool:  # on disk (/tmp) past the limit
            size = 0
            for chunk in chunks:
                spool.write(chunk)
                size += len(chunk)
            spool.seek(0)
            if size <= self.limit:
                return Response(spool.read(), media_type=media_type, headers=headers)
            key = f"exports/{rng.getrandbits(128):032x}/{filename}"
            self.client.upload_fileobj(spool, self.bucket, key, ExtraArgs={
                "ContentType": media_type, "ContentDisposition": headers["Content-Disposition"],
                "ServerSideEncryption": "AES256"})
        url = self.client.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                                 ExpiresIn=URL_SECONDS)
        return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})
