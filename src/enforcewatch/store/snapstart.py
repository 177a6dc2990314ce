"""Lambda SnapStart: what a function must build again when it resumes from a snapshot.

With SnapStart (infra/template.yaml, parameter EnableSnapStart) Lambda runs a function's
initialisation once, when a version is published, and resumes every new execution environment
from a snapshot of its memory. A boto3 client made during initialisation would then carry the
snapshot's credentials (the publishing environment's, which expire) and its open connections
into every resumed copy, so each is replaced by a new client with the same service, region,
endpoint and configuration right after the restore (Lambda's `snapshot_restore_py` hooks, part of
its Python runtime). Nothing else is captured that must be fresh: randomness comes from
`random.SystemRandom` (the operating system, read at each use), and the secrets are the
function's configuration, the same for every copy.

Outside Lambda (tests, local runs) there are no snapshots and registering does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3


def fresh_client(client: Any) -> Any:
    """A new boto3 client like `client`: same service, region, endpoint and configuration."""
    meta = client.meta
    return boto3.client(meta.service_model.service_name, region_name=meta.region_name,
                        endpoint_url=meta.endpoint_url, config=meta.config)


def renew_clients(*holders: Any) -> Callable[[], None]:
    """The restore hook for objects that keep a boto3 client in `.client` (None is skipped)."""
    def renew() -> None:
        for holder in holders:
            if holder is not None:
                holder.client = fresh_client(holder.client)
    return renew


def after_restore(hook: Callable[[], None]) -> bool:
    """Run `hook` whenever Lambda resumes this function from a snapshot; False where there are no
    snapshots (the hooks library exists only in Lambda's Python runtime)."""
    try:
        # cold start: not a cost; the module exists only in Lambda's SnapStart runtime, so it cannot be
        # imported anywhere else
        from snapshot_restore_py import register_after_restore  # type: ignore[import-not-found]  # Lambda's runtime
    except ImportError:
        return False
    register_after_restore(hook)
    return True
