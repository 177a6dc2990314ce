"""Attachment storage: the private S3 bucket in AWS (moto) and the choice between it and the local
directory."""

from __future__ import annotations

import pytest

from enforcewatch.casework.attachments import blob_key
from enforcewatch.config import Settings
from enforcewatch.errors import NotFound
from enforcewatch.store.blobs import LocalBlobs, S3Blobs, blobs_for
from support.casework import PDF


def test_s3_blobs_store_privately_and_read_back() -> None:
    import boto3
    from moto import mock_aws

    with mock_aws():
        s3 = boto3.client("s3", region_name="cn-north-1")
        s3.create_bucket(Bucket="ew-attachments", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
        blobs = S3Blobs(s3, "ew-attachments")
        key = blob_key("P-1", "abc", "def")
        blobs.put(key, PDF, "application/pdf")
        head = s3.head_object(Bucket="ew-attachments", Key=key)
        assert head["ServerSideEncryption"] == "AES256" and head["ContentDisposition"] == "attachment"
        assert blobs.get(key) == PDF
        with pytest.raises(NotFound):
            blobs.get(blob_key("P-1", "abc", "missing"))
        chosen = blobs_for(Settings(attachment_bucket="ew-attachments", region="cn-north-1"))
        assert isinstance(chosen, S3Blobs) and chosen.bucket == "ew-attachments"


def test_local_directory_when_no_bucket(tmp_path) -> None:
    chosen = blobs_for(Settings(attachment_dir=tmp_path / "att"))
    assert isinstance(chosen, LocalBlobs) and chosen.root == tmp_path / "att"
    with pytest.raises(ValueError):
        blob_key("../x", "a", "b")
