"""What keeps the Lambda handlers' cold start short (bench/bench_import.py measures it)."""

from __future__ import annotations

from argon2.exceptions import VerifyMismatchError

from enforcewatch import accounts


def test_dummy_hash_costs_what_a_real_verification_costs() -> None:
    """The unknown-username path verifies against a constant hash made with the same parameters."""
    assert not accounts._hasher.check_needs_rehash(accounts._DUMMY_HASH)
    assert accounts._hasher.verify(accounts._DUMMY_HASH, "not-a-password-of-anyone")
    try:
        accounts._hasher.verify(accounts._DUMMY_HASH, "guess")
    except VerifyMismatchError:
        pass
    else:
        raise AssertionError("a wrong password verified")
