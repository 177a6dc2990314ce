"""A stand-in for the Lambda context object handlers receive (the attributes Mangum and our code read)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FakeContext:
    function_name: str = "submit_report"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws-cn:lambda:cn-north-1:123456789012:function:submit_report"
    aws_request_id: str = "0f3c7f1e-0000-4000-8000-000000000000"
    remaining_ms: int = 10_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def context_for(function: str, memory: int = 1024, remaining_ms: int = 10_000,
                request_id: str = "0f3c7f1e-0000-4000-8000-000000000001") -> FakeContext:
    return FakeContext(function, memory, f"arn:aws-cn:lambda:cn-north-1:123456789012:function:{function}",
                       request_id, remaining_ms)
