"""The built site to the site bucket: which files changed (by MD5 against the bucket's ETags), with
the cache headers each kind of file gets; optionally a CloudFront invalidation. Used by
`enforcewatch publish` and `scripts/publish-site`. The S3 and CloudFront clients are passed in.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import boto3

# Pagefind's index chunks and fragments are named by their content hash: they never change.
IMMUTABLE_DIRS = ("/pagefind/fragment/", "/pagefind/index/", "/pagefind/filter/")
IMMUTABLE = "public, max-age=31536000, immutable"
# Pages and data downloads change when the office updates a list: caches re-check within minutes.
PAGES = "public, max-age=300, must-revalidate"
ASSETS = "public, max-age=3600"
PAGE_SUFFIXES = {".html", ".json", ".csv", ".xlsx", ".xml", ".txt", ".ics", ".webmanifest", ""}
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml")
EXTRA_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".wasm": "application/wasm",
}


class PublishError(Exception):
    """Publishing cannot go ahead; the message says why."""


@dataclass(frozen=True)
class LocalFile:
    key: str
    path: Path
    md5: str
    content_type: str
    cache_control: str


def content_type(key: str) -> str:
    suffix = PurePosixPath(key).suffix.lower()
    kind = EXTRA_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"
    if kind.startswith(TEXT_TYPES) and "charset" not in kind:
        kind += "; charset=utf-8"
    return kind


def cache_control(key: str) -> str:
    path = f"/{key}"
    if any(part in path for part in IMMUTABLE_DIRS):
        return IMMUTABLE
    if PurePosixPath(key).suffix.lower() in PAGE_SUFFIXES or "/pagefind/" in path:
        return PAGES  # pagefind's entry files (pagefind.js, pagefind-entry.json) name the hashed chunks
    return ASSETS


def local_files(site_dir: Path, prefix: str = "") -> list[LocalFile]:
    if not (site_dir / "index.html").is_file():
        raise PublishError(f"{site_dir}: no index.html; build the site first (enforcewatch build)")
    files = []
    for path in sorted(site_dir.rglob("*")):
        if path.is_symlink():
            raise PublishError(f"{path}: symbolic links are not published")
        if not path.is_file() or path.name in (".build-manifest.json", ".build-cache"):  # the build's own (manifest.py)
            continue
        key = prefix + path.relative_to(site_dir).as_posix()
        md5 = hashlib.md5(path.read_bytes()).hexdigest()  # noqa: S324 - compared with S3's ETag
        files.append(LocalFile(key, path, md5, content_type(key), cache_control(key)))
        if key.endswith("/index.html") and key != prefix + "index.html":
            # CloudFront reads the bucket through its REST endpoint, which maps /report/ to the key
            # "report/", not "report/index.html" (and China has no edge functions to rewrite it):
            # the page is stored under its directory's key too.
            directory = key.removesuffix("index.html")
            files.append(LocalFile(directory, path, md5, content_type(key), cache_control(key)))
    return files


def remote_etags(s3: Any, bucket: str, prefix: str) -> dict[str, str]:
    etags = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            etags[obj["Key"]] = obj["ETag"].strip('"')
    return etags


@dataclass
class Plan:
    upload: list[LocalFile]
    delete: list[str]
    unchanged: int


def plan(files: list[LocalFile], etags: dict[str, str], delete: bool) -> Plan:
    upload = [f for f in files if etags.get(f.key) != f.md5]
    keep = {f.key for f in files}
    stale = sorted(k for k in etags if k not in keep) if delete else []
    return Plan(upload, stale, len(files) - len(upload))


def apply(s3: Any, bucket: str, todo: Plan, progress: Callable[[int], None] | None = None) -> None:
    for n, f in enumerate(todo.upload, start=1):
        if progress:
            progress(n)
        s3.put_object(Bucket=bucket, Key=f.key, Body=f.path.read_bytes(), ContentType=f.content_type,
                      CacheControl=f.cache_control)
    for start in range(0, len(todo.delete), 1000):
        chunk = todo.delete[start : start + 1000]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})


def invalidate(cloudfront: Any, distribution: str, now: float) -> str:
    out = cloudfront.create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": f"publish-{now:.0f}"},
    )
    return str(out["Invalidation"]["Id"])


def s3_client(region: str | None) -> Any:
    return boto3.client("s3", region_name=region)


def cloudfront_client(region: str | None) -> Any:
    return boto3.client("cloudfront", region_name=region)
