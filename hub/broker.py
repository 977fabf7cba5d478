"""The embedded MQTT broker (amqtt, MQTT 3.1.1) for one-machine halls, demos and tests.

It runs its asyncio loop in a daemon thread so the rest of the hub stays plain threads.
amqtt cannot report a port it picked itself, so callers choose one (:func:`free_port`).
Production halls should prefer Mosquitto (``hallq hub --mqtt mqtt://…``): it is faster and
speaks TLS with our generated config (see docs/deploy.md).

Without ``password_file`` the broker is open (the demo and tests, exactly as before). With the
files ``hallq mosquitto-config`` writes, it enforces the same logins and ACL as Mosquitto
(:mod:`hub.security.amqtt_plugins`); docs/deploy.md lists what amqtt cannot enforce.

Longer than 400 lines on purpose: most of it is :func:`_checked_broker`, the overrides of
amqtt 0.12 internals that fix its races, each with the reason beside it; they patch one class
and are re-checked together when amqtt is upgraded (docs/deploy.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import logging
import socket
import threading
import time
from typing import Any

log = logging.getLogger("hallq.broker")


_handed_out: set[int] = set()


def free_port(host: str = "127.0.0.1") -> int:
    """A free port, never one this process handed out before.

    Clients of a broker that stopped keep reconnecting to its port; a new broker on the same
    port would receive them, and clients with the same MQTT client id would take turns
    kicking each other off (in tests, and a hub restarted on another port in one process).
    """
    while True:
        with socket.socket() as s:
            s.bind((host, 0))
            port = int(s.getsockname()[1])
        if port not in _handed_out:
            _handed_out.add(port)
            return port


SHUTDOWN_S = 2.0


class BrokerError(RuntimeError):
    pass


def _port_busy(exc: BaseException) -> bool:
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


class EmbeddedBroker:
    def __init__(self, host: str = "127.0.0.1", port: int = 1883, *, password_file: str | None = None,
                 acl_file: str | None = None) -> None:
        if acl_file and not password_file:
            raise ValueError("an acl_file needs a password_file (the ACL is per login)")
        self.host = host
        self.port = port
        self.password_file = password_file
        self.acl_file = acl_file
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0, busy_wait: float = 3.0) -> EmbeddedBroker:
        """Listen, retrying for ``busy_wait`` seconds while the port is still held (a broker that
        just stopped, or a hub restarted at once after a crash)."""
        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.CRITICAL if name == "amqtt" else logging.WARNING)
        deadline = time.monotonic() + busy_wait
        while True:
            self._ready.clear()
            self._error = None
            self._thread = threading.Thread(target=self._run, name="hallq-broker", daemon=True)
            self._thread.start()
            if not self._ready.wait(timeout):
                raise BrokerError(f"embedded broker did not start on {self.host}:{self.port} within {timeout}s")
            if self._error is None:
                return self
            self._thread.join(timeout)
            if not _port_busy(self._error) or time.monotonic() >= deadline:
                raise BrokerError(f"embedded broker could not listen on {self.host}:{self.port}: {self._error}")
            time.sleep(0.2)

    def _plugins(self) -> dict[str, Any]:
        if not self.password_file:
            return {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}}
        plugins: dict[str, Any] = {"hub.security.amqtt_plugins.HallAuthPlugin": {
            "password_file": str(self.password_file), "acl_file": str(self.acl_file or "")}}
        if self.acl_file:
            plugins["hub.security.amqtt_plugins.HallTopicPlugin"] = {"acl_file": str(self.acl_file)}
        return plugins

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        config: dict[str, Any] = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": self._plugins(),
        }

        async def main() -> None:
            self._stop = asyncio.Event()
            broker = _checked_broker()(config, bind_client_ids=bool(self.password_file))
            try:
                await broker.start()
            except BaseException as exc:  # bind errors and the like
                self._error = exc
                self._ready.set()
                return
            self._ready.set()
            await self._stop.wait()
            try:  # amqtt's shutdown can wait forever on QoS 1 traffic in flight
                await asyncio.wait_for(broker.shutdown(), SHUTDOWN_S)
            except Exception:  # TimeoutError included
                log.warning("embedded broker did not shut down cleanly; closing its connections")
                for server in getattr(broker, "_servers", {}).values():
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(server.close_instance(), 1)
                for _, handler in list(getattr(broker, "_sessions", {}).values()):
                    writer = getattr(handler, "writer", None)
                    if writer is not None:  # drop the client: it reconnects to whoever listens next
                        with contextlib.suppress(Exception):
                            await asyncio.wait_for(writer.close(), 1)
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        try:
            loop.run_until_complete(main())
        finally:
            loop.close()

    def stop(self, timeout: float = 5.0) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _SnapshotKeys(dict):  # type: ignore[type-arg]
    """A dict whose iteration walks a snapshot of its keys.

    amqtt 0.12 iterates ``Broker._subscriptions`` with ``await`` inside the loop when a client
    connects; another client subscribing meanwhile raised "dictionary changed size during
    iteration" and dropped the connecting client.
    """

    def __iter__(self) -> Any:
        return iter(list(super().keys()))


PUBACK_TIMEOUT_S = 5.0  # amqtt's own value


@functools.cache
def _checked_handler() -> Any:
    """amqtt's broker-side protocol handler, waiting for a PUBACK *before* sending the PUBLISH.

    amqtt 0.12 registers the PUBACK waiter only after the send returns; when the send waits
    for the socket to drain (a burst to a slow client), the client's PUBACK can arrive first,
    is dropped as "unknown", and the send then waits 5 s for nothing. While a client
    (re)connects, such waits run before amqtt reads its SUBSCRIBE, so the SUBACK came 5-15 s
    late: the hub's "cannot reach the MQTT broker (no answer)" in the test suite.
    """
    from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
    from amqtt.mqtt.protocol.handler import OUTGOING

    class CheckedHandler(BrokerProtocolHandler):  # type: ignore[misc]
        async def _handle_qos1_message_flow(self, app_message: Any) -> None:
            if app_message.direction != OUTGOING or app_message.puback_packet or self.session is None:
                await super()._handle_qos1_message_flow(app_message)
                return
            packet_id = app_message.packet_id
            self.session.inflight_out.setdefault(packet_id, app_message)
            packet = app_message.build_publish_packet(dup=app_message.publish_packet is not None)
            waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._puback_waiters[packet_id] = waiter
            try:
                await self._send_packet(packet)
                app_message.publish_packet = packet
                app_message.puback_packet = await asyncio.wait_for(waiter, PUBACK_TIMEOUT_S)
            except TimeoutError:
                raise TimeoutError(f"no PUBACK for packet {packet_id} within {PUBACK_TIMEOUT_S}s") from None
            finally:
                if self._puback_waiters.get(packet_id) is waiter:
                    del self._puback_waiters[packet_id]
                self.session.inflight_out.pop(packet_id, None)

    return CheckedHandler


def _checked_broker() -> Any:
    """amqtt's Broker with these fixes for retained messages sent on (re)subscribe:

    * they pass the ``receive`` check: amqtt 0.12 checks live messages against the topic
      plugins but replays retained ones unchecked, so a device allowed ``state/window/S01``
      that subscribes to ``state/window/+`` would get every window's state (Mosquitto checks);
    * a connecting client gets them only for filters *it* subscribed to: amqtt replays the
      retained messages of every client's subscriptions to each new connection;
    * the subscription table is iterated over a snapshot (:class:`_SnapshotKeys`), also when
      broadcasting (``_run_broadcast``);
    * a PUBACK that arrives while the PUBLISH is still being sent is not lost
      (:func:`_checked_handler`);
    * a client id that is already connected is taken over cleanly (:meth:`_end_connection_of`),
      and two connections of one client id are set up one after the other (:meth:`_gate`);
    * with logins, the client id is the login (:meth:`_initialize_client_session`);
    * TCP_NODELAY on every accepted socket (:meth:`stream_connected`).
    """
    import amqtt.broker
    from amqtt.broker import Broker
    from amqtt.contexts import Action
    from amqtt.errors import AMQTTError, MQTTError, NoDataError
    from amqtt.utils import gen_client_id

    handler_class = _checked_handler()
    amqtt.broker.BrokerProtocolHandler = handler_class

    class CheckedBroker(Broker):  # type: ignore[misc]
        def __init__(self, *args: Any, bind_client_ids: bool = False, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._subscriptions = _SnapshotKeys()
            self._bind_client_ids = bind_client_ids
            self._ends: dict[int, asyncio.Event] = {}  # id(handler) -> set when its connection has ended
            self._gates: dict[str, asyncio.Lock] = {}  # client id -> held while a connection of it is set up
            self._holding: dict[int, tuple[str, asyncio.Lock]] = {}  # id(handler) -> the gate it holds

        async def stream_connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                                   listener_name: str) -> None:
            """TCP_NODELAY on every accepted socket, said here rather than left to asyncio (which
            sets it on TCP transports today): a small QoS 1 reply must not wait ~40 ms for the
            client's delayed ACK (Nagle). Mosquitto needs ``set_tcp_nodelay true`` for the same."""
            sock = writer.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await super().stream_connected(reader, writer, listener_name)

        async def _initialize_client_session(self, reader: Any, writer: Any, remote_address: str,
                                             remote_port: int) -> tuple[Any, Any]:
            """amqtt's, with two steps between reading CONNECT and looking up the session:

            * with logins (``--broker-auth``), the client id *is* the login, as Mosquitto's
              ``use_username_as_clientid``: a device that connects with the hub's client id
              gets its own (amqtt looked the session up, and a clean session even deleted the
              hub's, before checking the password); a refused login gets a throwaway id;
            * :meth:`_end_connection_of` the client id's current connection first, inside the
              client id's :meth:`_gate`.
            """
            try:
                handler, session = await handler_class.init_from_connect(reader, writer, self.plugins_manager)
            except (AMQTTError, NoDataError) as exc:
                raise AMQTTError(exc) from exc
            except MQTTError:
                await writer.close()
                raise
            if self._bind_client_ids:
                login_ok = await self._authenticate(session, None)  # checked again by amqtt, as before
                session.client_id = session.username if login_ok else f"refused-{gen_client_id()}"
            if session.client_id:
                await self._gate(session.client_id, handler)
                try:
                    await self._end_connection_of(session.client_id)
                except BaseException:
                    self._open_gate(handler)
                    raise
            if session.clean_session:  # from here on amqtt's own
                if session.client_id:
                    await self._delete_session(session.client_id)
                else:
                    session.client_id = gen_client_id()
                session.parent = 0
            elif session.client_id in self._sessions:
                existing, _ = self._sessions[session.client_id]
                for name in ("will_flag", "will_message", "will_topic", "will_qos", "will_retain", "keep_alive",
                             "username", "password"):
                    setattr(existing, name, getattr(session, name))
                session = existing
                session.parent = 1
            else:
                session.parent = 0
            delay = self.config.get("timeout-disconnect-delay", 0)
            if session.keep_alive > 0 and isinstance(delay, int):
                session.keep_alive += delay
            return handler, session

        async def _gate(self, client_id: str, handler: Any) -> None:
            """Wait until no other connection of ``client_id`` is being set up, then hold the gate
            until this one is (:meth:`_publish_session_retained_messages`) or has failed.

            Without it, a connection whose CONNECT was read but which was not yet connected
            (amqtt was still authenticating it, or had not answered CONNACK) was invisible to the
            next connection of the same client id: both went on, amqtt's own take-over ended the
            first, whose last will ("offline") then came *after* the second one's retained
            "online", and whose end marked the session they share (the hub's is persistent)
            disconnected, so nothing reached the live connection any more. That is what a client
            does when it gives up on a slow handshake and connects again (``HallClient``'s
            watchdog, a hub restarted at once): 36 of 40 such pairs ended "offline" here.
            """
            gate = self._gates.setdefault(client_id, asyncio.Lock())
            await gate.acquire()
            self._holding[id(handler)] = (client_id, gate)

        def _open_gate(self, handler: Any) -> None:
            held = self._holding.pop(id(handler), None)
            if held is not None:
                client_id, gate = held
                gate.release()
                if not getattr(gate, "_waiters", None):  # nobody queued: forget it (refused logins get new ids)
                    self._gates.pop(client_id, None)

        async def _handle_client_session(self, reader: Any, writer: Any, client_session: Any, handler: Any,
                                         *args: Any) -> None:
            ended = self._ends[id(handler)] = asyncio.Event()
            try:
                await super()._handle_client_session(reader, writer, client_session, handler, *args)
            finally:
                self._open_gate(handler)  # a refused login or a broken connection never got that far
                ended.set()
                self._ends.pop(id(handler), None)

        async def _publish_session_retained_messages(self, session: Any) -> None:
            """Called by amqtt once the connection is registered, CONNACKed and reading: from here
            the next connection of this client id finds it connected and ends it properly."""
            handler = self._get_handler(session)
            if handler is not None:
                self._open_gate(handler)
            await super()._publish_session_retained_messages(session)

        async def _end_connection_of(self, client_id: str) -> None:
            """Close the client id's live connection and wait until amqtt has finished with it.

            amqtt 0.12 "takes over" a connected client id by reusing its session object for the
            new connection while the old connection's loop still runs; that loop then published
            the old last will *after* the new connection's retained "online" (the hub shown
            offline while it answers) and marked the shared session disconnected, so nothing
            was delivered to the new connection again (a device connecting with the hub's
            client id silenced the hub for good). Finishing the old connection first gives the
            MQTT order: old will, then the new connection. Its waits for PUBACKs are cancelled
            (as amqtt's own take-over does), so a replay of retained messages to a client that
            went away does not hold its successor up for amqtt's 5 s.
            """
            entry = self._sessions.get(client_id)
            if entry is None or entry[0].transitions.state != "connected" or entry[1] is None:
                return
            old_handler = entry[1]
            ended = self._ends.get(id(old_handler))
            log.info("client id %s connected again: closing its previous connection", client_id)
            await old_handler.handle_connection_closed()
            with contextlib.suppress(Exception):
                old_handler._stop_waiters()
            if ended is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ended.wait(), SHUTDOWN_S)

        async def _run_broadcast(self, running_tasks: Any) -> None:
            """amqtt's, walking snapshots: the loop awaits the ACL check, and a client
            subscribing meanwhile ended the walk with "dictionary changed size during
            iteration" (the message then reached no subscriber after that point: 209 of
            400 lost in tests/hub/test_embedded_broker.py), or an unsubscribe shifted the
            list under the loop and skipped the next subscriber."""
            broadcast = await self._broadcast_queue.get()
            topic = broadcast["topic"]
            for k_filter, subscriptions in list(self._subscriptions.items()):
                if not self._matches(topic, k_filter):
                    continue
                for target_session, sub_qos in list(subscriptions):
                    qos = broadcast.get("qos", sub_qos)
                    if not await self._topic_filtering(target_session, topic=topic, action=Action.RECEIVE):
                        continue
                    connected = target_session.transitions.state == "connected"
                    if (not connected and not target_session.clean_session and qos in (1, 2)
                            and not target_session.is_anonymous):
                        await self._retain_broadcast_message(broadcast, qos, target_session)
                        continue
                    if not connected:
                        continue
                    handler = self._get_handler(target_session)
                    if handler:
                        running_tasks.append(asyncio.ensure_future(
                            handler.mqtt_publish(topic, broadcast["data"], qos, retain=False)))

        async def _publish_retained_messages_for_subscription(self, subscription: tuple[str, int],
                                                              session: Any) -> None:
            topic_filter, qos = subscription
            holders = self._subscriptions.get(topic_filter, ())
            if not any(s.client_id == session.client_id for s, _ in holders):
                return  # another client's filter (amqtt walks all of them on connect)
            handler = self._get_handler(session)
            if handler is None:
                return
            tasks = []
            for topic, retained in list(self._retained_messages.items()):
                if self._matches(topic, topic_filter) and await self._topic_filtering(session, topic, Action.RECEIVE):
                    send = handler.mqtt_publish(retained.topic, retained.data, min(qos, retained.qos or qos),
                                                retain=True)
                    tasks.append(asyncio.ensure_future(send))
            if tasks:
                await asyncio.wait(tasks)

    return CheckedBroker
