"""Keys issued or revoked with `scheduler admin` are in the audit: an event's key in that event's (read by its
host through the audit route), an admin key (of no event) in the installation's (event None, no route reads it)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from api.storage.models import AuditRow
from tests.support.paths import ROOT
from tests.support.service import Service


def admin_cli(service: Service, *args: str) -> str:
    env = {**service.settings.to_env(), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "api.cli", "admin", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout


def entries(service: Service, action: str, target: str) -> list[dict]:
    audit = service.get("host", "/events/conf/audit").json()
    return [a for a in audit if a["action"] == action and a["target"] == target]


@pytest.mark.slow
def test_keys_issued_and_revoked_on_the_command_line_are_in_the_audit(sqlite_service: Service) -> None:
    service = sqlite_service
    key_id, _ = admin_cli(service, "create-key", "--role", "liaison", "--event", "conf", "--delegation", "B").split()
    [issued] = entries(service, "key.issue", key_id)
    assert issued["role"] == "admin" and issued["key_id"] is None and issued["delegation"] is None
    assert issued["detail"] == {"role": "liaison", "delegation": "B", "by": "admin CLI"}
    admin_cli(service, "revoke-key", key_id)
    admin_cli(service, "revoke-key", key_id)  # again: nothing changes, nothing more is recorded
    [revoked] = entries(service, "key.revoke", key_id)
    assert revoked["role"] == "admin" and revoked["detail"] == {"by": "admin CLI"}
    assert revoked["id"] > issued["id"]
    # an admin key belongs to no event: it is in the installation's audit, not in any event's
    admin_id, _ = admin_cli(service, "create-key", "--role", "admin").split()
    admin_cli(service, "revoke-key", admin_id)
    assert entries(service, "key.issue", admin_id) == []
    with service.client.app.state.db.reading() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.target == admin_id).order_by(AuditRow.id)).all()
        assert [(r.event_id, r.action, r.role, r.detail["by"]) for r in rows] == [
            (None, "key.issue", "admin", "admin CLI"), (None, "key.revoke", "admin", "admin CLI")]
