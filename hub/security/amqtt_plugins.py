"""The hall's users and ACL inside the embedded broker (amqtt 0.12), from Mosquitto's own files.

amqtt's bundled plugins read other formats (argon2/bcrypt password files, an ACL in its YAML
config); these two read the files ``hallq mosquitto-config`` writes, so a hall can switch
between the embedded broker and Mosquitto without re-issuing passwords.

What they enforce: a login must match the password file; a PUBLISH needs ``write`` on its
topic; a SUBSCRIBE is accepted if it can match a readable topic and every delivered message
is checked for ``read`` (like Mosquitto). Two gaps in amqtt itself are closed in
:class:`hub.broker.EmbeddedBroker`: retained messages sent on SUBSCRIBE are checked for ``read``
(amqtt skips that check), and a last will on a topic the user may not write is dropped when
the client connects (amqtt publishes wills without any ACL check). What amqtt still cannot do
is listed in docs/deploy.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from amqtt.contexts import Action
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import Session

from hub.security import acl
from hub.security.passwords import check_password, read_password_file


class HallAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    """Username and password against a Mosquitto ``$7$`` password file; no anonymous logins."""

    @dataclass
    class Config:
        password_file: str = ""
        acl_file: str = ""  # to drop last wills the user may not write

    def __init__(self, context: object) -> None:
        super().__init__(context)
        cfg: HallAuthPlugin.Config = self.config
        self.users = read_password_file(cfg.password_file)
        self.grants = acl.parse(Path(cfg.acl_file).read_text(encoding="utf-8")) if cfg.acl_file else {}

    async def authenticate(self, *, session: Session) -> bool | None:
        user, password = session.username, session.password
        stored = self.users.get(user or "")
        if not user or password is None or stored is None:
            return False
        if not check_password(password if isinstance(password, str) else bytes(password).decode(), stored):
            return False
        if session.will_flag and session.will_topic and self.grants \
                and not acl.allowed(self.grants.get(user), session.will_topic, "write"):
            session.will_flag = False  # Mosquitto drops such a will too; amqtt would publish it
        return True


class HallTopicPlugin(BaseTopicPlugin):  # type: ignore[misc]
    """Publish, subscribe and delivery checks against a Mosquitto ``acl_file`` (``user``/``topic`` lines)."""

    @dataclass
    class Config:
        acl_file: str = ""

    def __init__(self, context: object) -> None:
        super().__init__(context)
        cfg: HallTopicPlugin.Config = self.config
        self.grants = acl.parse(Path(cfg.acl_file).read_text(encoding="utf-8"))

    async def topic_filtering(self, *, session: Session | None = None, topic: str | None = None,
                              action: Action | None = None) -> bool | None:
        if session is None or not topic:
            return False
        grant = self.grants.get(session.username or "")
        match action:
            case Action.PUBLISH:
                return acl.allowed(grant, topic, "write")
            case Action.SUBSCRIBE:
                return acl.may_subscribe(grant, topic)
            case Action.RECEIVE:
                return acl.allowed(grant, topic, "read")
        return False
