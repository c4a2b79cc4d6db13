"""Property-based contract: schemathesis runs every operation of /api/schema/ with all its checks,
over real HTTP against a live server, as an admin, an operator and a viewer. Any finding fails."""

import subprocess
import sys

import pytest

from tests.contract.conftest import token_of

# Bounded and derandomised: the same cases on every run, a few minutes in all on two cores.
MAX_EXAMPLES = 15
SEED = 17


def run_schemathesis(base_url: str, token: str, report_dir) -> subprocess.CompletedProcess:
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{base_url}/api/schema/",
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED),
        "--generation-deterministic",
        "--workers", "1",
        "--request-timeout", "30",
        "--header", f"Authorization: Token {token}",
        "--no-color",
        "--report-dir", str(report_dir),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("persona", ["admin_user", "operator", "viewer"])
def test_every_operation_holds_its_contract(persona, world, live_server, request, tmp_path):
    user = request.getfixturevalue(persona)
    result = run_schemathesis(live_server.url, token_of(user), tmp_path)
    print(result.stdout, result.stderr)  # pytest shows it when the run fails: every finding, with a curl to replay it
    assert result.returncode == 0, "schemathesis found contract violations (see the captured output)"
