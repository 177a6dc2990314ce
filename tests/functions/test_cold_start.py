"""What keeps the Lambda handlers' cold start short (bench/bench_import.py measures it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import VerifyMismatchError

from enforcewatch.staff import accounts


def test_dummy_hash_costs_what_a_real_verification_costs() -> None:
    """The unknown-username path verifies against a constant hash made with the same parameters."""
    assert not accounts.PROFILE.check_needs_rehash(accounts._DUMMY_HASH)
    assert accounts.PROFILE.verify(accounts._DUMMY_HASH, "not-a-password-of-anyone")
    try:
        accounts.PROFILE.verify(accounts._DUMMY_HASH, "guess")
    except VerifyMismatchError:
        pass
    else:
        raise AssertionError("a wrong password verified")


def test_each_hasher_verifies_unknown_usernames_against_its_own_parameters() -> None:
    """Production accounts use the constant; another profile (the tests' cheap one) a hash of its own."""
    assert accounts.Accounts(None, accounts.PROFILE).dummy_hash == accounts._DUMMY_HASH  # type: ignore[arg-type]
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    dummy = accounts.Accounts(None, cheap).dummy_hash  # type: ignore[arg-type]
    assert dummy != accounts._DUMMY_HASH and not cheap.check_needs_rehash(dummy)


ROOT = Path(__file__).resolve().parents[2]
# Package prefixes: a name stands for that module or package and everything under it.
# Loaded by the staff function only: accounts and tokens (argon2, PyJWT), the staff routers, the
# casework and insight modules behind them, exports (openpyxl), and the calendar rules (YAML).
STAFF_ONLY = ("argon2", "jwt", "openpyxl", "yaml", "enforcewatch.staff", "enforcewatch.monitoring",
              "enforcewatch.insights", "enforcewatch.api.staff")
# Loaded by the submit function only: the public routers, the two submissions and the no-JS form stack.
PUBLIC_ONLY = ("enforcewatch.api.public", "enforcewatch.intake.complaints", "enforcewatch.intake.reports",
               "markupsafe")
# Never at cold start of any function: the site generator and its libraries are loaded on first use, if ever.
SITE_ONLY = ("jinja2", "markdown", "nh3", "enforcewatch.sitegen")


def loaded_by(function: str) -> set[str]:
    """The modules in sys.modules after a fresh interpreter imports functions/<function>/app.py, as
    Lambda does at cold start (fake credentials: building a client sends nothing)."""
    folder = ROOT / "functions" / function
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT / "src")]),
           "EW_TABLE_NAME": "cold-start", "AWS_REGION": "cn-north-1", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "EW_TOKEN_SECRET": "cold-start-" + "x" * 32,
           "EW_RECEIPT_SECRET": "cold-start-receipt-" + "x" * 32,
           "EW_CONTENT_DIR": str(ROOT / "site" / "content")}
    env.pop("AWS_PROFILE", None)
    script = "import json, sys, app, enforcewatch; print(json.dumps([enforcewatch.__file__, sorted(sys.modules)]))"
    proc = subprocess.run([sys.executable, "-c", script], cwd=folder, env=env, capture_output=True, text=True,
                          check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    package, modules = json.loads(proc.stdout.splitlines()[-1])
    assert Path(package).resolve().is_relative_to(ROOT / "src"), package  # this checkout's code
    return set(modules)


def _present(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    """The loaded modules under any of `prefixes`."""
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_submit_function_loads_no_staff_or_site_modules() -> None:
    modules = loaded_by("submit_report")
    assert "enforcewatch.api.public.app" in modules  # the probe sees the handler's imports at all
    assert _present(modules, STAFF_ONLY + SITE_ONLY) == []


def test_staff_function_loads_no_public_routers_or_form_stack() -> None:
    modules = loaded_by("staff_api")
    assert "enforcewatch.api.staff.app" in modules
    assert _present(modules, PUBLIC_ONLY + SITE_ONLY) == []


def test_staff_function_leaves_the_lazy_route_groups_for_their_first_request() -> None:
    """The casework, insight, draw, plan and channel routes are imported when first requested (api/staff/lazy.py)."""
    from enforcewatch.api.staff.app import LAZY_GROUPS

    modules = loaded_by("staff_api")
    assert "enforcewatch.api.staff.queue" in modules
    assert [module for module, _prefix in LAZY_GROUPS if module in modules] == []
    # nor the domain packages behind them (the plan, notice and draw pages included)
    assert sorted(m for m in modules if m.split(".")[:2] in (["enforcewatch", "control"], ["enforcewatch", "channel"],
                                                            ["enforcewatch", "draws"])) == []


def test_api_package_imports_nothing_until_asked() -> None:
    """Importing a submodule runs enforcewatch/api/__init__.py: it must stay empty of routers."""
    script = ("import sys, enforcewatch.api.errors; "
              "assert 'enforcewatch.api.public.app' not in sys.modules, 'public app loaded'; "
              "from enforcewatch.api import MAX_BODY, create_app; "
              "import enforcewatch.api.public.app as p; assert create_app is p.create_app and MAX_BODY == p.MAX_BODY")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_deadline_function_loads_no_web_or_model_stack() -> None:
    """The daily check reads the store and applies the rules: no web framework, no pydantic."""
    modules = loaded_by("deadline_check")
    assert "enforcewatch.jobs.daily" in modules
    assert _present(modules, ("fastapi", "starlette", "mangum", "pydantic", "enforcewatch.api", *PUBLIC_ONLY,
                              *SITE_ONLY)) == []


def test_prefixes_cover_whole_packages() -> None:
    assert _present({"enforcewatch.sitegen.render", "enforcewatch.sitegenx", "yaml.cyaml"}, SITE_ONLY + ("yaml",)) == [
        "enforcewatch.sitegen.render", "yaml.cyaml"]


def test_settings_hide_their_secrets_from_repr() -> None:
    from enforcewatch.config import Settings

    text = repr(Settings(token_secret="t" * 40, receipt_secret="r" * 40))
    assert "t" * 40 not in text and "r" * 40 not in text
