"""Support agents and their sign-in sessions.

Sessions live here, server-side, so signing out, a new password or disabling an agent ends
them at once. Tokens are stored hashed: a copy of the database signs nobody in.
"""

import hashlib
import secrets

from claims.store.clock import Clock
from claims.store.connection import Connection


def token_hash(token: str) -> str:
    """How a session token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class Agents:
    """Agents' accounts and sessions."""

    def __init__(self, connection: Connection, clock: Clock):
        self.db, self.clock = connection, clock

    def add_agent(self, name: str, password_hash: str) -> None:
        """Create an agent, or give an existing one a new password and enable them again.

        A new password ends every session opened with the old one: it is usually set because
        the old one may be known to someone else.
        """
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO agents (name, password_hash, disabled, created_at)"
                " VALUES (?, ?, 0, ?) ON CONFLICT (name) DO UPDATE"
                " SET password_hash = excluded.password_hash, disabled = 0",
                (name, password_hash, self.clock.stamp()),
            )
            db.execute("DELETE FROM agent_sessions WHERE agent = ?", (name,))

    def disable_agent(self, name: str) -> bool:
        """Stop an agent signing in, and end their open sessions at once."""
        with self.db.transaction() as db:
            changed = db.execute("UPDATE agents SET disabled = 1 WHERE name = ?", (name,))
            db.execute("DELETE FROM agent_sessions WHERE agent = ?", (name,))
            return changed.rowcount == 1

    def enabled_agents(self) -> list[str]:
        """The names of agents who may sign in, alphabetically (to pick one to assign)."""
        rows = self.db.execute("SELECT name FROM agents WHERE disabled = 0 ORDER BY name")
        return [row["name"] for row in rows]

    def agent_password_hash(self, name: str) -> str | None:
        """The password hash of an enabled agent; None for unknown or disabled names."""
        row = self.db.execute(
            "SELECT password_hash FROM agents WHERE name = ? AND disabled = 0", (name,)
        ).fetchone()
        return row["password_hash"] if row else None

    def start_session(self, agent: str, lifetime_seconds: int) -> str:
        """A new sign-in; returns the token for the agent's cookie."""
        token = secrets.token_urlsafe(32)
        with self.db.transaction() as db:
            db.execute("DELETE FROM agent_sessions WHERE expires_at < ?", (self.clock.stamp(),))
            db.execute(
                "INSERT INTO agent_sessions (token_hash, agent, expires_at) VALUES (?, ?, ?)",
                (token_hash(token), agent, self.clock.stamp(later_by_seconds=lifetime_seconds)),
            )
        return token

    def session_agent(self, token: str) -> str | None:
        """The enabled agent signed in with this token, while the session lasts."""
        row = self.db.execute(
            "SELECT s.agent FROM agent_sessions s JOIN agents a ON a.name = s.agent"
            " WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled = 0",
            (token_hash(token), self.clock.stamp()),
        ).fetchone()
        return row["agent"] if row else None

    def end_session(self, token: str) -> None:
        with self.db.transaction() as db:
            db.execute("DELETE FROM agent_sessions WHERE token_hash = ?", (token_hash(token),))
