"""Publish the built site (`_site/`) to the site bucket, with cache headers; optionally invalidate CloudFront.

Only changed files are uploaded (compared by MD5 with the bucket's ETag); with --delete, objects no
longer in the build are removed. Works in both partitions: the region decides the endpoint
(`--region cn-north-1` talks to s3.cn-north-1.amazonaws.com.cn). Credentials come from the usual
AWS sources (environment, profile, instance role). Run through `scripts/publish-site`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from enforcewatch.store.siteupload import (  # noqa: F401 - re-exported for this script's users
    ASSETS,
    IMMUTABLE,
    PAGES,
    LocalFile,
    Plan,
    PublishError,
    apply,
    cache_control,
    content_type,
    invalidate,
    local_files,
    plan,
    remote_etags,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/publish-site", description=__doc__.splitlines()[0])
    parser.add_argument("--bucket", required=True, help="the stack's SiteBucketName output")
    parser.add_argument("--site-dir", type=Path, default=Path("_site"), help="the built site (default _site)")
    parser.add_argument("--prefix", default="", help="key prefix in the bucket (default: the bucket's root)")
    parser.add_argument("--region", help="AWS region, e.g. cn-north-1 (default: from the environment)")
    parser.add_argument("--delete", action="store_true", help="remove objects that are no longer in the build")
    parser.add_argument("--distribution", help="CloudFront distribution id to invalidate after uploading")
    parser.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    args = parser.parse_args(argv)

    import boto3  # imported here: the pure functions above are tested without AWS
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        files = local_files(args.site_dir, args.prefix)
        s3 = boto3.client("s3", region_name=args.region)
        todo = plan(files, remote_etags(s3, args.bucket, args.prefix), args.delete)
        print(f"{len(todo.upload)} to upload, {len(todo.delete)} to delete, {todo.unchanged} unchanged")
        if args.dry_run:
            for f in todo.upload:
                print(f"upload {f.key}  [{f.content_type}; {f.cache_control}]")
            for key in todo.delete:
                print(f"delete {key}")
            return 0
        apply(s3, args.bucket, todo)
        if args.distribution and (todo.upload or todo.delete):
            cloudfront = boto3.client("cloudfront", region_name=args.region)
            print(f"invalidation {invalidate(cloudfront, args.distribution, time.time())} requested")
    except (PublishError, BotoCoreError, ClientError) as exc:
        print(f"publish-site: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
